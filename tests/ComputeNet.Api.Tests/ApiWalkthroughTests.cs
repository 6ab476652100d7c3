using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// docs/api.md's walk-through, replayed as written: every <c>bash</c> block of the section, in order, in one bash process
/// against a sandbox host started as the section says (clock at 2026-12-01T08:00:00+08:00), each block's output compared
/// with the answer block the section shows after it — API keys and trace ids, which differ on every run, aside.
/// </summary>
public sealed partial class ApiWalkthroughTests
{
    private const string Section = "## Walk-through: a market day in the sandbox";
    private const string Marker = "@@computenet-walkthrough-step@@";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Step(string Script, string? Answer);

    private static IReadOnlyList<Step> Steps()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ComputeNet.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        var doc = File.ReadAllText(Path.Combine(dir.FullName, "docs", "api.md"));
        var start = doc.IndexOf(Section, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/api.md has no section '{Section}'");
        var end = doc.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        var text = doc[start..(end < 0 ? doc.Length : end)];

        var blocks = FencedBlock().Matches(text).Select(m => (Lang: m.Groups[1].Value, Body: m.Groups[2].Value)).ToList();
        var steps = new List<Step>();
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].Lang != "bash")
            {
                continue;
            }
            var answer = i + 1 < blocks.Count && blocks[i + 1].Lang == "" ? blocks[i + 1].Body : null;
            steps.Add(new Step(blocks[i].Body, answer));
        }
        return steps;
    }

    /// <summary>What differs on every run or machine: the keys the operator is given, the trace ids of problems, a checkpoint's
    /// hash (it names the platform's signing key).</summary>
    private static string Normalise(string text) =>
        Checkpoint().Replace(TraceId().Replace(ApiKeyId().Replace(ApiKey().Replace(text.Replace("\r", "", StringComparison.Ordinal).Trim(),
            "\"apiKey\":\"…\""), "\"apiKeyId\":\"…\""), "\"traceId\":\"…\""), "\"checkpoint\":\"…\"");

    [Fact]
    public async Task The_walkthrough_in_api_md_replays_as_written_on_a_sandbox()
    {
        var steps = Steps();
        Assert.True(steps.Count >= 10, $"only {steps.Count} bash blocks found in the walk-through");
        foreach (var tool in new[] { "bash", "curl", "jq", "date" })
        {
            Assert.True(File.Exists($"/usr/bin/{tool}") || File.Exists($"/bin/{tool}"), $"the walk-through needs {tool}");
        }

        await using var sandbox = await SandboxHost.StartAsync(At("2026-12-01T08:00:00+08:00"));
        var script = new StringBuilder("set -euo pipefail\n");
        foreach (var step in steps)
        {
            script.Append(step.Script).Append('\n').Append($"echo {Marker}\n");
        }
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["API"] = sandbox.Address.ToString().TrimEnd('/'), ["OPERATOR_KEY"] = OperatorKey, ["TZ"] = "UTC" },
        };
        using var bash = Process.Start(start)!;
        await bash.StandardInput.WriteAsync(script.ToString());
        bash.StandardInput.Close();
        var output = bash.StandardOutput.ReadToEndAsync(Ct);
        var error = bash.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await bash.WaitForExitAsync(timeout.Token);
        var outputs = (await output).Split(Marker + "\n");
        Assert.True(bash.ExitCode == 0, $"the walk-through's script failed ({bash.ExitCode}): {await error}\n{await output}");

        var failures = new List<string>();
        for (var i = 0; i < steps.Count; i++)
        {
            var got = Normalise(outputs[i]);
            if (steps[i].Answer is { } shown && Normalise(shown) != got)
            {
                failures.Add($"block {i + 1}:\n{steps[i].Script.Trim()}\n--- docs/api.md shows:\n{Normalise(shown)}\n--- the sandbox answered:\n{got}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [GeneratedRegex(@"^```(\w*)\n(.*?)^```\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"""apiKey"":""cnk_[A-Za-z0-9_-]+""")]
    private static partial Regex ApiKey();

    [GeneratedRegex(@"""apiKeyId"":""cnk_[A-Za-z0-9_-]+""")]
    private static partial Regex ApiKeyId();

    [GeneratedRegex(@"""traceId"":""[0-9a-f-]+""")]
    private static partial Regex TraceId();

    [GeneratedRegex(@"""checkpoint"":""[0-9a-f]{64}""")]
    private static partial Regex Checkpoint();
}
