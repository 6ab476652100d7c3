using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Settlement;
using CsCheck;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §7, §8, §10 and §13 (without vouchers or pairing): the close of one period as a pure function.</summary>
public class PeriodCloseTests
{
    private static SettlementPeriod Day(int day) => PeriodCalendar.DailyShanghai.PeriodOf(Sh.Dec(day, 12));

    private static LeaseTerms Lease(long tradeSeq, string buyer, string commitment = "on-demand", Instant? from = null, Instant? to = null,
        int devices = 8, decimal price = 58.00m, decimal scu = 0.156m, string provider = ProvA, string resourceClass = "ai-fp16-80g") =>
        new($"lease-{tradeSeq:D6}", tradeSeq, $"b{tradeSeq}", buyer, TestParties.Find(buyer)!.City!, $"o{tradeSeq}", provider, "zhongwei", "ningxia",
            resourceClass, "intelligent", "v1", scu, devices, from ?? Sh.Dec(2, 0), to ?? Sh.Dec(2, 20), price, commitment, 11.5m);

    private static UsageRecorded Record(string id, LeaseTerms lease, Instant from, Instant to, long deviceSeconds, int receivingDay,
        decimal transferGb = 0m, string? carrier = null) =>
        new(id, lease.LeaseId, lease.Provider, from, to, deviceSeconds, 0m, 0m, transferGb, lease.MeteringStandard, lease.ScuPerDevice,
            PeriodCalendar.DailyShanghai.PeriodOf(from).Key, Day(receivingDay).Key, to, carrier);

    /// <summary>Every device-second reserved was delivered: no SLA credit unless a test says otherwise.</summary>
    private static LeaseAtClose FullyDelivered(LeaseTerms lease) => new(lease, lease.Devices * (long)(lease.To - lease.From).TotalSeconds);

    private static CloseResult Close(int day, IReadOnlyList<LeaseTerms> leases, IReadOnlyList<UsageRecorded> records) =>
        Close(day, leases.Select(FullyDelivered).ToList(), records);

    private static CloseResult Close(int day, IReadOnlyList<LeaseAtClose> leases, IReadOnlyList<UsageRecorded> records) =>
        PeriodClose.Compute(new CloseInput(Day(day), PeriodCalendar.DailyShanghai, FeeSchedule.Default, TestParties.All.Values.ToList(), leases, records,
            Day(day).End.Plus(Duration.FromHours(1))));

    /// <summary>Everything a close issues, as text, to compare two closes whole.</summary>
    private static string Flatten(CloseResult r) => string.Join("\n",
        new[] { r.Closed.ToString() }
            .Concat(r.Invoices.SelectMany(i => new[] { $"{i.Period} {i.Buyer} {i.AmountFen} {i.VoucherFen} {i.DueFen} {i.At}" }.Concat(i.Lines.Select(l => l.ToString()))))
            .Concat(r.Statements.Select(s => s.ToString()))
            .Concat(r.Transactions.SelectMany(t => new[] { $"{t.TxId} {t.Period} {t.Kind} {t.Memo} {t.At}" }.Concat(t.Postings.Select(p => p.ToString())))));

