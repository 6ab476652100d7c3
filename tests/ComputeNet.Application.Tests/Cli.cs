using System.Diagnostics;

namespace ComputeNet.Application.Tests;

/// <summary>The CLI as a child process, for tests that kill it (SIGKILL) and start it again.</summary>
public static class Cli
{
    /// <summary>The CLI built beside this test project (same configuration), found from the checkout root.</summary>
    public static string Path()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent?.Name ?? "Debug";
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ComputeNet.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        var path = System.IO.Path.Combine(dir.FullName, "src", "ComputeNet.Cli", "bin", configuration, "net10.0", "computenet.dll");
        Assert.True(File.Exists(path), $"the CLI is not built at {path}");
        return path;
    }

    /// <summary>Starts <c>computenet args…</c> on <paramref name="connectionString"/> with the given environment.</summary>
    public static Process Start(string connectionString, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["COMPUTENET_DB"] = connectionString, ["NO_COLOR"] = "1" },
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.ArgumentList.Add(Path());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
    }
}
