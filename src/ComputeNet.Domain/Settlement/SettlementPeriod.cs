using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Domain.Settlement;

public enum PeriodUnit { Day, Month }

/// <summary>
/// How the platform cuts time into settlement periods: calendar days or months in a time zone
/// (market-rules §7; Asia/Shanghai by default).
/// </summary>
public sealed record PeriodCalendar(PeriodUnit Unit, DateTimeZone Zone)
{
    public static PeriodCalendar DailyShanghai => new(PeriodUnit.Day, DateTimeZoneProviders.Tzdb["Asia/Shanghai"]);

    /// <summary>The period an instant falls in (a usage record belongs wholly to the period in which its interval starts).</summary>
    public SettlementPeriod PeriodOf(Instant t)
    {
        LocalDate date;
        try
        {
            date = t.InZone(Zone).Date;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            // The instant's local date in the zone lies outside NodaTime's calendar (after 9999-12-31 or before -9998).
            throw RejectedException.Of(Codes.Invalid, $"{t} has no settlement period: its date in {Zone.Id} is outside the calendar");
        }
        return Unit == PeriodUnit.Day ? Make(date) : Make(new LocalDate(date.Year, date.Month, 1));
    }

    public bool TryParse(string? key, out SettlementPeriod period)
    {
        period = null!;
        if (key is null)
        {
            return false;
        }
        var pattern = Unit == PeriodUnit.Day ? LocalDatePattern.Iso : LocalDatePattern.CreateWithInvariantCulture("uuuu'-'MM");
        var parsed = pattern.Parse(key);
        if (!parsed.Success)
        {
            return false;
        }
        try
        {
            period = Make(parsed.Value);
        }
        catch (RejectedException)
        {
            return false;
        }
        return period.Key == key;
    }

    public SettlementPeriod Next(SettlementPeriod p) => Make(Unit == PeriodUnit.Day ? p.FirstDay.PlusDays(1) : p.FirstDay.PlusMonths(1));

    /// <summary>Every period overlapping <c>[from, to)</c>, in time order.</summary>
    public IEnumerable<SettlementPeriod> Covering(Instant from, Instant to)
    {
        for (var p = PeriodOf(from); p.Start < to; p = Next(p))
        {
            yield return p;
        }
    }

    /// <summary>
    /// The period starting on <paramref name="firstDay"/>. The calendar ends with the period whose end it can name: the
    /// last day (9999-12-31) or month (9999-12) has no following day, so a time in it is refused as `invalid` rather
    /// than overflowing NodaTime's calendar.
    /// </summary>
    private SettlementPeriod Make(LocalDate firstDay)
    {
        LocalDate next;
        try
        {
            next = Unit == PeriodUnit.Day ? firstDay.PlusDays(1) : firstDay.PlusMonths(1);
        }
        catch (OverflowException)
        {
            throw RejectedException.Of(Codes.Invalid,
                $"{firstDay.ToString("uuuu'-'MM'-'dd", CultureInfo.InvariantCulture)} is past the last settlement period the platform holds (the last period ends on 9999-12-31)");
        }
        var key = Unit == PeriodUnit.Day
            ? firstDay.ToString("uuuu'-'MM'-'dd", CultureInfo.InvariantCulture)
            : firstDay.ToString("uuuu'-'MM", CultureInfo.InvariantCulture);
        return new SettlementPeriod(key, firstDay, Zone.AtStartOfDay(firstDay).ToInstant(), Zone.AtStartOfDay(next).ToInstant());
    }
}

/// <summary>A settlement period: <c>[Start, End)</c>, named by its key ("2026-12-01" or "2026-12").</summary>
public sealed record SettlementPeriod(string Key, LocalDate FirstDay, Instant Start, Instant End)
{
    public override string ToString() => Key;
}
