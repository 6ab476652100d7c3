using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §7, §8, §10, §11: the close's fee schedule, orderings, memos, late transport and its summary event.</summary>
public class PeriodCloseEdgeTests
{
    private static readonly PeriodCalendar Calendar = PeriodCalendar.DailyShanghai;

    private static SettlementPeriod Day(int day) => Calendar.PeriodOf(Sh.Dec(day, 12));

    private static LeaseTerms Lease(long seq, string buyer = BuyerSh, string provider = ProvA, string commitment = "on-demand") =>
        new($"lease-{seq}", seq, $"b{seq}", buyer, "shanghai", $"o{seq}", provider, "zhongwei", "ningxia", "ai-fp16-80g", "intelligent", "v1", 0.156m, 8,
            Sh.Dec(1), Sh.Dec(9), 58.00m, commitment, 11.5m);

    private static UsageRecorded Record(string id, LeaseTerms lease, int own, int receiving, long ds = 3_600, decimal gb = 0m, string? carrier = Carrier) =>
        new(id, lease.LeaseId, lease.Provider, Sh.Dec(own, 1), Sh.Dec(own, 2), ds, 0m, 0m, gb, "v1", lease.ScuPerDevice, Day(own).Key, Day(receiving).Key,
            Sh.Dec(receiving, 3), gb > 0 ? carrier : null);

    private static Instant At => Day(2).End.Plus(Duration.FromMinutes(5));

    private static CloseResult Close(IReadOnlyList<LeaseTerms> leases, IReadOnlyList<UsageRecorded> records, FeeSchedule? fees = null,
        IReadOnlyList<Party>? parties = null) =>
        PeriodClose.Compute(new CloseInput(Day(2), Calendar, fees ?? FeeSchedule.Default, parties ?? TestParties.All.Values.ToList(),
            leases.Select(l => new LeaseAtClose(l, 0)).ToList(), records, At));

    [Fact]
    public void The_fee_schedule_in_force_is_applied_and_recorded_in_the_close()
    {
        // 905 fen compute at 250 bp = 22.625 → 23; 800 fen transport at 50 bp = 4.
        var lease = Lease(1);
        var result = Close([lease], [Record("r", lease, 2, 2, gb: 100m)], new FeeSchedule(new BasisPoints(250), new BasisPoints(50)));

        Assert.Equal([(905L, 23L), (800L, 4L)], result.Invoices[0].Lines.Select(l => (l.AmountFen, l.FeeFen)));
        Assert.Equal(new PeriodClosed("2026-12-02", Day(2).Start, Day(2).End, 250, 50, 1, 2, 2, 27, At,
            Merkle.RootHex(result.Transactions.Select(Statements.Leaf).ToList()), 2), result.Closed);
        Assert.Equal(FeeSchedule.Default, new FeeSchedule(new BasisPoints(300), new BasisPoints(100)));
        Assert.Equal(990, PeriodClose.SlaThresholdPermille);
        Assert.Equal(new BasisPoints(1000), PeriodClose.SlaCreditShare);
    }

    [Fact]
    public void Memos_name_the_line_kind_late_flag_lease_and_buyer()
    {
        var lease = Lease(1);
        var result = Close([lease], [Record("own", lease, 2, 2, gb: 10m), Record("late", lease, 1, 2, gb: 20m)]);

        Assert.Equal([
            ("2026-12-02/lease-1/compute", "compute line of lease lease-1 for buyer-sh"),
            ("2026-12-02/lease-1/compute-late", "compute (late) line of lease lease-1 for buyer-sh"),
            ("2026-12-02/lease-1/transport", "transport line of lease lease-1 for buyer-sh"),
            ("2026-12-02/lease-1/transport-late", "transport (late) line of lease lease-1 for buyer-sh"),
        ], result.Transactions.Select(t => (t.TxId, t.Memo)));
        Assert.All(result.Transactions, t => Assert.Equal(("2026-12-02", "charge", At), (t.Period, t.Kind, t.At)));
        // Late transport: 20 GB × 0.08 = 160 fen, earned by the carrier, with its own fee.
        Assert.Equal(new InvoiceLine(4, "lease-1", "b1", "o1", "transport", true, 160, 9, 0, null, 160, Carrier, "carrier", 2, 20m, "GB", 0.08m),
            result.Invoices[0].Lines[3]);
        Assert.Equal(new StatementIssued("2026-12-02", Carrier, "carrier", 240, 3, 237, At), result.Statements[1] with { Hash = null, PreviousHash = null });
    }

    [Fact]
    public void Transport_takes_only_records_with_data_and_their_carrier()
    {
        var lease = Lease(1);
        var result = Close([lease], [Record("a", lease, 2, 2, gb: 0m), Record("b", lease, 2, 2, ds: 0, gb: 12.5m)]);

        Assert.Equal([("compute", 905L, 0.156m), ("transport", 100L, 12.5m)], result.Invoices[0].Lines.Select(l => (l.Kind, l.AmountFen, l.Quantity)));
    }

