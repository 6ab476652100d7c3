namespace ComputeNet.Domain.Tests;

/// <summary>
/// Measures what steady-state work allocates, robustly against the runtime itself: while a busy machine runs many
/// tests at once, the JIT may still be replacing a method (tier-up, on-stack replacement) during the measured run,
/// and that can allocate a few KB on the running thread once. An allocation per order would show in every window;
/// runtime noise shows in one. So the work is measured in several windows: at least one must allocate nothing, and
/// none may allocate more than <see cref="NoiseBytes"/>.
/// </summary>
public static class SteadyState
{
    /// <summary>Far below one allocation per order in any window (thousands of orders each), above a JIT transition.</summary>
    public const long NoiseBytes = 64 * 1024;

    public static void AssertAllocatesNothing(int from, int to, Action<int> step, int windows = 5)
    {
        var size = (to - from) / windows;
        var allocated = new long[windows];
        for (var w = 0; w < windows; w++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = from + w * size; i < from + (w + 1) * size; i++)
            {
                step(i);
            }
            allocated[w] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(allocated.Min() == 0 && allocated.Max() <= NoiseBytes,
            $"bytes allocated per window of {size:N0} steps: {string.Join(", ", allocated)} (steady state must allocate nothing)");
    }
}
