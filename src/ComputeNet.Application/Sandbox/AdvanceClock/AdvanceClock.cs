using ComputeNet.Application.Platform;
using ComputeNet.Domain;
using Mediator;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Sandbox.AdvanceClock;

/// <summary>
/// The sandbox's test clock and the settlement period it is in, so that a client derives the period to close from the
/// clock rather than from a date written down somewhere (docs/api.md, walk-through).
/// </summary>
/// <param name="Now">What the platform's clock reads.</param>
/// <param name="Previous">For an advance, what it read before; null for a read.</param>
/// <param name="Period">The settlement period <paramref name="Now"/> is in (key, e.g. <c>2026-12-01</c>), in <paramref name="TimeZone"/>.</param>
public sealed record SandboxClockView(Instant Now, Instant? Previous, string TimeZone, string Period, Instant PeriodStart, Instant PeriodEnd);

/// <summary>Reads the sandbox's test clock; refused <c>not-sandbox</c> on a platform that runs on the real clock.</summary>
public sealed record GetSandboxClockRequest : IQuery<SandboxClockView>;

/// <summary>
/// Moves the sandbox's test clock forward, by <paramref name="By"/> (an ISO 8601 duration in days, hours, minutes and
/// seconds: <c>PT2H</c>, <c>P1DT30M</c>) or to <paramref name="To"/> (an instant); exactly one of them. Refused
/// <c>not-sandbox</c> outside a sandbox, <c>clock-backwards</c> for a time before the clock's, <c>invalid</c> for a
/// malformed duration, both or neither. The same time again changes nothing.
/// </summary>
public sealed record AdvanceSandboxClockRequest(string? By = null, Instant? To = null) : ICommand<SandboxClockView>;

public sealed class GetSandboxClockHandler(IClock clock, PlatformService platform) : IQueryHandler<GetSandboxClockRequest, SandboxClockView>
{
    public async ValueTask<SandboxClockView> Handle(GetSandboxClockRequest q, CancellationToken ct) =>
        await AdvanceSandboxClockHandler.ViewAsync(platform, AdvanceSandboxClockHandler.SandboxOf(clock).GetCurrentInstant(), null, ct);
}

public sealed class AdvanceSandboxClockHandler(IClock clock, PlatformService platform) : ICommandHandler<AdvanceSandboxClockRequest, SandboxClockView>
{
    public async ValueTask<SandboxClockView> Handle(AdvanceSandboxClockRequest r, CancellationToken ct)
    {
        var sandbox = SandboxOf(clock);
        (Instant Previous, Instant Now) moved;
        switch (r.By, r.To)
        {
            case (not null, not null):
                throw RejectedException.Of(Codes.Invalid, "give either 'by' (a duration) or 'to' (an instant), not both", "by");
            case (null, null):
                throw RejectedException.Of(Codes.Invalid, "give 'by' (an ISO 8601 duration such as PT2H or P1D) or 'to' (an instant with its offset)", "by");
            case (not null, null):
            {
                var by = DurationOf(r.By);
                moved = await sandbox.AdvanceAsync(now => by > SandboxClock.Latest - now ? SandboxClock.Latest + Duration.FromSeconds(1) : now + by, "by", ct);
                break;
            }
            default:
                moved = await sandbox.AdvanceAsync(_ => r.To!.Value, "to", ct);
                break;
        }
        return await ViewAsync(platform, moved.Now, moved.Previous, ct);
    }

    internal static SandboxClock SandboxOf(IClock clock) => clock as SandboxClock
        ?? throw RejectedException.Of(Codes.NotSandbox, "this platform runs on the real clock: the test clock exists only on a platform served with --sandbox");

    /// <summary>An ISO 8601 duration of days, hours, minutes and seconds (months and years have no fixed length: refused).</summary>
    public static Duration DurationOf(string text)
    {
        // A leading minus (-PT1H) is read as a step back, which the clock refuses as clock-backwards rather than as malformed.
        var trimmed = text.Trim();
        var negative = trimmed.StartsWith('-');
        var parsed = PeriodPattern.NormalizingIso.Parse(negative ? trimmed[1..] : trimmed);
        if (!parsed.Success)
        {
            throw RejectedException.Of(Codes.Invalid, $"'{text}' is not an ISO 8601 duration (e.g. PT2H, PT30M, P1D, P1DT12H)", "by");
        }
        var period = parsed.Value;
        if (period.Years != 0 || period.Months != 0)
        {
            throw RejectedException.Of(Codes.Invalid, $"'{text}' has years or months, which have no fixed length: give days (P30D) or a time ('to')", "by");
        }
        Duration duration;
        try
        {
            duration = period.ToDuration();
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            throw RejectedException.Of(Codes.Invalid, $"'{text}' is longer than the clock can go", "by");
        }
        // Within ±8,000 years the clock's arithmetic cannot overflow; the target is then checked against SandboxClock.Latest.
        if (duration > Duration.FromDays(8_000 * 366) || duration < Duration.FromDays(-8_000 * 366))
        {
            throw RejectedException.Of(Codes.Invalid, $"'{text}' is longer than the clock can go", "by");
        }
        return negative ? -duration : duration;
    }

    internal static async Task<SandboxClockView> ViewAsync(PlatformService platform, Instant now, Instant? previous, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var period = view.Calendar.PeriodOf(now);
        return new SandboxClockView(now, previous, view.Calendar.Zone.Id, period.Key, period.Start, period.End);
    }
}