    [Fact]
    public void Worked_example_without_vouchers_or_pairing()
    {
        // §13: 8 devices × 20 h = 576,000 device-seconds on 2026-12-02, reported as two records.
        var lease = Lease(1, BuyerSh);
        var records = new[]
        {
            Record("r1", lease, Sh.Dec(2, 0), Sh.Dec(2, 10), 288_000, 2),
            Record("r2", lease, Sh.Dec(2, 10), Sh.Dec(2, 20), 288_000, 2),
        };

        var result = Close(2, [lease], records);

        var invoice = Assert.Single(result.Invoices);
        Assert.Equal(("2026-12-02", BuyerSh, 144_768L, 0L, 144_768L), (invoice.Period, invoice.Buyer, invoice.AmountFen, invoice.VoucherFen, invoice.DueFen));
        Assert.Equal(new InvoiceLine(1, "lease-000001", "b1", "o1", "compute", false, 144_768, 8_194, 0, null, 144_768, ProvA, "provider", 4_343, 24.96m, "SCU-hour", 58.00m),
            Assert.Single(invoice.Lines));

        var statement = Assert.Single(result.Statements);
        Assert.Equal(new StatementIssued("2026-12-02", ProvA, "provider", 144_768, 4_343, 140_425, result.Closed.At), statement with { Hash = null, PreviousHash = null });
        Assert.Equal((new string('0', 64), 64), (statement.PreviousHash, statement.Hash!.Length));

        var tx = Assert.Single(result.Transactions);
        Assert.Equal(("2026-12-02/lease-000001/compute", "2026-12-02", "charge"), (tx.TxId, tx.Period, tx.Kind));
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 144_768), new Posting($"provider:{ProvA}", -140_425), new Posting("platform:fees", -4_343)], tx.Postings);
        Assert.Equal(0, tx.Sum);

        // One transaction: the RFC 6962 root of a one-leaf tree is SHA-256(0x00 ‖ leaf).
        var leafRoot = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([0x00, .. Audit.Statements.Leaf(tx)]));
        Assert.Equal(new PeriodClosed("2026-12-02", Day(2).Start, Day(2).End, 300, 100, 1, 1, 1, 4_343, result.Closed.At, leafRoot, 1), result.Closed);
    }

    [Fact]
    public void On_demand_line_divides_once_over_all_records_of_the_lease()
    {
        // One device, two half-hour records: 452.4 fen each if rated per record (904), 904.8 → 905 rated once.
        var lease = Lease(1, BuyerSh, devices: 1);
        var records = new[]
        {
            Record("r1", lease, Sh.Dec(2, 0), Sh.Dec(2, 0, 30), 1_800, 2),
            Record("r2", lease, Sh.Dec(2, 0, 30), Sh.Dec(2, 1), 1_800, 2),
        };

        var line = Assert.Single(Assert.Single(Close(2, [lease], records).Invoices).Lines);

        Assert.Equal(905, line.AmountFen);
        Assert.Equal(0.156m, line.Quantity);
    }

    [Fact]
    public void Reserved_lease_is_billed_by_its_hours_inside_each_period_across_midnight()
    {
        // 2026-12-01 20:00 to 2026-12-02 04:00 Shanghai: 4 h in each day. 8 × 4 h × 0.156 × 58.00 = 289.536 yuan.
        var lease = Lease(1, BuyerSh, "reserved", Sh.Dec(1, 20), Sh.Dec(2, 4));

        Assert.Equal(8 * 4 * 3600, PeriodClose.ReservedDeviceSecondsInside(lease, Day(1)));
        Assert.Equal(8 * 4 * 3600, PeriodClose.ReservedDeviceSecondsInside(lease, Day(2)));
        Assert.Equal(0, PeriodClose.ReservedDeviceSecondsInside(lease, Day(3)));

        var first = Assert.Single(Assert.Single(Close(1, [lease], []).Invoices).Lines);
        var second = Assert.Single(Assert.Single(Close(2, [lease], []).Invoices).Lines);
        Assert.Equal((28_954L, 4.992m, false), (first.AmountFen, first.Quantity, first.Late));
        Assert.Equal((28_954L, 4.992m, false), (second.AmountFen, second.Quantity, second.Late));
        Assert.Equal(Share(28_954, 300), first.FeeFen);
        Assert.Empty(Close(3, [lease], []).Invoices);
    }

    private static long Share(long amount, int bp) => Money.Exact.Share(new Money.Fen(amount), new Money.BasisPoints(bp)).Value;

    [Fact]
    public void Reserved_lease_is_billed_whatever_the_usage()
    {
        var lease = Lease(1, BuyerSh, "reserved");
        var none = Close(2, [lease], []);
        var some = Close(2, [lease], [Record("r1", lease, Sh.Dec(2, 0), Sh.Dec(2, 1), 100, 2), Record("r2", lease, Sh.Dec(2, 1), Sh.Dec(2, 2), 28_800, 3)]);

        // 8 devices × 20 h, as the §13 amount, even with almost no delivery and with a late record.
        Assert.Equal(144_768, Assert.Single(Assert.Single(none.Invoices).Lines).AmountFen);
        Assert.Equal(Flatten(none), Flatten(some));
    }

    [Fact]
    public void Zero_amount_lines_are_not_issued()
    {
        // 10 device-seconds of a 0.000064-SCU vCPU at 1.00 yuan: 0.0000178 fen → 0.
        var tiny = Lease(1, BuyerSh, devices: 1, price: 1.00m, scu: 0.000064m, resourceClass: "cpu-fp32-vcpu");
        var unused = Lease(2, BuyerSh);
        var result = Close(2, [tiny, unused], [Record("r1", tiny, Sh.Dec(2, 0), Sh.Dec(2, 1), 10, 2), Record("r2", unused, Sh.Dec(2, 0), Sh.Dec(2, 1), 0, 2)]);

        Assert.Empty(result.Invoices);
        Assert.Empty(result.Statements);
        Assert.Empty(result.Transactions);
        Assert.Equal((0, 0, 0, 0L), (result.Closed.Invoices, result.Closed.Lines, result.Closed.Transactions, result.Closed.PlatformFeeFen));
    }

    [Fact]
    public void A_zero_line_next_to_a_real_one_leaves_no_gap_in_line_numbers()
    {
        var tiny = Lease(1, BuyerSh, devices: 1, price: 1.00m, scu: 0.000064m, resourceClass: "cpu-fp32-vcpu");
        var real = Lease(2, BuyerSh);
        var result = Close(2, [tiny, real], [Record("r1", tiny, Sh.Dec(2, 0), Sh.Dec(2, 1), 10, 2), Record("r2", real, Sh.Dec(2, 0), Sh.Dec(2, 1), 28_800, 2)]);

        var line = Assert.Single(Assert.Single(result.Invoices).Lines);
        Assert.Equal((1, "lease-000002"), (line.LineNo, line.LeaseId));
    }

    [Fact]
    public void Lines_are_ordered_by_buyer_registration_then_trade_order()
    {
        // Registration order: buyer-sh (1), buyer-bj (2), buyer-gz (3) — not the alphabetical order of their ids.
        var gz = Lease(1, BuyerGz);
        var shLater = Lease(5, BuyerSh, provider: ProvB);
        var sh = Lease(2, BuyerSh);
        var bj = Lease(3, BuyerBj);
        var leases = new[] { gz, shLater, sh, bj };
        var records = leases.Select((l, i) => Record($"r{i}", l, Sh.Dec(2, 0), Sh.Dec(2, 1), 3_600, 2)).ToArray();

        var result = Close(2, leases, records);

        Assert.Equal([BuyerSh, BuyerBj, BuyerGz], result.Invoices.Select(i => i.Buyer));
        Assert.Equal([(1, "lease-000002"), (2, "lease-000005")], result.Invoices[0].Lines.Select(l => (l.LineNo, l.LeaseId)));
        Assert.Equal(["lease-000002", "lease-000005", "lease-000003", "lease-000001"],
            result.Transactions.Select(t => t.TxId.Split('/')[1]));
        // Statements: providers in registration order, each summing its lines.
        Assert.Equal([(ProvA, 3 * 905L), (ProvB, 905L)], result.Statements.Select(s => (s.Party, s.GrossFen)));
    }

    [Fact]
    public void Late_records_make_a_separate_line_marked_late_after_the_regular_one()
    {
        var lease = Lease(1, BuyerSh, from: Sh.Dec(1, 0), to: Sh.Dec(4, 0));
        var records = new[]
        {
            Record("late-1", lease, Sh.Dec(1, 5), Sh.Dec(1, 6), 3_600, 3),   // own period 12-01, closed before it arrived
            Record("own", lease, Sh.Dec(3, 0), Sh.Dec(3, 1), 3_600, 3),
            Record("late-2", lease, Sh.Dec(2, 5), Sh.Dec(2, 6), 7_200, 3),   // own period 12-02
        };

        var result = Close(3, [lease], records);

        var lines = Assert.Single(result.Invoices).Lines;
        // Regular: 3,600 ds → 904.8 → 905. Late: 3,600 + 7,200 ds from two earlier periods rated once → 2714.4 → 2714.
        Assert.Equal([(1, false, 905L), (2, true, 2_714L)], lines.Select(l => (l.LineNo, l.Late, l.AmountFen)));
        Assert.Equal(["2026-12-03/lease-000001/compute", "2026-12-03/lease-000001/compute-late"], result.Transactions.Select(t => t.TxId));
        Assert.Equal([Share(905, 300), Share(2_714, 300)], lines.Select(l => l.FeeFen));
    }

    [Fact]
    public void Every_transaction_balances_and_statements_are_gross_minus_fee()
    {
        var leases = new[] { Lease(1, BuyerSh), Lease(2, BuyerBj, provider: ProvB), Lease(3, BuyerGz, "reserved"), Lease(4, BuyerSh, provider: ProvB) };
        var records = leases.Select((l, i) => Record($"r{i}", l, Sh.Dec(2, 0), Sh.Dec(2, 1), 1_000 + 7_777L * i, 2)).ToArray();

        var result = Close(2, leases, records);

        Assert.All(result.Transactions, t => Assert.Equal(0, t.Sum));
        Assert.All(result.Statements, s => Assert.Equal(s.GrossFen - s.FeeFen, s.NetFen));
        Assert.All(result.Invoices, i => Assert.Equal(i.Lines.Sum(l => l.AmountFen), i.AmountFen));
        Assert.Equal(result.Invoices.Sum(i => i.AmountFen), result.Statements.Sum(s => s.GrossFen));
        Assert.Equal(result.Statements.Sum(s => s.FeeFen), result.Closed.PlatformFeeFen);
        Assert.Equal(result.Transactions.SelectMany(t => t.Postings).Where(p => p.Account == "platform:fees").Sum(p => -p.AmountFen), result.Closed.PlatformFeeFen);
    }

    [Fact]
    public void Same_input_gives_the_same_output()
    {
        var leases = new[] { Lease(1, BuyerSh), Lease(2, BuyerBj, provider: ProvB), Lease(3, BuyerGz, "reserved", Sh.Dec(1, 20), Sh.Dec(2, 4)) };
        var records = leases.Select((l, i) => Record($"r{i}", l, Sh.Dec(2, 0), Sh.Dec(2, 1), 3_600 * (i + 1), 2)).ToArray();

        Assert.Equal(Flatten(Close(2, leases, records)), Flatten(Close(2, leases, records)));
    }

    [Fact]
    public void The_order_facts_arrive_in_does_not_change_the_close()
    {
        var leases = new[]
        {
            Lease(1, BuyerSh), Lease(2, BuyerBj, provider: ProvB), Lease(3, BuyerGz, "reserved", Sh.Dec(1, 20), Sh.Dec(2, 4)),
            Lease(4, BuyerSh, provider: ProvC), Lease(5, BuyerBj), Lease(6, BuyerSh, devices: 1, price: 1.00m, scu: 0.000064m, resourceClass: "cpu-fp32-vcpu"),
        };
        var records = leases.SelectMany((l, i) => new[]
        {
            Record($"r{i}a", l, Sh.Dec(2, 0), Sh.Dec(2, 1), 1_111 * (i + 1), 2),
            Record($"r{i}b", l, Sh.Dec(1, 3), Sh.Dec(1, 4), 777 * (i + 1), 2),
        }).ToArray();
        var expected = Flatten(Close(2, leases, records));

        Gen.Select(Gen.Int.Array[leases.Length], Gen.Int.Array[records.Length]).Sample((leaseKeys, recordKeys) =>
        {
            var shuffledLeases = leases.Zip(leaseKeys).OrderBy(x => x.Second).Select(x => x.First).ToList();
            var shuffledRecords = records.Zip(recordKeys).OrderBy(x => x.Second).Select(x => x.First).ToList();
            Assert.Equal(expected, Flatten(Close(2, shuffledLeases, shuffledRecords)));
        }, iter: 200);
    }

    [Fact]
    public void SLA_credit_is_issued_in_the_period_of_the_last_hour_when_delivery_is_below_99_percent()
    {
        // 8 devices × 8 h reserved = 230,400 device-seconds; 99 % is 228,096. Lines: 28,954 fen in each of two days.
        var lease = Lease(1, BuyerSh, "reserved", Sh.Dec(1, 20), Sh.Dec(2, 4));
        var shortDelivery = new LeaseAtClose(lease, 228_095);

        Assert.Single(Assert.Single(Close(1, [shortDelivery], []).Invoices).Lines);         // not the period of the last hour

        var result = Close(2, [shortDelivery], []);
        var lines = Assert.Single(result.Invoices).Lines;
        // −share(28,954 + 28,954, 1000 bp) = −5790.8 → −5791; tax shown negative; no fee.
        Assert.Equal(new InvoiceLine(2, "lease-000001", "b1", "o1", "sla-credit", false, -5_791, -328, 0, null, -5_791, ProvA, "provider", 0, 0m, "", 0m), lines[1]);
        Assert.Equal(28_954 - 5_791, result.Invoices[0].AmountFen);
        var credit = result.Transactions.Single(t => t.TxId == "2026-12-02/lease-000001/sla-credit");
        Assert.Equal([new Posting($"buyer:{BuyerSh}", -5_791), new Posting($"provider:{ProvA}", 5_791)], credit.Postings);
        Assert.Equal(new StatementIssued("2026-12-02", ProvA, "provider", 28_954 - 5_791, 869, 28_954 - 5_791 - 869, result.Closed.At),
            Assert.Single(result.Statements) with { Hash = null, PreviousHash = null });
    }

    [Fact]
    public void No_SLA_credit_at_exactly_99_percent()
    {
        var lease = Lease(1, BuyerSh, "reserved", Sh.Dec(1, 20), Sh.Dec(2, 4));
        var line = Assert.Single(Assert.Single(Close(2, [new LeaseAtClose(lease, 228_096)], []).Invoices).Lines);
        Assert.Equal("compute", line.Kind);
    }

    [Fact]
    public void A_lease_ending_at_midnight_has_its_last_hour_in_the_day_before()
    {
        var lease = Lease(1, BuyerSh, "reserved", Sh.Dec(1, 20), Sh.Dec(2, 0));
        var undelivered = new LeaseAtClose(lease, 0);

        Assert.Equal(["compute", "sla-credit"], Assert.Single(Close(1, [undelivered], []).Invoices).Lines.Select(l => l.Kind));
        Assert.Empty(Close(2, [undelivered], []).Invoices);
    }

    [Theory]
    [InlineData("0.4", "0.02")]
    [InlineData("1.0", "0.02")]
    [InlineData("1.1", "0.05")]
    [InlineData("5.0", "0.05")]
    [InlineData("5.1", "0.08")]
    [InlineData("20.0", "0.08")]
    public void Transport_tariff_follows_the_actual_latency_tier(string ms, string tariff)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(decimal.Parse(tariff, culture), Rating.TransportTariff(decimal.Parse(ms, culture)));
    }

    [Fact]
    public void Transport_line_follows_the_compute_line_and_is_earned_by_the_carrier()
    {
        // Shanghai–中卫 is cross-hub: 123.45 GB × 0.08 = 9.876 yuan → 988 fen; fee 100 bp = 9.88 → 10.
        var lease = Lease(1, BuyerSh);
        var records = new[]
        {
            Record("r1", lease, Sh.Dec(2, 0), Sh.Dec(2, 1), 3_600, 2, 100.00m, Carrier),
            Record("r2", lease, Sh.Dec(2, 1), Sh.Dec(2, 2), 3_600, 2, 23.45m, Carrier),
        };

        var result = Close(2, [lease], records);

        var lines = Assert.Single(result.Invoices).Lines;
        Assert.Equal(["compute", "transport"], lines.Select(l => l.Kind));
        Assert.Equal(new InvoiceLine(2, "lease-000001", "b1", "o1", "transport", false, 988, 56, 0, null, 988, Carrier, "carrier", 10, 123.45m, "GB", 0.08m), lines[1]);
        var tx = result.Transactions.Single(t => t.TxId == "2026-12-02/lease-000001/transport");
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 988), new Posting($"carrier:{Carrier}", -978), new Posting("platform:fees", -10)], tx.Postings);
        Assert.Equal([(ProvA, "provider"), (Carrier, "carrier")], result.Statements.Select(s => (s.Party, s.Role)));
    }
}
