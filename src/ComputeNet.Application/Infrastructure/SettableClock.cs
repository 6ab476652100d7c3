using NodaTime;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// A clock that reads what it was last set to. Scenario runs and tests drive it from their timelines so
/// that no wall-clock time leaks into results. It never moves backwards.
/// </summary>
public sealed class SettableClock(Instant start) : IClock
{
    private Instant _now = start;

    public Instant GetCurrentInstant() => _now;

    public void Set(Instant now)
    {
        if (now < _now)
        {
            throw new InvalidOperationException($"the clock cannot move back from {_now} to {now}");
        }
        _now = now;
    }
}
