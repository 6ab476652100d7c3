using ComputeNet.Domain.Market;
using ComputeNet.Domain.Reports;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// The running capacity totals (ADR 0029): the changes folded from listings, reduces, cancels and trades add up, period by
/// period, to what the metering report counts from the offers' and leases' final state — whole hours per period, an offer
/// until its cancel time, its devices after the last reduce.
/// </summary>
public sealed class CapacityTotalsTests
{
    private static readonly Instant Base = Sh.Dec(1);

    private static OfferListed Listing(string id, string cluster, int devices, Instant from, Instant to) =>
        new(1, id, "prov", cluster, "ningxia", "ai-fp16-80g", "intelligent", "v1", 0.156m, 80, devices, from, to, 58m, 0.5m, from);

    private static LeaseTerms Lease(string id, string cluster, int devices, Instant from, Instant to) =>
        new(id, 1, "b-" + id, "buyer", "shanghai", "o-" + id, "prov", cluster, "ningxia", "ai-fp16-80g", "intelligent", "v1", 0.156m, devices, from, to, 58m,
            "on-demand", 10m);

    private static Dictionary<(string, string), (long, long)> Totals(CapacityTotals totals) =>
        totals.Changes.ToDictionary(c => c.Key, c => c.Value);

    /// <summary>The metering report's count, from final states, over every period the windows touch (zero cells left out).</summary>
    private static Dictionary<(string, string), (long, long)> Expected(PeriodCalendar calendar, IEnumerable<CapacityOffer> offers, IEnumerable<LeaseTerms> leases)
    {
        var sums = new Dictionary<(string, string), (long Offered, long Leased)>();
        foreach (var o in offers.Where(o => o.Until > o.From))
        {
            foreach (var p in calendar.Covering(o.From, o.Until))
            {
                var (a, b) = sums.GetValueOrDefault((p.Key, o.Cluster));
                sums[(p.Key, o.Cluster)] = (a + o.Devices * MeteringReports.HoursInside(o.From, o.Until, p), b);
            }
        }
        foreach (var l in leases)
        {
            foreach (var p in calendar.Covering(l.From, l.To))
            {
                var (a, b) = sums.GetValueOrDefault((p.Key, l.Cluster));
                sums[(p.Key, l.Cluster)] = (a, b + l.Devices * MeteringReports.HoursInside(l.From, l.To, p));
            }
        }
        return sums.Where(s => s.Value.Offered != 0 || s.Value.Leased != 0).ToDictionary(s => s.Key, s => (s.Value.Offered, s.Value.Leased));
    }

    [Fact]
    public void A_cancel_mid_hour_keeps_the_whole_hours_before_it_in_its_period_and_takes_out_the_later_periods()
    {
        var totals = new CapacityTotals(PeriodCalendar.DailyShanghai);
        // 10 devices from Dec 1 00:00 to Dec 4 00:00 (Shanghai): 24 h in each of three days.
        var offer = totals.Listed(Listing("of1", "zhongwei", 10, Base, Base + Duration.FromDays(3)));
        Assert.Equal(new Dictionary<(string, string), (long, long)>
        {
            [("2026-12-01", "zhongwei")] = (240, 0), [("2026-12-02", "zhongwei")] = (240, 0), [("2026-12-03", "zhongwei")] = (240, 0),
        }, Totals(totals));

        // Reduced to 4, then cancelled on Dec 2 at 10:30: Dec 1 keeps 24 h, Dec 2 keeps 10 whole hours, Dec 3 nothing.
        offer = totals.Reduced(offer, 4);
        offer = totals.Cancelled(offer, Base + Duration.FromDays(1) + Duration.FromMinutes(630));
        Assert.Equal(new Dictionary<(string, string), (long, long)>
        {
            [("2026-12-01", "zhongwei")] = (96, 0), [("2026-12-02", "zhongwei")] = (40, 0),
        }, Totals(totals));
        Assert.Equal(Base + Duration.FromDays(1) + Duration.FromMinutes(630), offer.Until);
    }

