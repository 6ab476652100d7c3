using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §6: the usage checks, each code in its order, and repeats by value.</summary>
public class UsageRulesTests
{
    /// <summary>The §13 lease: 8 devices of 0.156 SCU in 中卫 for a Shanghai buyer, 2026-12-02 00:00–20:00.</summary>
    private static readonly LeaseTerms Lease = new("lease-000001", 1, "b1", BuyerSh, "shanghai", "o1", ProvA, "zhongwei", "ningxia", "ai-fp16-80g",
        "intelligent", "v1", 0.156m, 8, Sh.Dec(2, 0), Sh.Dec(2, 20), 58.00m, "on-demand", 11.5m);

    /// <summary>Everything a check needs: the command, the lease as metering sees it, the earlier record with the id, the carrier lookup.</summary>
    private sealed record Case(RecordUsage Cmd, LeaseUsage? Lease, UsageRecorded? Previous, Func<string, string, string?> CarrierFor)
    {
        public void Check() => UsageRules.Check(Cmd, Lease, Previous, CarrierFor);
    }

    private static string? CarrierServesShanghaiZhongwei(string city, string cluster) => (city, cluster) == ("shanghai", "zhongwei") ? Carrier : null;

    /// <summary>A valid record: 02:00–03:00 of the lease, 8 devices for the hour, reported at 04:00, with data transferred.</summary>
    private static Case Valid()
    {
        var lease = new LeaseUsage { Terms = Lease };
        lease.Evolve(Recorded("r0", Sh.Dec(2, 0), Sh.Dec(2, 1), new UsageQuantities(28_800, 10m, 5m, 0m)));
        return new Case(new RecordUsage(ProvA, "r1", Lease.LeaseId, Sh.Dec(2, 2), Sh.Dec(2, 3), new UsageQuantities(28_800, 10.0m, 5.0m, 1.5m), Sh.Dec(2, 4)),
            lease, null, CarrierServesShanghaiZhongwei);
    }

    private static UsageRecorded Recorded(string id, Instant from, Instant to, UsageQuantities q, string leaseId = "lease-000001") =>
        new(id, leaseId, ProvA, from, to, q.DeviceSeconds, q.EnergyKwh, q.GreenKwh, q.TransferGb, "v1", 0.156m, "2026-12-02", "2026-12-02", to);

