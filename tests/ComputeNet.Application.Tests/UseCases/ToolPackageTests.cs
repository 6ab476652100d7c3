using System.Diagnostics;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The installable command (issue 14): the CLI built beside this test is packed as a .NET tool, installed into a temporary
/// tool path from that package alone (no other NuGet source), and run from a folder outside the checkout — where it must
/// find its demo scenario, reference data and fonts in its own assemblies, not in the checkout: --help, then the demo.
/// </summary>
public sealed class ToolPackageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Out, string Err)> RunAsync(string file, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            Environment = { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["NO_COLOR"] = "1" },
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task The_cli_packs_as_a_tool_that_installs_and_runs_outside_the_checkout()
    {
        var built = new FileInfo(Cli.Path());
        var configuration = built.Directory!.Parent!.Name;
        var project = Path.GetFullPath(Path.Combine(built.DirectoryName!, "..", "..", "..", "ComputeNet.Cli.csproj"));
        Assert.True(File.Exists(project), project);
        var temp = Directory.CreateTempSubdirectory("computenet-tool-");
        var connection = await TestDatabase.ConnectionStringAsync();
        var database = $"computenet_tool_{Guid.NewGuid():N}"[..28];
        try
        {
            var feed = Path.Combine(temp.FullName, "feed");
            var tools = Path.Combine(temp.FullName, "tools");
            var elsewhere = Directory.CreateDirectory(Path.Combine(temp.FullName, "elsewhere")).FullName;
            var environment = new Dictionary<string, string>();

            var pack = await RunAsync("dotnet", temp.FullName, environment, "pack", project, "-c", configuration, "--no-build", "-o", feed);
            Assert.True(pack.Code == 0, $"dotnet pack: {pack.Out}\n{pack.Err}");
            var package = Assert.Single(Directory.GetFiles(feed, "computenet.*.nupkg"));

            // Only the local feed: the package carries its dependencies, so nothing is fetched.
            var config = Path.Combine(temp.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
                </configuration>
                """, Ct);
            var install = await RunAsync("dotnet", temp.FullName, environment, "tool", "install", "computenet", "--tool-path", tools, "--configfile", config);
            Assert.True(install.Code == 0, $"dotnet tool install ({Path.GetFileName(package)}): {install.Out}\n{install.Err}");

            var command = Path.Combine(tools, "computenet");
            var help = await RunAsync(command, elsewhere, environment, "--help");
            Assert.True(help.Code == 0, $"computenet --help: {help.Out}\n{help.Err}");
            foreach (var name in new[] { "demo", "scenario", "serve", "close", "verify" })
            {
                Assert.Contains(name, help.Out);
            }
            var serveHelp = await RunAsync(command, elsewhere, environment, "serve", "--help");
            Assert.Contains("--sandbox", serveHelp.Out);

            // The demo, from outside the checkout, in a database of its own (its schema 'demo' is dropped and rebuilt) and with
            // the tests' signing key: the scenario, reference data and fonts come from the tool's own assemblies.
            await using (var admin = new Npgsql.NpgsqlConnection(connection))
            {
                await admin.OpenAsync(Ct);
                await using var create = admin.CreateCommand();
                create.CommandText = $"create database {database}";
                await create.ExecuteNonQueryAsync(Ct);
            }
            environment["COMPUTENET_DB"] = new Npgsql.NpgsqlConnectionStringBuilder(connection) { Database = database }.ConnectionString;
            environment["ComputeNet__SigningKeyPath"] = TestDatabase.SigningKeyPath;
            var demo = await RunAsync(command, elsewhere, environment, "demo");
            Assert.True(demo.Code == 0, $"computenet demo: {demo.Out}\n{demo.Err}");
            Assert.Contains("trial balance", demo.Out);
            // 4 invoices, 6 statements, 2 issuer claims (the demo has no pairing agreement, so no region statement).
            Assert.Equal(13, Directory.GetFiles(Path.Combine(elsewhere, "out", "demo", "pdf"), "*.pdf").Length);
        }
        finally
        {
            temp.Delete(recursive: true);
            await using var admin = new Npgsql.NpgsqlConnection(connection);
            await admin.OpenAsync(Ct);
            await using var drop = admin.CreateCommand();
            drop.CommandText = $"drop database if exists {database} with (force)";
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }
}