    [Fact]
    public void A_cancel_before_the_window_starts_takes_everything_out_and_never_counts_negative_hours()
    {
        var totals = new CapacityTotals(PeriodCalendar.DailyShanghai);
        var offer = totals.Listed(Listing("of1", "zhongwei", 3, Base + Duration.FromHours(10), Base + Duration.FromHours(20)));
        totals.Cancelled(offer, Base + Duration.FromHours(8));
        Assert.Empty(Totals(totals));
    }

    [Fact]
    public void A_lease_counts_its_devices_over_the_whole_hours_of_its_window_in_each_month()
    {
        var totals = new CapacityTotals(new PeriodCalendar(PeriodUnit.Month, Sh.Zone));
        totals.Leased(Lease("l1", "guian", 2, Sh.Dec(31, 20), Sh.Dec(31, 20) + Duration.FromHours(10)));
        Assert.Equal(new Dictionary<(string, string), (long, long)> { [("2026-12", "guian")] = (0, 8), [("2027-01", "guian")] = (0, 12) }, Totals(totals));
    }

    public static TheoryData<string, string> Calendars => new()
    {
        { "day", "Asia/Shanghai" }, { "month", "Asia/Shanghai" }, { "day", "Asia/Kolkata" }, { "day", "Asia/Kathmandu" }, { "month", "Europe/London" },
    };

    /// <summary>
    /// Random markets (offers over 1 hour to 40 days, reduces, cancels at any second — before, inside or after the window —
    /// and leases), in calendars whose periods start on whole hours, on half hours (Kolkata), on quarter hours (Kathmandu)
    /// and across a daylight-saving change (London): the folded totals equal the final-state count in every cell.
    /// </summary>
    [Theory]
    [MemberData(nameof(Calendars))]
    public void Folded_changes_equal_the_final_state_count_in_every_calendar(string unit, string zone)
    {
        var calendar = new PeriodCalendar(unit == "month" ? PeriodUnit.Month : PeriodUnit.Day, DateTimeZoneProviders.Tzdb[zone]);
        string[] clusters = ["zhongwei", "guian", "qingyang"];
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var totals = new CapacityTotals(calendar);
            var offers = new Dictionary<string, (CapacityOffer State, bool Open)>();
            var leases = new List<LeaseTerms>();
            Instant Hour(int maxHours) => Instant.FromUtc(2027, 3, 20, 0, 0) + Duration.FromHours(random.Next(maxHours));
            for (var step = 0; step < 300; step++)
            {
                var roll = random.Next(10);
                if (roll < 4 || offers.Count == 0)
                {
                    var from = Hour(24 * 60);
                    var id = $"o{step}";
                    offers[id] = (totals.Listed(Listing(id, clusters[random.Next(3)], 1 + random.Next(50), from, from + Duration.FromHours(1 + random.Next(24 * 40)))), true);
                }
                else if (roll < 6)
                {
                    var from = Hour(24 * 60);
                    leases.Add(Lease($"l{step}", clusters[random.Next(3)], 1 + random.Next(20), from, from + Duration.FromHours(1 + random.Next(24 * 10))));
                    totals.Leased(leases[^1]);
                }
                else
                {
                    var id = offers.Keys.ElementAt(random.Next(offers.Count));
                    var (state, open) = offers[id];
                    if (!open)
                    {
                        continue;
                    }
                    offers[id] = roll < 8
                        ? (totals.Reduced(state, random.Next(state.Devices + 1)), true)
                        : (totals.Cancelled(state, state.From + Duration.FromSeconds(random.Next(-7_200, (int)(state.To - state.From).TotalSeconds + 7_200))), false);
                }
            }
            Assert.Equal(Expected(calendar, offers.Values.Select(o => o.State), leases).OrderBy(x => x.Key).ToList(),
                Totals(totals).OrderBy(x => x.Key).ToList());
        }
    }
}