    /// <summary>The codes in the order market-rules §6 checks them, each with a change that fails that check alone.</summary>
    private static readonly (string Code, Func<Case, Case> Break)[] Checks =
    [
        (Codes.UnknownLease, c => c with { Lease = null }),
        (Codes.NotLeaseProvider, c => c with { Cmd = c.Cmd with { Party = ProvB } }),
        (Codes.IdReused, c => c with { Previous = Recorded(c.Cmd.RecordId, Sh.Dec(2, 5), Sh.Dec(2, 6), new UsageQuantities(1, 0m, 0m, 0m)) }),
        (Codes.NegativeValue, c => c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { DeviceSeconds = -1 } } }),
        (Codes.EmptyInterval, c => c with { Cmd = c.Cmd with { To = c.Cmd.From } }),
        (Codes.OutsideWindow, c => c with { Cmd = c.Cmd with { From = Sh.Dec(1, 23), To = Sh.Dec(2, 1) } }),
        (Codes.ReportedEarly, c => c with { Cmd = c.Cmd with { At = Sh.Dec(2, 0) } }),
        (Codes.OverCapacity, c => c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { DeviceSeconds = 10_000_000 } } }),
        (Codes.GreenAboveEnergy, c => c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { GreenKwh = 10.01m } } }),
        (Codes.Overlap, c =>
        {
            var lease = new LeaseUsage { Terms = Lease };
            lease.Evolve(Recorded("r-late-morning", Sh.Dec(2, 2, 30), Sh.Dec(2, 3, 30), new UsageQuantities(100, 1m, 0m, 0m)));
            return c with { Lease = c.Lease is null ? null : lease };
        }),
        (Codes.NoCarrier, c => c with { CarrierFor = (_, _) => null }),
    ];

    public static readonly TheoryData<int> CheckIndexes = new(Enumerable.Range(0, Checks.Length));

    [Fact]
    public void A_valid_record_passes_every_check() => Valid().Check();

    [Fact]
    public void The_checks_are_the_eleven_codes_of_market_rules_in_order() =>
        Assert.Equal(
            ["unknown-lease", "not-lease-provider", "id-reused", "negative-value", "empty-interval", "outside-window", "reported-early",
             "over-capacity", "green-above-energy", "overlap", "no-carrier"],
            Checks.Select(c => c.Code));

    [Theory]
    [MemberData(nameof(CheckIndexes))]
    public void Each_check_alone_rejects_with_its_code(int index)
    {
        var (code, breakIt) = Checks[index];
        var ex = Assert.Throws<RejectedException>(breakIt(Valid()).Check);
        Assert.Equal(code, ex.Rejection.Code);
    }

    [Theory]
    [MemberData(nameof(CheckIndexes))]
    public void A_record_failing_this_check_and_every_later_one_gets_this_code(int index)
    {
        var c = Valid();
        for (var i = Checks.Length - 1; i >= index; i--)
        {
            c = Checks[i].Break(c);
        }
        var ex = Assert.Throws<RejectedException>(c.Check);
        Assert.Equal(Checks[index].Code, ex.Rejection.Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(9)]
    public void A_record_failing_two_checks_gets_the_first_code(int first)
    {
        // The two checks broken one after the other, the later one first so that the earlier one's change wins.
        var c = Checks[first].Break(Checks[first + 1].Break(Valid()));
        Assert.Equal(Checks[first].Code, Assert.Throws<RejectedException>(c.Check).Rejection.Code);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, -0.001, 0, 0)]
    [InlineData(0, 0, -0.001, 0)]
    [InlineData(0, 0, 0, -0.001)]
    public void Any_negative_quantity_is_negative_value(long deviceSeconds, double energy, double green, double gb)
    {
        var c = Valid();
        c = c with { Cmd = c.Cmd with { Quantities = new UsageQuantities(deviceSeconds, (decimal)energy, (decimal)green, (decimal)gb) } };
        Assert.Equal(Codes.NegativeValue, Assert.Throws<RejectedException>(c.Check).Rejection.Code);
    }

    [Fact]
    public void An_interval_ending_before_it_starts_is_empty_interval()
    {
        var c = Valid();
        c = c with { Cmd = c.Cmd with { From = Sh.Dec(2, 3), To = Sh.Dec(2, 2) } };
        Assert.Equal(Codes.EmptyInterval, Assert.Throws<RejectedException>(c.Check).Rejection.Code);
    }

    [Fact]
    public void An_interval_running_past_the_lease_end_is_outside_window_and_the_whole_window_is_inside()
    {
        var c = Valid();
        var pastEnd = c with { Cmd = c.Cmd with { From = Sh.Dec(2, 19), To = Sh.Dec(2, 21), At = Sh.Dec(2, 22) } };
        Assert.Equal(Codes.OutsideWindow, Assert.Throws<RejectedException>(pastEnd.Check).Rejection.Code);

        var wholeWindow = new Case(new RecordUsage(ProvA, "r1", Lease.LeaseId, Lease.From, Lease.To, new UsageQuantities(576_000, 0m, 0m, 0m), Lease.To),
            new LeaseUsage { Terms = Lease }, null, CarrierServesShanghaiZhongwei);
        wholeWindow.Check();
    }

    [Fact]
    public void Reporting_exactly_at_the_interval_end_is_not_early()
    {
        var c = Valid();
        (c with { Cmd = c.Cmd with { At = c.Cmd.To } }).Check();
        var early = c with { Cmd = c.Cmd with { At = c.Cmd.To.Minus(Duration.FromSeconds(1)) } };
        Assert.Equal(Codes.ReportedEarly, Assert.Throws<RejectedException>(early.Check).Rejection.Code);
    }

    [Fact]
    public void Capacity_is_devices_times_interval_seconds_inclusive()
    {
        var c = Valid();
        (c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { DeviceSeconds = 8 * 3600 } } }).Check();
        var over = c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { DeviceSeconds = 8 * 3600 + 1 } } };
        Assert.Equal(Codes.OverCapacity, Assert.Throws<RejectedException>(over.Check).Rejection.Code);
    }

    [Fact]
    public void Green_equal_to_energy_is_allowed()
    {
        var c = Valid();
        (c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { GreenKwh = 10m } } }).Check();
    }

    [Fact]
    public void Adjacent_intervals_do_not_overlap_and_half_open_ends_are_respected()
    {
        var c = Valid();
        c = c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { DeviceSeconds = 100 } } };
        // r0 covers 00:00–01:00; 01:00–02:00 touches it only.
        (c with { Cmd = c.Cmd with { From = Sh.Dec(2, 1), To = Sh.Dec(2, 2) } }).Check();
        var overlapping = c with { Cmd = c.Cmd with { From = Sh.Dec(2, 0, 59), To = Sh.Dec(2, 2) } };
        Assert.Equal(Codes.Overlap, Assert.Throws<RejectedException>(overlapping.Check).Rejection.Code);
        var inside = c with { Cmd = c.Cmd with { From = Sh.Dec(2, 0, 10), To = Sh.Dec(2, 0, 20) } };
        Assert.Equal(Codes.Overlap, Assert.Throws<RejectedException>(inside.Check).Rejection.Code);
    }

    [Fact]
    public void No_carrier_matters_only_when_data_was_transferred()
    {
        var c = Valid() with { CarrierFor = (_, _) => null };
        (c with { Cmd = c.Cmd with { Quantities = c.Cmd.Quantities with { TransferGb = 0m } } }).Check();
        Assert.Equal(Codes.NoCarrier, Assert.Throws<RejectedException>(c.Check).Rejection.Code);
    }

    [Fact]
    public void No_carrier_looks_up_the_leases_buyer_city_and_cluster()
    {
        var asked = new List<(string, string)>();
        var c = Valid() with { CarrierFor = (city, cluster) => { asked.Add((city, cluster)); return Carrier; } };
        c.Check();
        Assert.Equal([("shanghai", "zhongwei")], asked);
    }

    [Fact]
    public void Repeat_is_compared_by_value_on_lease_interval_and_the_four_quantities()
    {
        var cmd = Valid().Cmd;
        var previous = Recorded(cmd.RecordId, cmd.From, cmd.To, new UsageQuantities(28_800, 10.00m, 5m, 1.50m));

        Assert.True(UsageRules.IsRepeat(cmd, previous));    // 10.0 = 10.00, 1.5 = 1.50
        Assert.False(UsageRules.IsRepeat(cmd, null));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { DeviceSeconds = 28_799 }));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { EnergyKwh = 10.01m }));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { GreenKwh = 5.01m }));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { TransferGb = 1.51m }));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { To = cmd.To.Plus(Duration.FromHours(1)) }));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { From = cmd.From.Minus(Duration.FromHours(1)) }));
        Assert.False(UsageRules.IsRepeat(cmd, previous with { LeaseId = "lease-000002" }));
    }

    [Fact]
    public void Evolve_keeps_the_delivered_device_seconds()
    {
        var lease = new LeaseUsage { Terms = Lease };
        lease.Evolve(Recorded("r0", Sh.Dec(2, 0), Sh.Dec(2, 1), new UsageQuantities(28_800, 0m, 0m, 0m)));
        lease.Evolve(Recorded("r1", Sh.Dec(2, 1), Sh.Dec(2, 2), new UsageQuantities(20_000, 0m, 0m, 0m)));
        Assert.Equal(48_800, lease.DeviceSecondsDelivered);
        Assert.Equal(["r0", "r1"], lease.Records.Select(r => r.RecordId));
    }

    [Fact]
    public void A_record_received_after_its_own_period_is_late()
    {
        var r = Recorded("r1", Sh.Dec(2, 0), Sh.Dec(2, 1), new UsageQuantities(1, 0m, 0m, 0m));
        Assert.False(r.Late);
        Assert.True((r with { ReceivingPeriod = "2026-12-03" }).Late);
    }
}