    [Fact]
    public void Transferred_data_without_a_carrier_is_a_broken_invariant()
    {
        var lease = Lease(1);
        Assert.Equal("lease lease-1: transferred GB recorded without a carrier",
            Assert.Throws<InvalidOperationException>(() => Close([lease], [Record("a", lease, 2, 2, gb: 1m, carrier: null)])).Message);
    }

    [Fact]
    public void Statements_list_providers_then_carriers_each_in_registration_order()
    {
        // Registration: prov-a 4, prov-b 5, both 7, carrier-x 8; a party without registration (ordinal unknown) comes last, by id.
        var leases = new[] { Lease(1, provider: "zz-unregistered"), Lease(2, provider: "aa-unregistered"), Lease(3, provider: ProvB), Lease(4, provider: ProvA) };
        var records = leases.Select((l, i) => Record($"r{i}", l, 2, 2, gb: i == 0 ? 10m : 0m)).ToList();

        var result = Close(leases, records);

        Assert.Equal([(ProvA, "provider"), (ProvB, "provider"), ("aa-unregistered", "provider"), ("zz-unregistered", "provider"), (Carrier, "carrier")],
            result.Statements.Select(s => (s.Party, s.Role)));
    }

    [Fact]
    public void Unregistered_buyers_invoice_after_registered_ones_by_id()
    {
        var leases = new[] { Lease(1, buyer: "zz-buyer"), Lease(2, buyer: "aa-buyer"), Lease(3, buyer: BuyerGz), Lease(4, buyer: BuyerSh) };
        var result = Close(leases, leases.Select((l, i) => Record($"r{i}", l, 2, 2)).ToList());

        Assert.Equal([BuyerSh, BuyerGz, "aa-buyer", "zz-buyer"], result.Invoices.Select(i => i.Buyer));
        Assert.All(result.Invoices, i => Assert.Equal((1, 905L, 0L, 905L), (Assert.Single(i.Lines).LineNo, i.AmountFen, i.VoucherFen, i.DueFen)));
    }

    [Fact]
    public void A_reserved_lease_outside_the_period_has_no_compute_line()
    {
        var lease = Lease(1, commitment: "reserved") with { From = Sh.Dec(3), To = Sh.Dec(4) };
        var result = PeriodClose.Compute(new CloseInput(Day(2), Calendar, FeeSchedule.Default, TestParties.All.Values.ToList(),
            [new LeaseAtClose(lease, 0)], [], At));

        Assert.Empty(result.Invoices);
        Assert.Null(PeriodClose.SlaCreditDue(new LeaseAtClose(lease, 0), Calendar, Day(2)));
        // 8 × 24 h × 0.156 × 58.00 = 1737.216 yuan → 173,722 fen; −share(…, 1000 bp) = −17,372.2 → −17,372.
        Assert.Equal(new Fen(-17_372), PeriodClose.SlaCreditDue(new LeaseAtClose(lease, 0), Calendar, Day(3)));
    }

    [Fact]
    public void Reserved_usage_never_makes_a_compute_line_but_its_transport_does()
    {
        var lease = Lease(1, commitment: "reserved") with { From = Sh.Dec(2), To = Sh.Dec(2, 1) };
        var result = PeriodClose.Compute(new CloseInput(Day(2), Calendar, FeeSchedule.Default, TestParties.All.Values.ToList(),
            [new LeaseAtClose(lease, 8 * 3_600)], [Record("a", lease, 2, 2, gb: 10m), Record("b", lease, 1, 2, ds: 5)], At));

        Assert.Equal([("compute", false, 7_238L), ("transport", false, 80L)], result.Invoices[0].Lines.Select(l => (l.Kind, l.Late, l.AmountFen)));
    }

    [Fact]
    public void SLA_credit_threshold_is_99_percent_of_the_whole_window()
    {
        // One device for one hour: 3,600 reserved; 99 % is 3,564.
        var lease = Lease(1, commitment: "reserved") with { Devices = 1, From = Sh.Dec(2, 5), To = Sh.Dec(2, 6) };
        Assert.NotNull(PeriodClose.SlaCreditDue(new LeaseAtClose(lease, 3_563), Calendar, Day(2)));
        Assert.Null(PeriodClose.SlaCreditDue(new LeaseAtClose(lease, 3_564), Calendar, Day(2)));
        Assert.Null(PeriodClose.SlaCreditDue(new LeaseAtClose(lease, 3_600), Calendar, Day(2)));
        // 0.156 × 58 = 9.048 yuan = 905 fen reserved; credit −share(905, 1000 bp) = −90.5 → −91.
        Assert.Equal(new Fen(-91), PeriodClose.SlaCreditDue(new LeaseAtClose(lease, 0), Calendar, Day(2)));
    }
}
