using ComputeNet.Domain.Settlement;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §7: settlement periods are calendar days or months in Asia/Shanghai.</summary>
public class PeriodCalendarTests
{
    private static readonly PeriodCalendar Daily = PeriodCalendar.DailyShanghai;
    private static readonly PeriodCalendar Monthly = new(PeriodUnit.Month, Sh.Zone);

    private static Instant Utc(string iso) => InstantPattern.General.Parse(iso).Value;

    [Fact]
    public void Day_2026_12_01_starts_at_16_00_UTC_the_day_before()
    {
        var day = Daily.PeriodOf(Sh.Dec(1, 12));
        Assert.Equal(new SettlementPeriod("2026-12-01", new LocalDate(2026, 12, 1), Utc("2026-11-30T16:00:00Z"), Utc("2026-12-01T16:00:00Z")), day);
    }

    [Theory]
    [InlineData("2026-11-30T15:59:59Z", "2026-11-30")]
    [InlineData("2026-11-30T16:00:00Z", "2026-12-01")]
    [InlineData("2026-12-01T15:59:59Z", "2026-12-01")]
    [InlineData("2026-12-01T16:00:00Z", "2026-12-02")]
    [InlineData("2026-12-31T16:00:00Z", "2027-01-01")]
    public void Day_boundaries_are_Shanghai_midnight(string utc, string expectedKey) =>
        Assert.Equal(expectedKey, Daily.PeriodOf(Utc(utc)).Key);

    [Theory]
    [InlineData("2026-11-30T15:59:59Z", "2026-11")]
    [InlineData("2026-11-30T16:00:00Z", "2026-12")]
    [InlineData("2026-12-31T15:59:59Z", "2026-12")]
    [InlineData("2026-12-31T16:00:00Z", "2027-01")]
    public void Month_boundaries_are_Shanghai_midnight_of_the_first(string utc, string expectedKey) =>
        Assert.Equal(expectedKey, Monthly.PeriodOf(Utc(utc)).Key);

    [Fact]
    public void A_month_period_runs_from_the_first_to_the_first()
    {
        var december = Monthly.PeriodOf(Sh.Dec(15));
        Assert.Equal(("2026-12", new LocalDate(2026, 12, 1), Utc("2026-11-30T16:00:00Z"), Utc("2026-12-31T16:00:00Z")),
            (december.Key, december.FirstDay, december.Start, december.End));
        var leapFebruary = Monthly.PeriodOf(Sh.At(2028, 2, 10));
        Assert.Equal(Utc("2028-02-29T16:00:00Z"), leapFebruary.End);
    }

    [Fact]
    public void Next_follows_the_calendar()
    {
        Assert.Equal("2027-01-01", Daily.Next(Daily.PeriodOf(Sh.Dec(31))).Key);
        Assert.Equal("2027-01", Monthly.Next(Monthly.PeriodOf(Sh.Dec(31))).Key);
        var next = Daily.Next(Daily.PeriodOf(Sh.Dec(1)));
        Assert.Equal(Daily.PeriodOf(Sh.Dec(1)).End, next.Start);
    }

    [Fact]
    public void The_zone_is_configurable()
    {
        var utcDays = new PeriodCalendar(PeriodUnit.Day, DateTimeZone.Utc);
        Assert.Equal("2026-11-30", utcDays.PeriodOf(Sh.Dec(1, 2)).Key);
        Assert.Equal("2026-12-01", Daily.PeriodOf(Sh.Dec(1, 2)).Key);
    }

    [Fact]
    public void TryParse_accepts_a_well_formed_key_and_gives_its_period()
    {
        Assert.True(Daily.TryParse("2026-12-01", out var day));
        Assert.Equal(Daily.PeriodOf(Sh.Dec(1)), day);
        Assert.True(Monthly.TryParse("2026-12", out var month));
        Assert.Equal(Utc("2026-11-30T16:00:00Z"), month.Start);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-12-1")]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("2026/12/01")]
    [InlineData(" 2026-12-01")]
    [InlineData("2026-12-01 ")]
    [InlineData("2026-12")]
    [InlineData("20261201")]
    [InlineData("2026-12-01T00:00")]
    [InlineData("26-12-01")]
    public void TryParse_rejects_a_malformed_day_key(string? key) => Assert.False(Daily.TryParse(key, out _));

    [Theory]
    [InlineData("2026-12-01")]
    [InlineData("2026-1")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("202612")]
    [InlineData("")]
    public void TryParse_rejects_a_malformed_month_key(string key) => Assert.False(Monthly.TryParse(key, out _));

    [Fact]
    public void Covering_lists_every_period_the_interval_touches_in_order()
    {
        Assert.Equal(["2026-12-01", "2026-12-02"], Daily.Covering(Sh.Dec(1, 20), Sh.Dec(2, 4)).Select(p => p.Key));
        Assert.Equal(["2026-12-01", "2026-12-02", "2026-12-03"], Daily.Covering(Sh.Dec(1, 23), Sh.Dec(3, 1)).Select(p => p.Key));
        Assert.Equal(["2026-11", "2026-12"], Monthly.Covering(Sh.At(2026, 11, 30, 20), Sh.Dec(2)).Select(p => p.Key));
    }

    [Fact]
    public void Covering_treats_the_end_as_exclusive()
    {
        Assert.Equal(["2026-12-01"], Daily.Covering(Sh.Dec(1, 20), Sh.Dec(2, 0)).Select(p => p.Key));
        Assert.Equal(["2026-12-02"], Daily.Covering(Sh.Dec(2, 0), Sh.Dec(2, 20)).Select(p => p.Key));
        Assert.Equal(["2026-12-01", "2026-12-02"], Daily.Covering(Sh.Dec(1, 0), Sh.Dec(3, 0)).Select(p => p.Key));
    }
}
