using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §6: each usage rejection names its code and the offending field; the boundaries of every check.</summary>
public class UsageRulesFieldTests
{
    private static readonly LeaseTerms Lease = new("lease-1", 1, "b1", BuyerSh, "shanghai", "o1", ProvA, "zhongwei", "ningxia", "ai-fp16-80g",
        "intelligent", "v1", 0.156m, 8, Sh.Dec(2, 0), Sh.Dec(2, 20), 58.00m, "on-demand", 11.5m);

    private static RecordUsage Cmd(Instant? from = null, Instant? to = null, long ds = 28_800, decimal energy = 10m, decimal green = 5m, decimal gb = 1m,
        Instant? at = null, string party = ProvA) =>
        new(party, "r1", Lease.LeaseId, from ?? Sh.Dec(2, 2), to ?? Sh.Dec(2, 3), new UsageQuantities(ds, energy, green, gb), at ?? Sh.Dec(2, 20));

    private static string? Carrier(string city, string cluster) => (city, cluster) == ("shanghai", "zhongwei") ? TestParties.Carrier : null;

    /// <summary>Validate with one recorded interval 05:00–06:00 on the lease.</summary>
    private static Rejection? Validate(RecordUsage cmd, LeaseTerms? terms = null, UsageRecorded? previous = null, Func<string, string, string?>? carrierFor = null)
    {
        var lease = new LeaseUsage { Terms = terms ?? Lease };
        lease.Evolve(new UsageRecorded("r0", Lease.LeaseId, ProvA, Sh.Dec(2, 5), Sh.Dec(2, 6), 100, 0m, 0m, 0m, "v1", 0.156m, "2026-12-02", "2026-12-02", Sh.Dec(2, 7)));
        return UsageRules.Validate(cmd, terms ?? Lease, previous, (from, to) => lease.Records.FirstOrDefault(r => r.From < to && from < r.To)?.RecordId,
            carrierFor ?? Carrier);
    }

    [Fact]
    public void Every_rejection_names_its_field()
    {
        Then.Is(Codes.UnknownLease, "lease", UsageRules.Validate(Cmd(), null, null, (_, _) => null, Carrier));
        Then.Is(Codes.NotLeaseProvider, "lease", Validate(Cmd(party: ProvB)));
        Then.Is(Codes.IdReused, "id", Validate(Cmd(), previous: new UsageRecorded("r1", "lease-1", ProvA, Sh.Dec(2, 8), Sh.Dec(2, 9), 1, 0m, 0m, 0m, "v1", 0.156m,
            "2026-12-02", "2026-12-02", Sh.Dec(2, 10))));
        Then.Is(Codes.NegativeValue, "quantities", Validate(Cmd(gb: -0.001m)));
        Then.Is(Codes.EmptyInterval, "to", Validate(Cmd(to: Sh.Dec(2, 2))));
        Then.Is(Codes.OutsideWindow, "from", Validate(Cmd(from: Sh.Dec(2, 19), to: Sh.Dec(2, 21))));
        Then.Is(Codes.ReportedEarly, "to", Validate(Cmd(at: Sh.Dec(2, 3) - Duration.Epsilon)));
        Then.Is(Codes.OverCapacity, "deviceSeconds", Validate(Cmd(ds: 28_801)));
        Then.Is(Codes.GreenAboveEnergy, "greenKwh", Validate(Cmd(green: 10.0001m)));
        Then.Is(Codes.Overlap, "from", Validate(Cmd(from: Sh.Dec(2, 4), to: Sh.Dec(2, 5) + Duration.Epsilon)));
        Then.Is(Codes.NoCarrier, "transferGb", Validate(Cmd(), carrierFor: (_, _) => null));
        Assert.Null(Validate(Cmd()));
    }

    [Fact]
    public void Check_throws_the_rejection_Validate_returns()
    {
        var lease = new LeaseUsage { Terms = Lease };
        var ex = Assert.Throws<RejectedException>(() => UsageRules.Check(Cmd(ds: 28_801), lease, null, Carrier));
        Assert.Equal((Codes.OverCapacity, "deviceSeconds"), (ex.Rejection.Code, ex.Rejection.Field));
        Then.Rejected(Codes.UnknownLease, "lease", () => { UsageRules.Check(Cmd(), null, null, Carrier); return null; });
        UsageRules.Check(Cmd(), lease, null, Carrier);
    }

    [Fact]
    public void Zero_device_seconds_and_zero_quantities_are_a_valid_record()
    {
        Assert.Null(Validate(Cmd(ds: 0, energy: 0m, green: 0m, gb: 0m)));
        // With nothing transferred the carrier is not looked up.
        Assert.Null(Validate(Cmd(gb: 0m), carrierFor: (_, _) => throw new InvalidOperationException("looked up")));
    }

