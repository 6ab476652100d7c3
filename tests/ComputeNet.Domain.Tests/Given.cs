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
