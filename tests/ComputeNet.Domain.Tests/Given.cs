namespace ComputeNet.Domain.Tests;

/// <summary>Given-events / when-command / then-events helpers shared by the decider tests.</summary>
public static class Then
{
    /// <summary>The command was refused with exactly this code and field.</summary>
    public static Rejection Rejected(string code, string? field, Func<object?> when)
    {
        var rejection = Assert.Throws<RejectedException>(when).Rejection;
        Assert.Equal((code, field), (rejection.Code, rejection.Field));
        Assert.False(string.IsNullOrWhiteSpace(rejection.Reason));
        return rejection;
    }

    /// <summary>A validation result (no exception) with exactly this code and field.</summary>
    public static void Is(string code, string? field, Rejection? rejection)
    {
        Assert.NotNull(rejection);
        Assert.Equal((code, field), (rejection.Code, rejection.Field));
        Assert.False(string.IsNullOrWhiteSpace(rejection.Reason));
    }
}

/// <summary>
/// Whether the tests run inside a Stryker.NET mutation run (its MTP runner hands every test host the mutant control file).
/// The long-running tests (20 s and 15 s alone here, and the 65,539-leaf tree of <see cref="MerkleVectorTests"/>) sit out
/// there: under coverage instrumentation on a loaded machine they pass Stryker's 30 s per-test capture limit, and a test
/// that times out in the capture is then run against every mutant (docs/runbook.md, "Mutation testing"). What they cover
/// of the mutated code is the parallel hashing of Merkle levels above 32,768 pairs, which mutation runs leave uncovered.
/// </summary>
public static class Stryker
{
    public static bool IsRunning => Environment.GetEnvironmentVariable("STRYKER_MUTANT_FILE") is not null;

    public const string Reason = "long-running; sits out mutation runs (docs/runbook.md, Mutation testing)";
}