    [Fact]
    public void The_whole_lease_window_is_inside_and_a_tick_beyond_either_end_is_outside()
    {
        Assert.Null(Validate(Cmd(from: Sh.Dec(2, 0), to: Sh.Dec(2, 1))));
        Assert.Null(Validate(Cmd(from: Sh.Dec(2, 19), to: Sh.Dec(2, 20), at: Sh.Dec(2, 20))));
        Then.Is(Codes.OutsideWindow, "from", Validate(Cmd(from: Sh.Dec(2, 0) - Duration.Epsilon, to: Sh.Dec(2, 1))));
        Then.Is(Codes.OutsideWindow, "from", Validate(Cmd(from: Sh.Dec(2, 19), to: Sh.Dec(2, 20) + Duration.Epsilon, at: Sh.Dec(3))));
    }

    [Fact]
    public void A_record_ending_where_another_starts_or_starting_where_it_ends_does_not_overlap()
    {
        Assert.Null(Validate(Cmd(from: Sh.Dec(2, 4), to: Sh.Dec(2, 5))));
        Assert.Null(Validate(Cmd(from: Sh.Dec(2, 6), to: Sh.Dec(2, 7))));
        Then.Is(Codes.Overlap, "from", Validate(Cmd(from: Sh.Dec(2, 6) - Duration.Epsilon, to: Sh.Dec(2, 7))));
        Then.Is(Codes.Overlap, "from", Validate(Cmd(from: Sh.Dec(2, 5, 10), to: Sh.Dec(2, 5, 20), ds: 0)));
    }

    [Fact]
    public void Capacity_counts_the_leases_devices_over_the_interval()
    {
        // 8 devices × 90 minutes = 43,200 device-seconds.
        Assert.Null(Validate(Cmd(from: Sh.Dec(2, 2), to: Sh.Dec(2, 3, 30), ds: 43_200)));
        Then.Is(Codes.OverCapacity, "deviceSeconds", Validate(Cmd(from: Sh.Dec(2, 2), to: Sh.Dec(2, 3, 30), ds: 43_201)));
        Assert.Null(Validate(Cmd(ds: 3_600), Lease with { Devices = 1 }));
        Then.Is(Codes.OverCapacity, "deviceSeconds", Validate(Cmd(ds: 3_601), Lease with { Devices = 1 }));
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(0, 0, -1, 0)]
    [InlineData(0, 0, 0, -1)]
    public void Each_quantity_is_checked_for_a_sign(long ds, int energy, int green, int gb) =>
        Then.Is(Codes.NegativeValue, "quantities", Validate(Cmd(ds: ds, energy: energy, green: green, gb: gb)));

    [Fact]
    public void Repeats_compare_lease_interval_and_quantities()
    {
        var previous = new UsageRecorded("r1", "lease-1", ProvA, Sh.Dec(2, 2), Sh.Dec(2, 3), 28_800, 10m, 5m, 1m, "v1", 0.156m, "2026-12-02", "2026-12-02", Sh.Dec(2, 4));

        Assert.True(UsageRules.IsRepeat(Cmd(energy: 10.000m), previous));
        Assert.False(UsageRules.IsRepeat(Cmd(), null));
        Assert.False(UsageRules.IsRepeat(Cmd() with { LeaseId = "lease-2" }, previous));
        Assert.False(UsageRules.IsRepeat(Cmd(from: Sh.Dec(2, 1)), previous));
        Assert.False(UsageRules.IsRepeat(Cmd(to: Sh.Dec(2, 4)), previous));
        Assert.False(UsageRules.IsRepeat(Cmd(ds: 0), previous));
        Assert.False(UsageRules.IsRepeat(Cmd(gb: 2m), previous));
    }

    [Fact]
    public void A_leases_usage_adds_up_its_records()
    {
        var lease = new LeaseUsage { Terms = Lease };
        lease.Evolve(new UsageRecorded("a", "lease-1", ProvA, Sh.Dec(2, 0), Sh.Dec(2, 1), 100, 1m, 0m, 0m, "v1", 0.156m, "2026-12-02", "2026-12-02", Sh.Dec(2, 2)));
        lease.Evolve(new UsageRecorded("b", "lease-1", ProvA, Sh.Dec(2, 1), Sh.Dec(2, 2), 0, 1m, 0m, 0m, "v1", 0.156m, "2026-12-02", "2026-12-03", Sh.Dec(3, 2)));

        Assert.Equal(100, lease.DeviceSecondsDelivered);
        Assert.Equal([new RecordedInterval("a", Sh.Dec(2, 0), Sh.Dec(2, 1), new UsageQuantities(100, 1m, 0m, 0m)),
            new RecordedInterval("b", Sh.Dec(2, 1), Sh.Dec(2, 2), new UsageQuantities(0, 1m, 0m, 0m))], lease.Records);
    }
}
