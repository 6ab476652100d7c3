using System.Globalization;
using ComputeNet.Domain;
using ComputeNet.Domain.Settlement;
using Marten;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Analytics;

/// <summary>One step of a chart: an hour, or a settlement period; <c>[Start, End)</c>.</summary>
public sealed record BucketView(string Key, Instant Start, Instant End);

/// <summary>
/// The steps a chart read asks for: <c>by=hour</c> (<c>from</c>, <c>to</c>: instants on whole hours, <c>[from, to)</c>, at
/// most <see cref="MaxHours"/>) or <c>by=period</c> (<c>from</c>, <c>to</c>: settlement period keys, both included, at most
/// <see cref="MaxPeriods"/>). Without bounds: the 24 hours up to the end of the current hour, or the 7 periods up to the
/// current one. A read's cost follows the steps asked for and what happened in them, never the platform's age.
/// </summary>
public static class Buckets
{
    public const string ByHour = "hour";
    public const string ByPeriod = "period";
    public const int MaxHours = 744;
    public const int MaxPeriods = 366;

    public static IReadOnlyList<BucketView> Of(string? by, string? from, string? to, PeriodCalendar calendar, Instant now) => (by ?? ByPeriod) switch
    {
        ByHour => Hours(from, to, now),
        ByPeriod => Periods(from, to, calendar, now),
        _ => throw RejectedException.Of(Codes.Invalid, $"by must be '{ByHour}' or '{ByPeriod}'", "by"),
    };

    public static IReadOnlyList<BucketView> Periods(string? from, string? to, PeriodCalendar calendar, Instant now)
    {
        var last = to is null ? calendar.PeriodOf(now) : Period(to, "to", calendar);
        SettlementPeriod first;
        if (from is null)
        {
            first = last;
            for (var i = 0; i < 6; i++)
            {
                first = calendar.PeriodOf(first.Start - Duration.FromSeconds(1));
            }
        }
        else
        {
            first = Period(from, "from", calendar);
        }
        if (first.Start > last.Start)
        {
            throw RejectedException.Of(Codes.Invalid, $"from ({first.Key}) is after to ({last.Key})", "from");
        }
        var list = new List<BucketView>();
        for (var p = first; ; p = calendar.Next(p))
        {
            if (list.Count == MaxPeriods)
            {
                throw RejectedException.Of(Codes.Invalid, $"at most {MaxPeriods} periods per read", "to");
            }
            list.Add(new BucketView(p.Key, p.Start, p.End));
            if (p.Key == last.Key)
            {
                return list;
            }
        }
    }

    private static IReadOnlyList<BucketView> Hours(string? from, string? to, Instant now)
    {
        var end = to is null ? HourStart(now) + Duration.FromHours(1) : ParseInstant(to, "to");
        var start = from is null ? end - Duration.FromHours(24) : ParseInstant(from, "from");
        if (start >= end)
        {
            throw RejectedException.Of(Codes.Invalid, "from must be before to", "from");
        }
        var hours = (end - start).TotalHours;
        if (hours > MaxHours)
        {
            throw RejectedException.Of(Codes.Invalid, $"at most {MaxHours} hours per read", "to");
        }
        return Enumerable.Range(0, (int)hours).Select(h => start + Duration.FromHours(h))
            .Select(s => new BucketView(InstantPattern.General.Format(s), s, s + Duration.FromHours(1))).ToList();
    }

    private static Instant HourStart(Instant t) => NodaTime.Instant.FromUnixTimeSeconds(Math.DivRem(t.ToUnixTimeSeconds(), 3600, out var r) * 3600 - (r < 0 ? 3600 : 0));

    private static SettlementPeriod Period(string key, string field, PeriodCalendar calendar) =>
        calendar.TryParse(key, out var p) ? p : throw RejectedException.Of(Codes.Invalid, $"'{key}' is not a settlement period of this platform", field);

    private static Instant ParseInstant(string text, string field)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            throw RejectedException.Of(Codes.Invalid, $"'{text}' is not an instant (ISO 8601, e.g. 2026-12-01T00:00:00+08:00)", field);
        }
        var instant = NodaTime.Instant.FromDateTimeOffset(t);
        if (instant.ToUnixTimeTicks() % NodaConstants.TicksPerHour != 0)
        {
            throw RejectedException.Of(Codes.Invalid, $"{field} must be on a whole hour", field);
        }
        return instant;
    }

    /// <summary>The steps as three arrays (keys, start and end in Unix seconds) for <c>unnest</c> in SQL.</summary>
    public static (string[] Keys, long[] Starts, long[] Ends) Arrays(IReadOnlyList<BucketView> buckets) =>
        (buckets.Select(b => b.Key).ToArray(), buckets.Select(b => b.Start.ToUnixTimeSeconds()).ToArray(), buckets.Select(b => b.End.ToUnixTimeSeconds()).ToArray());

    public static string Schema(IQuerySession session) => $"\"{session.DocumentStore.Options.DatabaseSchemaName}\"";

    /// <summary>A ratio for reading, rounded half away from zero to 4 places as the metering report does (null when nothing was offered).</summary>
    public static decimal? Ratio(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole, 4, MidpointRounding.AwayFromZero);
}
