using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The CLI as an operator meets it (issue 13, item 8): errors on stderr, distinct exit codes (0 done, 2 usage error,
/// 3 refused by a rule), and no close dated in the future.
/// </summary>
public sealed class CliExitCodeTests : IAsyncLifetime
{
    private TestPlatform _p = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _p = await TestPlatform.StartAsync(Nov30Morning);

    public ValueTask DisposeAsync() => _p.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var child = Cli.Start(_p.ConnectionString, new Dictionary<string, string>(), args);
        var output = child.StandardOutput.ReadToEndAsync(Ct);
        var error = child.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        await child.WaitForExitAsync(timeout.Token);
        return (child.ExitCode, await output, await error);
    }

    [Fact]
    public async Task A_close_dated_in_the_future_is_a_usage_error_and_closes_nothing()
    {
        var (code, output, error) = await RunAsync("close", "--period", "2026-12-01", "--schema", _p.Schema, "--at", "2999-01-01T00:00:00Z");

        Assert.Equal(2, code);
        Assert.Contains("lies in the future", error);
        Assert.DoesNotContain("closed", output);
    }

    [Fact]
    public async Task Refusals_exit_3_with_the_code_on_stderr_and_a_repeat_close_exits_0()
    {
        var notEnded = await RunAsync("close", "--period", "2026-12-01", "--schema", _p.Schema, "--at", "2026-12-01T02:00:00Z");
        Assert.Equal(3, notEnded.Code);
        Assert.StartsWith("period-not-ended:", notEnded.Err.Trim());

        var badKey = await RunAsync("close", "--period", "2026-13-01", "--schema", _p.Schema, "--at", "2026-12-02T02:00:00Z");
        Assert.Equal(3, badKey.Code);
        Assert.StartsWith("invalid:", badKey.Err.Trim());

        var closed = await RunAsync("close", "--period", "2026-12-01", "--schema", _p.Schema, "--at", "2026-12-02T02:00:00Z");
        Assert.Equal(0, closed.Code);
        Assert.Contains("closed 2026-12-01", closed.Out);
        Assert.Equal("", closed.Err.Trim());

        // Once closed, a close dated before the period's end is a repeat, not period-not-ended.
        var again = await RunAsync("close", "--period", "2026-12-01", "--schema", _p.Schema, "--at", "2026-12-01T02:00:00Z");
        Assert.Equal(0, again.Code);
        Assert.Contains("already closed 2026-12-01", again.Out);
    }

    [Fact]
    public async Task Wrong_calls_exit_2_with_the_error_on_stderr()
    {
        var unknownOption = await RunAsync("close", "--period", "2026-12-01", "--nonsense");
        Assert.Equal(2, unknownOption.Code);
        Assert.Contains("--nonsense", unknownOption.Err);

        var missingPeriod = await RunAsync("close", "--schema", _p.Schema);
        Assert.Equal(2, missingPeriod.Code);

        var unknownSchema = await RunAsync("close", "--period", "2026-12-01", "--schema", "no_such_schema_here");
        Assert.Equal(2, unknownSchema.Code);
        Assert.Contains("no schema", unknownSchema.Err);
        Assert.Equal("", unknownSchema.Out.Trim());
    }
}
