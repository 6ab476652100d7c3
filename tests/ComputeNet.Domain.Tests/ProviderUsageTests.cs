using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Settlement;
using CsCheck;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>Batch usage ingestion: given recorded batches, when a batch arrives, then these outcomes and events.</summary>
public sealed class ProviderUsageTests
{
    private static readonly PeriodCalendar Calendar = PeriodCalendar.DailyShanghai;

    private static readonly LeaseTerms Lease = new("lease-000001", 1, "b1", BuyerSh, "shanghai", "o1", ProvA, "zhongwei", "ningxia",
        "ai-fp16-80g", "intelligent", "v1", 0.156m, 8, Sh.Dec(1), Sh.Dec(5), 58m, "on-demand", 11.5m);

    private static RecordUsage Cmd(string id, int fromHour, int toHour, long deviceSeconds = 3600, string party = ProvA, string lease = "lease-000001",
        Instant? at = null) =>
        new(party, id, lease, Sh.Dec(1).Plus(Duration.FromHours(fromHour)), Sh.Dec(1).Plus(Duration.FromHours(toHour)),
            new UsageQuantities(deviceSeconds, 1m, 0.5m, 0m), at ?? Sh.Dec(6));

    private static UsageBatchDecision Decide(ProviderUsage usage, IReadOnlyList<RecordUsage> batch, params string[] closed) =>
        usage.Decide(batch, id => id == Lease.LeaseId ? Lease : null, (_, _) => null, Calendar, closed.ToHashSet());

    private static ProviderUsage Given(params RecordUsage[] earlier)
    {
        var usage = new ProviderUsage(ProvA);
        foreach (var e in Decide(new ProviderUsage(ProvA), earlier).Events)
        {
            usage.Evolve(e);
        }
        return usage;
    }

    [Fact]
    public void A_batch_sees_its_own_earlier_records_for_ids_and_overlaps()
    {
        var decision = Decide(Given(), [Cmd("a", 0, 1), Cmd("b", 0, 2), Cmd("a", 0, 1), Cmd("a", 5, 6), Cmd("c", 1, 2)]);

        Assert.Equal([null, Codes.Overlap, null, Codes.IdReused, null], decision.Outcomes.Select(o => o.Rejection?.Code));
        Assert.True(decision.Outcomes[2].Repeat);
        var e = Assert.Single(decision.Events);
        Assert.Equal(["a", "c"], e.Records.Select(r => r.RecordId));
    }

    [Fact]
    public void Overlap_is_found_on_either_side_among_stored_intervals_in_any_order()
    {
        var usage = Given(Cmd("late", 10, 12), Cmd("early", 2, 4), Cmd("mid", 6, 8));
        var decision = Decide(usage, [Cmd("x", 3, 5), Cmd("y", 7, 9), Cmd("z", 11, 13), Cmd("gap", 4, 6), Cmd("gap2", 8, 10), Cmd("tail", 12, 14)]);

        Assert.Equal([Codes.Overlap, Codes.Overlap, Codes.Overlap, null, null, null], decision.Outcomes.Select(o => o.Rejection?.Code));
        Assert.Equal(3 * 3600, usage.DeliveredDeviceSeconds(Lease.LeaseId));
    }

    [Fact]
    public void Records_of_a_closed_period_are_routed_late_into_the_first_open_one_and_split_into_one_event_per_receiving_period()
    {
        // Day 1 and day 2 are closed: a day-1 record goes to day 3; a day-2 record too; nothing is open before day 3.
        var decision = Decide(Given(), [Cmd("d1", 0, 1), Cmd("d2", 25, 26), Cmd("d3", 48, 49)], "2026-12-01", "2026-12-02");
        var e = Assert.Single(decision.Events);
        Assert.Equal("2026-12-03", e.ReceivingPeriod);
        Assert.Equal([true, true, false], e.Records.Select(r => r.Late));

        var onlyFirstClosed = Decide(Given(), [Cmd("d1", 0, 1), Cmd("d2", 25, 26)], "2026-12-01");
        Assert.Equal(["2026-12-02"], onlyFirstClosed.Events.Select(x => x.ReceivingPeriod));
        var noneClosed = Decide(Given(), [Cmd("d1", 0, 1), Cmd("d2", 25, 26)]);
        Assert.Equal(["2026-12-01", "2026-12-02"], noneClosed.Events.Select(x => x.ReceivingPeriod));
    }

    [Fact]
    public void Rejections_follow_the_rules_order_record_by_record_and_nothing_else_changes()
    {
        var decision = Decide(Given(), [
            Cmd("u", 0, 1, lease: "lease-999999"),
            Cmd("n", 0, 1, deviceSeconds: -1),
            Cmd("e", 1, 1),
            Cmd("w", 95, 97),
            Cmd("r", 0, 1, at: Sh.Dec(1)),
            Cmd("c", 0, 1, deviceSeconds: 8 * 3600 + 1),
        ]);

        Assert.Equal([Codes.UnknownLease, Codes.NegativeValue, Codes.EmptyInterval, Codes.OutsideWindow, Codes.ReportedEarly, Codes.OverCapacity],
            decision.Outcomes.Select(o => o.Rejection!.Code));
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Rating_is_unchanged_when_the_same_records_arrive_reordered_split_differently_or_repeated()
    {
        var records = Enumerable.Range(0, 24).Select(h => Cmd($"h{h}", h, h + 1, deviceSeconds: 1000 + 37 * h)).ToList();
        var baseline = Rate(Given(records.ToArray()));

        Gen.Int[0, 1000].Select(Gen.Int[1, 24], Gen.Int[0, 10]).Sample((seed, batchSize, repeats) =>
        {
            var random = new Random(seed);
            var stream = records.Concat(records.OrderBy(_ => random.Next()).Take(repeats)).OrderBy(_ => random.Next()).ToList();
            var usage = new ProviderUsage(ProvA);
            foreach (var batch in stream.Chunk(batchSize))
            {
                foreach (var e in Decide(usage, batch).Events)
                {
                    usage.Evolve(e);
                }
            }
            Assert.Equal(baseline, Rate(usage));
        }, iter: 200);
    }

    /// <summary>The invoice amounts a close of day 1 issues from what the provider's usage holds.</summary>
    private static long Rate(ProviderUsage usage)
    {
        var period = Calendar.PeriodOf(Sh.Dec(1, 12));
        var close = PeriodClose.Compute(new CloseInput(period, Calendar, FeeSchedule.Default, All.Values.ToList(),
            [new LeaseAtClose(Lease, usage.DeliveredDeviceSeconds(Lease.LeaseId))],
            usage.Records.Where(r => r.ReceivingPeriod == period.Key).ToList(), Sh.Dec(4)));
        return close.Invoices.Sum(i => i.AmountFen);
    }
}
