using ComputeNet.Fuzz;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The bounded fuzz run of CI (issue 13, item 1): requests generated from the served OpenAPI document with CsCheck, to
/// every operation under every role, no key and unknown keys, against a seeded host with the fake Stripe configured.
/// Never a 5xx; every 4xx a problem with a code; a refused write changes nothing. One run on a fixed seed (the same
/// requests every time) and one on a random seed, which the failure message prints (replay: <c>computenet fuzz --seed …</c>,
/// or set <see cref="FuzzOptions.Seed"/>). The long run is the CLI's <c>computenet fuzz</c> (docs/runbook.md).
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    /// <summary>A CsCheck seed: the fixed run sends the same requests every time.</summary>
    public const string FixedSeed = "4IO9kBoAihR5";
    private const int RequestsPerRun = 1_500;

    private FakeStripe _stripe = null!;
    private FuzzTarget _target = null!;

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _target = await FuzzTarget.StartInProcessAsync(_stripe.HostArgs());
    }

    public async ValueTask DisposeAsync()
    {
        await _target.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    [Theory]
    [InlineData(FixedSeed)]
    [InlineData(null)]
    public async Task No_generated_request_gets_a_5xx_or_a_bare_4xx_and_refused_writes_change_nothing(string? seed)
    {
        var report = await Fuzzer.RunAsync(_target, new FuzzOptions { Requests = RequestsPerRun, Seed = seed, Shrink = true });

        Assert.True(report.FailureCount == 0, $"seed {seed ?? "random (CsCheck prints it below)"}:\n{report.Summary()}");
        Assert.Equal(0, report.ServerErrors);
        Assert.True(report.Sent >= RequestsPerRun * 0.98, report.Summary());
        var operations = ApiOperations.Parse(await _target.Http.GetStringAsync("/openapi/v1.json")).All.Select(o => o.Name).ToHashSet();
        Assert.Empty(operations.Except(report.ByOperation.Keys));
        Assert.True(report.RefusedWritesChecked > 100, report.Summary());
        Assert.True(report.ByStatus.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value) > 50, report.Summary());
    }
}
