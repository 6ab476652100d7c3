using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ComputeNet.Application.Database;
using Npgsql;

namespace ComputeNet.Application.Tests.Database;

/// <summary>
/// Runs against the real default cluster of this checkout, which other test classes use at the same time:
/// these tests never stop it. Tests that need start/stop semantics use a throwaway checkout with its own cluster.
/// </summary>
public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task EnsureStarted_returns_a_connection_string_that_runs_select_1()
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = new EmbeddedPostgres();

        var connectionString = await postgres.EnsureStartedAsync(ct);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        Assert.Equal(1, await ScalarAsync<int>(connection, "select 1", ct));
        Assert.Equal("computenet", await ScalarAsync<string>(connection, "select current_database()", ct));
        Assert.Equal(postgres.DataDirectory, await ScalarAsync<string>(connection, "show data_directory", ct));
        Assert.Equal("on", await ScalarAsync<string>(connection, "show fsync", ct));
        Assert.Equal(postgres.Port, new NpgsqlConnectionStringBuilder(connectionString).Port);
        Assert.InRange(postgres.Port, 20000, 29999);
        Assert.True(await postgres.IsRunningAsync(ct));
    }

    [Fact]
    public async Task Data_folder_follows_the_user_the_tests_run_as()
    {
        var postgres = new EmbeddedPostgres();
        await postgres.EnsureStartedAsync(TestContext.Current.CancellationToken);

        if (Environment.UserName == "root")
        {
            Assert.Matches("^/var/tmp/computenet/[0-9a-f]{12}$", postgres.DataDirectory);
            Assert.Equal("postgres", await OwnerOfAsync(postgres.DataDirectory));
        }
        else
        {
            Assert.EndsWith(Path.Combine(".computenet", "pg"), postgres.DataDirectory, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_second_instance_and_concurrent_callers_reuse_the_running_cluster()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = new EmbeddedPostgres();
        var connectionString = await first.EnsureStartedAsync(ct);
        var startedAt = await PostmasterStartTimeAsync(connectionString, ct);

        var others = Enumerable.Range(0, 4).Select(_ => new EmbeddedPostgres()).ToArray();
        var results = await Task.WhenAll(others.Select(p => Task.Run(() => p.EnsureStartedAsync(ct), ct)));

        Assert.All(results, r => Assert.Equal(connectionString, r));
        Assert.All(others, p => Assert.Equal(first.Port, p.Port));
        Assert.All(others, p => Assert.Equal(first.DataDirectory, p.DataDirectory));
        Assert.Equal(startedAt, await PostmasterStartTimeAsync(results[^1], ct));
    }

    [Fact]
    public async Task Missing_binaries_throw_a_message_naming_the_package_and_touch_nothing()
    {
        using var checkout = new TempCheckout();
        var emptyBin = Directory.CreateDirectory(Path.Combine(checkout.Path, "empty-bin")).FullName;
        var postgres = new EmbeddedPostgres(new EmbeddedPostgresOptions
        {
            CheckoutRoot = checkout.Path,
            BinDirectory = emptyBin,
            Port = FreePort(),
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => postgres.EnsureStartedAsync(TestContext.Current.CancellationToken));

        Assert.Contains("postgresql-15", error.Message, StringComparison.Ordinal);
        Assert.Contains(emptyBin, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(postgres.DataDirectory));
    }

    [Fact]
    public async Task A_fresh_checkout_is_initialised_once_under_concurrent_starts_then_stops_and_restarts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var checkout = new TempCheckout();
        var options = new EmbeddedPostgresOptions { CheckoutRoot = checkout.Path, Port = FreePort(), DatabaseName = "computenet_alt" };
        var postgres = new EmbeddedPostgres(options);
        try
        {
            Assert.False(await postgres.IsRunningAsync(ct));
            Assert.False(await postgres.StopAsync(ct));

            var cold = Stopwatch.StartNew();
            var results = await Task.WhenAll(
                Enumerable.Range(0, 4).Select(_ => Task.Run(() => new EmbeddedPostgres(options).EnsureStartedAsync(ct), ct)));
            cold.Stop();
            TestContext.Current.TestOutputHelper?.WriteLine($"cold initdb+start with 4 concurrent callers: {cold.ElapsedMilliseconds} ms");

            Assert.All(results, r => Assert.Equal(results[0], r));
            await using (var connection = new NpgsqlConnection(results[0]))
            {
                await connection.OpenAsync(ct);
                Assert.Equal("computenet_alt", await ScalarAsync<string>(connection, "select current_database()", ct));
            }

            var warm = Stopwatch.StartNew();
            await new EmbeddedPostgres(options).EnsureStartedAsync(ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"warm reuse: {warm.ElapsedMilliseconds} ms");

            Assert.True(await postgres.IsRunningAsync(ct));
            Assert.True(await postgres.StopAsync(ct));
            Assert.False(await postgres.IsRunningAsync(ct));
            Assert.False(await postgres.StopAsync(ct));

            var restart = Stopwatch.StartNew();
            var again = await postgres.EnsureStartedAsync(ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"restart of an initialised cluster: {restart.ElapsedMilliseconds} ms");
            await using (var connection = new NpgsqlConnection(again))
            {
                await connection.OpenAsync(ct);
                Assert.Equal(1, await ScalarAsync<int>(connection, "select 1", ct));
            }
        }
        finally
        {
            await postgres.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            if (Directory.Exists(postgres.DataDirectory))
            {
                Directory.Delete(postgres.DataDirectory, recursive: true);
            }

            File.Delete(postgres.DataDirectory + ".lock");
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<DateTime> PostmasterStartTimeAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await ScalarAsync<DateTime>(connection, "select pg_postmaster_start_time()", ct);
    }

    private static async Task<string> OwnerOfAsync(string path)
    {
        var startInfo = new ProcessStartInfo("stat") { RedirectStandardOutput = true };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("%U");
        startInfo.ArgumentList.Add(path);
        using var process = Process.Start(startInfo)!;
        var owner = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return owner.Trim();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class TempCheckout : IDisposable
    {
        public TempCheckout() => Path = Directory.CreateTempSubdirectory("computenet-pg-test-").FullName;

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

/// <summary>Mutates process environment variables, so it runs alone, after the parallel tests.</summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class DatabaseConnectionTests
{
    private const string Variable = "COMPUTENET_DB";

    [Fact]
    public async Task Environment_variable_wins_over_configuration()
    {
        const string FromEnvironment = "Host=db.example;Port=5432;Username=app;Database=from_env";
        using var _ = new EnvironmentVariable(Variable, FromEnvironment);

        var resolved = await DatabaseConnection.ResolveAsync("Host=configured;Database=cfg", TestContext.Current.CancellationToken);

        Assert.Equal(FromEnvironment, resolved);
    }

    [Fact]
    public async Task Configuration_is_used_when_the_environment_variable_is_unset()
    {
        const string Configured = "Host=configured;Database=cfg";
        using var _ = new EnvironmentVariable(Variable, null);

        Assert.Equal(Configured, await DatabaseConnection.ResolveAsync(Configured, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Embedded_cluster_is_used_when_nothing_is_configured()
    {
        using var _ = new EnvironmentVariable(Variable, null);

        var resolved = await DatabaseConnection.ResolveAsync(null, TestContext.Current.CancellationToken);

        Assert.Equal(await new EmbeddedPostgres().EnsureStartedAsync(TestContext.Current.CancellationToken), resolved);
    }

    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;
        private readonly string? _previous;

        public EnvironmentVariable(string name, string? value)
        {
            _name = name;
            _previous = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
    }
}
