using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Pairings;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §8, §9, §10, §11 and §13 at a close: voucher redemption in line order, lapse, issuer claims, the pairing
/// fee split and the ledger postings, with the statements' hash chains. Given voucher and pairing events, when a period
/// closes, then the lines, voucher events, claims, region shares and postings it issues — and the programme counters
/// once the voucher events are evolved.
/// </summary>
public class RedemptionTests
{
    private const string Iss = "issuer-sh";
    private const string IssNx = "issuer-nx";

    private static readonly IReadOnlyList<Party> Parties =
        [.. TestParties.All.Values, new Party(IssNx, 10, PartyRoles.Issuer, null, false, null), new Party(Iss, 11, PartyRoles.Issuer, null, false, null)];

    private static readonly PeriodCalendar Calendar = PeriodCalendar.DailyShanghai;

    private static SettlementPeriod Day(int day) => Calendar.PeriodOf(Sh.Dec(day, 12));

    private static LeaseTerms Lease(long seq, string buyer = BuyerSh, string commitment = "on-demand", Instant? from = null, Instant? to = null,
        string bidCity = "shanghai", string cluster = "zhongwei", string hub = "ningxia", string family = "intelligent", decimal latencyMs = 11.5m) =>
        new($"lease-{seq}", seq, $"b{seq}", buyer, bidCity, $"o{seq}", ProvA, cluster, hub, "ai-fp16-80g", family, "v1", 0.156m, 8,
            from ?? Sh.Dec(1, 0), to ?? Sh.Dec(9, 0), 58.00m, commitment, latencyMs);

    /// <summary>A record in day <paramref name="own"/> received by day <paramref name="receiving"/>: 3,600 device-seconds rate at 904.8 → 905 fen.</summary>
    private static UsageRecorded Record(string id, LeaseTerms lease, int own, int receiving, long deviceSeconds = 3_600, decimal gb = 0m) =>
        new(id, lease.LeaseId, lease.Provider, Sh.Dec(own, 1), Sh.Dec(own, 2), deviceSeconds, 0m, 0m, gb, "v1", lease.ScuPerDevice, Day(own).Key,
            Day(receiving).Key, Sh.Dec(receiving, 3), gb > 0 ? Carrier : null);

    private static CloseResult Close(int day, IReadOnlyList<LeaseTerms> leases, IReadOnlyList<UsageRecorded> records, VoucherBook? vouchers = null,
        IReadOnlySet<string>? closedBefore = null, PairingBook? pairings = null, IReadOnlyDictionary<string, string>? heads = null) =>
        PeriodClose.Compute(new CloseInput(Day(day), Calendar, FeeSchedule.Default, Parties,
            leases.Select(l => new LeaseAtClose(l, l.Devices * (long)(l.To - l.From).TotalSeconds)).ToList(), records, At(day), vouchers, closedBefore,
            pairings, heads));

    private static Instant At(int day) => Day(day).End.Plus(Duration.FromHours(2));

    private static ProgrammeCreated Programme(string id = "p1", string issuer = Iss, string kind = "compute", int coverageBp = 3000,
        Instant? from = null, Instant? to = null, IReadOnlyList<string>? cities = null, IReadOnlyList<string>? families = null,
        IReadOnlyList<string>? hubs = null) =>
        new(id, issuer, kind, coverageBp, 10_000_000, 100_000_000, from ?? Sh.Dec(1), to ?? Sh.Dec(10), cities, families, hubs, Sh.Dec(1));

    private static VoucherGranted Grant(string id = "g1", string programme = "p1", string buyer = BuyerSh, long face = 100_000) =>
        new(id, programme, buyer, face, Sh.Dec(1));

    private static VoucherBook Vouchers(params object[] events) => VoucherBookTests.Given(events);

    private static PairingAgreed Pairing(int platform = 50, int demand = 25, int supply = 25, Instant? from = null, Instant? to = null) =>
        new("sh-nx", "shanghai-region", ["shanghai"], "ningxia", platform, demand, supply, from, to, Sh.Dec(1));

    // ---- the worked example ------------------------------------------------------------------------------------------

    [Fact]
    public void Worked_example_with_a_voucher_and_a_pairing()
    {
        // §13: 576,000 device-seconds → 144,768 fen; fee 4,343 split 2,171 / 1,086 / 1,086; voucher 30 % = 43,430 of 100,000 left.
        var lease = Lease(1, from: Sh.Dec(2), to: Sh.Dec(2, 20));
        var record = new UsageRecorded("r1", lease.LeaseId, ProvA, Sh.Dec(2, 0), Sh.Dec(2, 20), 576_000, 0m, 0m, 0m, "v1", 0.156m, "2026-12-02", "2026-12-02",
            Sh.Dec(2, 21));
        var book = Vouchers(Programme(), Grant());

        var result = Close(2, [lease], [record], book, pairings: PairingBookTests.Given(Pairing()));

        var invoice = Assert.Single(result.Invoices);
        Assert.Equal((144_768L, 43_430L, 101_338L), (invoice.AmountFen, invoice.VoucherFen, invoice.DueFen));
        Assert.Equal(new InvoiceLine(1, "lease-1", "b1", "o1", "compute", false, 144_768, 8_194, 43_430, "p1", 101_338, ProvA, "provider", 4_343, 24.96m,
            "SCU-hour", 58.00m), Assert.Single(invoice.Lines));

        var tx = Assert.Single(result.Transactions);
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 101_338), new Posting($"issuer:{Iss}", 43_430), new Posting($"provider:{ProvA}", -140_425),
            new Posting("platform:fees", -2_171), new Posting("region:shanghai-region", -1_086), new Posting("region:ningxia", -1_086)], tx.Postings);

        var redeemed = Assert.IsType<VoucherRedeemed>(Assert.Single(result.VoucherEvents));
        Assert.Equal(new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-02", "2026-12-02/lease-1/compute", "lease-1", "compute", false, 43_430, At(2)), redeemed);

        var claim = Assert.Single(result.Claims);
        Assert.Equal(("2026-12-02", Iss, 43_430L, 0L, At(2)), (claim.Period, claim.Issuer, claim.RedeemedFen, claim.LapsedFen, claim.At));
        Assert.Equal(new Dictionary<string, long> { ["p1"] = 43_430 }, claim.Programmes);

        Assert.Equal([("shanghai-region", 1_086L), ("ningxia", 1_086L)], result.Regions.Select(r => (r.Region, r.ShareFen)));
        Assert.All(result.Regions, r => Assert.Equal(("2026-12-02", At(2)), (r.Period, r.At)));
        Assert.Equal(new StatementIssued("2026-12-02", ProvA, "provider", 144_768, 4_343, 140_425, At(2)),
            Assert.Single(result.Statements) with { Hash = null, PreviousHash = null });
        Assert.Equal((1, 1, 1, 2_171L), (result.Closed.Invoices, result.Closed.Lines, result.Closed.Transactions, result.Closed.PlatformFeeFen));

        // Then: evolving the close's voucher events moves the programme's counters.
        foreach (var e in result.VoucherEvents)
        {
            book.Evolve(e);
        }
        var p = book.Programme("p1")!;
        Assert.Equal((100_000L, 43_430L, 0L), (p.CommittedFen, p.RedeemedFen, p.LapsedFen));
        Assert.Equal(56_570, book.Voucher("g1")!.BalanceFen);
    }

    // ---- discount and balance -------------------------------------------------------------------------------------------

    [Fact]
    public void Discount_is_the_covered_share_capped_by_what_is_left_and_the_last_fen_goes_to_the_earliest_line()
    {
        // Two leases of buyer-sh, 905 fen each; 30 % = 271.5 → 272; the voucher has 300 fen.
        var l1 = Lease(1);
        var l2 = Lease(2);
        var result = Close(2, [l2, l1], [Record("a", l1, 2, 2), Record("b", l2, 2, 2)], Vouchers(Programme(), Grant(face: 300)));

        var lines = Assert.Single(result.Invoices).Lines;
        Assert.Equal([("lease-1", 905L, 272L, "p1", 633L), ("lease-2", 905L, 28L, "p1", 877L)],
            lines.Select(l => (l.LeaseId, l.AmountFen, l.VoucherFen, l.Voucher, l.DueFen)));
        Assert.Equal([272L, 28L], result.VoucherEvents.Cast<VoucherRedeemed>().Select(r => r.AmountFen));
        Assert.Equal((1_810L, 300L, 1_510L), (result.Invoices[0].AmountFen, result.Invoices[0].VoucherFen, result.Invoices[0].DueFen));
    }

    [Fact]
    public void An_empty_voucher_covers_nothing_and_the_line_posts_no_issuer_leg()
    {
        var l1 = Lease(1);
        var l2 = Lease(2);
        var result = Close(2, [l1, l2], [Record("a", l1, 2, 2), Record("b", l2, 2, 2)], Vouchers(Programme(), Grant(face: 272)));

        var second = result.Invoices[0].Lines[1];
        Assert.Equal((0L, (string?)null, 905L), (second.VoucherFen, second.Voucher, second.DueFen));
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 905), new Posting($"provider:{ProvA}", -878), new Posting("platform:fees", -27)],
            result.Transactions[1].Postings);
        Assert.Single(result.VoucherEvents);
    }

    [Fact]
    public void Coverage_of_10000_bp_pays_the_whole_line_and_1_bp_a_rounded_share()
    {
        var lease = Lease(1);
        var whole = Close(2, [lease], [Record("a", lease, 2, 2)], Vouchers(Programme(coverageBp: 10_000), Grant()));
        var line = Assert.Single(Assert.Single(whole.Invoices).Lines);
        Assert.Equal((905L, 905L, 0L), (line.AmountFen, line.VoucherFen, line.DueFen));
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 0), new Posting($"issuer:{Iss}", 905), new Posting($"provider:{ProvA}", -878), new Posting("platform:fees", -27)],
            Assert.Single(whole.Transactions).Postings);

        // 1 bp of 144,768 fen is 14.4768 → 14; of 905 fen it is 0.0905 → 0: no redemption at all.
        var big = Lease(2);
        var oneBp = Close(2, [big], [Record("a", big, 2, 2, 576_000)], Vouchers(Programme(coverageBp: 1), Grant()));
        Assert.Equal(14, Assert.Single(Assert.Single(oneBp.Invoices).Lines).VoucherFen);
        var none = Close(2, [lease], [Record("a", lease, 2, 2)], Vouchers(Programme(coverageBp: 1), Grant()));
        Assert.Equal((0L, (string?)null), (none.Invoices[0].Lines[0].VoucherFen, none.Invoices[0].Lines[0].Voucher));
        Assert.Empty(none.VoucherEvents);
        Assert.Empty(none.Claims);
    }

    // ---- which voucher ------------------------------------------------------------------------------------------------

    [Fact]
    public void The_voucher_expiring_first_is_used_then_the_one_granted_first()
    {
        var lease = Lease(1);
        var book = Vouchers(Programme("late", to: Sh.Dec(20)), Programme("early", to: Sh.Dec(5)), Programme("early-too", to: Sh.Dec(5)),
            Grant("g-late", "late"), Grant("g-early-2", "early-too"), Grant("g-early-1", "early"));

        var redeemed = Assert.IsType<VoucherRedeemed>(Assert.Single(Close(2, [lease], [Record("a", lease, 2, 2)], book).VoucherEvents));

        Assert.Equal(("g-early-2", "early-too"), (redeemed.GrantId, redeemed.ProgrammeId));
    }

    [Fact]
    public void At_most_one_voucher_per_line_even_when_it_does_not_cover_the_share()
    {
        var lease = Lease(1);
        var book = Vouchers(Programme("a", to: Sh.Dec(5)), Programme("b"), Grant("g-a", "a", face: 10), Grant("g-b", "b"));

        var line = Assert.Single(Assert.Single(Close(2, [lease], [Record("a", lease, 2, 2)], book).Invoices).Lines);

        Assert.Equal((10L, "a"), (line.VoucherFen, line.Voucher));
    }

    [Fact]
    public void Another_buyers_voucher_and_a_lapsed_voucher_are_not_used()
    {
        var lease = Lease(1);
        var book = Vouchers(Programme(), Grant("gz", buyer: BuyerGz), Grant("sh", face: 500),
            new VoucherLapsed("sh", "p1", BuyerSh, "2026-12-01", 500, Sh.Dec(2)));

        var result = Close(2, [lease], [Record("a", lease, 2, 2)], book);

        Assert.Equal(0, result.Invoices[0].VoucherFen);
        Assert.Empty(result.VoucherEvents);
    }

    // ---- eligibility ----------------------------------------------------------------------------------------------------

    [Fact]
    public void A_compute_programme_covers_compute_lines_late_ones_included_and_never_transport_or_sla_credit()
    {
        var lease = Lease(1);
        var records = new[] { Record("own", lease, 3, 3, gb: 100m), Record("late", lease, 2, 3, gb: 50m) };

        var result = Close(3, [lease], records, Vouchers(Programme(), Grant()));

        var lines = Assert.Single(result.Invoices).Lines;
        Assert.Equal([("compute", false, 272L), ("compute", true, 272L), ("transport", false, 0L), ("transport", true, 0L)],
            lines.Select(l => (l.Kind, l.Late, l.VoucherFen)));
        Assert.Equal([("2026-12-03/lease-1/compute", false), ("2026-12-03/lease-1/compute-late", true)],
            result.VoucherEvents.Cast<VoucherRedeemed>().Select(r => (r.TxId, r.Late)));
    }

    [Fact]
    public void A_transport_programme_covers_transport_lines_only()
    {
        // 100 GB × 0.08 = 800 fen; 50 % = 400. Late transport: 50 GB → 400 fen, 200 covered.
        var lease = Lease(1);
        var records = new[] { Record("own", lease, 3, 3, gb: 100m), Record("late", lease, 2, 3, gb: 50m) };

        var result = Close(3, [lease], records, Vouchers(Programme(kind: "transport", coverageBp: 5000), Grant()));

        Assert.Equal([("compute", 0L), ("compute", 0L), ("transport", 400L), ("transport", 200L)],
            result.Invoices[0].Lines.Select(l => (l.Kind, l.VoucherFen)));
        var tx = result.Transactions.Single(t => t.TxId == "2026-12-03/lease-1/transport");
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 400), new Posting($"issuer:{Iss}", 400), new Posting($"carrier:{Carrier}", -792), new Posting("platform:fees", -8)],
            tx.Postings);
        Assert.Equal(["transport", "transport"], result.VoucherEvents.Cast<VoucherRedeemed>().Select(r => r.LineKind));
    }

    [Fact]
    public void No_voucher_pays_an_SLA_credit()
    {
        // A reserved lease of 8 h across 12-01/12-02 delivered nothing: the credit is issued on 12-02 and gets no voucher.
        var lease = Lease(1, commitment: "reserved", from: Sh.Dec(1, 20), to: Sh.Dec(2, 4));
        var result = PeriodClose.Compute(new CloseInput(Day(2), Calendar, FeeSchedule.Default, Parties, [new LeaseAtClose(lease, 0)], [], At(2),
            Vouchers(Programme(coverageBp: 10_000), Grant())));

        var lines = Assert.Single(result.Invoices).Lines;
        Assert.Equal([("compute", 28_954L, 28_954L), ("sla-credit", -5_791L, 0L)], lines.Select(l => (l.Kind, l.AmountFen, l.VoucherFen)));
        Assert.Single(result.VoucherEvents);
    }

    [Fact]
    public void Cities_are_the_buyers_registered_city_not_the_bids()
    {
        // buyer-sh is registered in Shanghai; this lease's bid named Beijing.
        var lease = Lease(1, bidCity: "beijing");
        Assert.Equal(272, Close(2, [lease], [Record("a", lease, 2, 2)], Vouchers(Programme(cities: ["shanghai"]), Grant())).Invoices[0].VoucherFen);
        Assert.Equal(0, Close(2, [lease], [Record("a", lease, 2, 2)], Vouchers(Programme(cities: ["beijing"]), Grant())).Invoices[0].VoucherFen);
    }

    [Fact]
    public void A_buyer_without_a_registered_city_is_outside_any_city_list()
    {
        var parties = Parties.Select(p => p.Id == BuyerSh ? p with { City = null } : p).ToList();
        var lease = Lease(1);
        var input = new CloseInput(Day(2), Calendar, FeeSchedule.Default, parties, [new LeaseAtClose(lease, 0)], [Record("a", lease, 2, 2)], At(2),
            Vouchers(Programme(cities: ["shanghai"]), Grant()));

        Assert.Equal(0, PeriodClose.Compute(input).Invoices[0].VoucherFen);
        Assert.Equal(272, PeriodClose.Compute(input with { Vouchers = Vouchers(Programme(), Grant()) }).Invoices[0].VoucherFen);
    }

    [Fact]
    public void Families_and_supply_hubs_are_the_leases()
    {
        var lease = Lease(1, family: "general", cluster: "guian", hub: "guizhou");
        long Covered(IReadOnlyList<string>? families, IReadOnlyList<string>? hubs) =>
            Close(2, [lease], [Record("a", lease, 2, 2)], Vouchers(Programme(families: families, hubs: hubs), Grant())).Invoices[0].VoucherFen;

        Assert.Equal(272, Covered(["general", "super"], ["guizhou"]));
        Assert.Equal(0, Covered(["intelligent"], null));
        Assert.Equal(0, Covered(null, ["ningxia"]));
        Assert.Equal(272, Covered(null, null));
    }

    [Fact]
    public void The_period_receiving_the_line_must_start_inside_the_validity()
    {
        var lease = Lease(1);
        long Covered(int day, Instant from, Instant to) =>
            Close(day, [lease], [Record("a", lease, day, day)], Vouchers(Programme(from: from, to: to), Grant())).Invoices[0].VoucherFen;

        Assert.Equal(272, Covered(2, Sh.Dec(2), Sh.Dec(3)));                         // starts exactly at validFrom
        Assert.Equal(0, Covered(3, Sh.Dec(2), Sh.Dec(3)));                           // starts exactly at validTo
        Assert.Equal(0, Covered(2, Sh.Dec(2, 0, 0, 1), Sh.Dec(4)));                   // started a second before the validity
        Assert.Equal(272, Covered(3, Sh.Dec(2, 0, 0, 1), Sh.Dec(4)));
        // A late line is covered by the receiving period, not by its own.
        var late = Close(3, [lease], [Record("late", lease, 1, 3)], Vouchers(Programme(from: Sh.Dec(3), to: Sh.Dec(4)), Grant()));
        Assert.Equal((true, 272L), (late.Invoices[0].Lines[0].Late, late.Invoices[0].Lines[0].VoucherFen));
    }

    // ---- lapse ----------------------------------------------------------------------------------------------------------

    [Fact]
    public void A_voucher_lapses_when_every_period_starting_inside_its_validity_is_closed()
    {
        // Validity [12-01, 12-03): periods 12-01 and 12-02. Closing 12-02 after 12-01 lapses what is left after this close's redemption.
        var lease = Lease(1);
        var book = Vouchers(Programme(to: Sh.Dec(3)), Grant(face: 1_000), Grant("g-gz", buyer: BuyerGz, face: 700));

        var result = Close(2, [lease], [Record("a", lease, 2, 2)], book, closedBefore: new HashSet<string> { "2026-12-01" });

        Assert.Equal([
            new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-02", "2026-12-02/lease-1/compute", "lease-1", "compute", false, 272, At(2)),
            new VoucherLapsed("g1", "p1", BuyerSh, "2026-12-02", 728, At(2)),
            new VoucherLapsed("g-gz", "p1", BuyerGz, "2026-12-02", 700, At(2)),
        ], result.VoucherEvents);
        var claim = Assert.Single(result.Claims);
        Assert.Equal((272L, 1_428L), (claim.RedeemedFen, claim.LapsedFen));
        Assert.Equal(new Dictionary<string, long> { ["p1"] = 272 }, claim.Programmes);

        foreach (var e in result.VoucherEvents)
        {
            book.Evolve(e);
        }
        var p = book.Programme("p1")!;
        Assert.Equal((272L, 272L, 1_428L, 100_000_000L - 272), (p.CommittedFen, p.RedeemedFen, p.LapsedFen, p.RemainingBudgetFen));
        Assert.Equal([(0L, true), (0L, true)], new[] { "g1", "g-gz" }.Select(g => (book.Voucher(g)!.BalanceFen, book.Voucher(g)!.Lapsed)));
    }

    [Fact]
    public void No_lapse_while_a_covered_period_is_open_and_periods_close_in_any_order()
    {
        var book = Vouchers(Programme(to: Sh.Dec(3)), Grant(face: 1_000));

        Assert.Empty(Close(2, [], [], book).VoucherEvents);
        Assert.Empty(Close(1, [], [], book).VoucherEvents);
        Assert.Empty(Close(2, [], [], book, closedBefore: new HashSet<string> { "2026-11-30", "2026-12-03" }).VoucherEvents);
        // 12-01 closed last: the voucher lapses then, with no line at all in the period.
        var result = Close(1, [], [], book, closedBefore: new HashSet<string> { "2026-12-02" });
        Assert.Equal([new VoucherLapsed("g1", "p1", BuyerSh, "2026-12-01", 1_000, At(1))], result.VoucherEvents);
        var claim = Assert.Single(result.Claims);
        Assert.Equal(("2026-12-01", Iss, 0L, 1_000L), (claim.Period, claim.Issuer, claim.RedeemedFen, claim.LapsedFen));
        Assert.Empty(claim.Programmes);
        Assert.Empty(result.Invoices);
    }

    [Fact]
    public void A_spent_or_already_lapsed_voucher_does_not_lapse_again()
    {
        var spent = Vouchers(Programme(to: Sh.Dec(2)), Grant(face: 100),
            new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-01", "t", "lease-1", "compute", false, 100, Sh.Dec(2, 1)));
        Assert.Empty(Close(1, [], [], spent).VoucherEvents);
        Assert.Empty(Close(1, [], [], spent).Claims);

        var lapsed = Vouchers(Programme(to: Sh.Dec(2)), Grant(face: 100), new VoucherLapsed("g1", "p1", BuyerSh, "2026-12-01", 100, Sh.Dec(2, 1)));
        Assert.Empty(Close(1, [], [], lapsed).VoucherEvents);
    }

    // ---- claims ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void One_claim_per_issuer_in_registration_order_summing_its_programmes()
    {
        // buyer-sh has vouchers of both issuers; issuer-nx (ordinal 10) is registered before issuer-sh (11).
        var l1 = Lease(1);
        var l2 = Lease(2);
        var l3 = Lease(3);
        var book = Vouchers(Programme("sh-a", to: Sh.Dec(4)), Programme("sh-b", to: Sh.Dec(5)), Programme("nx", IssNx, to: Sh.Dec(6)),
            Grant("a", "sh-a", face: 272), Grant("b", "sh-b", face: 272), Grant("n", "nx"));

        var result = Close(2, [l1, l2, l3], [Record("1", l1, 2, 2), Record("2", l2, 2, 2), Record("3", l3, 2, 2)], book);

        Assert.Equal(["sh-a", "sh-b", "nx"], result.Invoices[0].Lines.Select(l => l.Voucher));
        Assert.Equal([IssNx, Iss], result.Claims.Select(c => c.Issuer));
        Assert.Equal((272L, 0L), (result.Claims[0].RedeemedFen, result.Claims[0].LapsedFen));
        Assert.Equal(new Dictionary<string, long> { ["nx"] = 272 }, result.Claims[0].Programmes);
        Assert.Equal((544L, 0L), (result.Claims[1].RedeemedFen, result.Claims[1].LapsedFen));
        Assert.Equal(new Dictionary<string, long> { ["sh-a"] = 272, ["sh-b"] = 272 }, result.Claims[1].Programmes);
        var issuerDebits = result.Transactions.SelectMany(t => t.Postings).Where(p => p.Account.StartsWith("issuer:", StringComparison.Ordinal))
            .GroupBy(p => p.Account).ToDictionary(g => g.Key, g => g.Sum(p => p.AmountFen));
        Assert.Equal(new Dictionary<string, long> { [$"issuer:{Iss}"] = 544, [$"issuer:{IssNx}"] = 272 }, issuerDebits);
    }

    [Fact]
    public void Claims_of_issuers_missing_from_the_party_list_come_last_by_id_and_a_buyer_missing_from_it_has_no_city()
    {
        // The close's party list lacks buyer-sh and both issuers: vouchers without a city list still pay, claims sort by id.
        var parties = TestParties.All.Values.Where(p => p.Id != BuyerSh).ToList();
        var l1 = Lease(1);
        var l2 = Lease(2);
        var book = Vouchers(Programme("z", "zz-issuer", to: Sh.Dec(4)), Programme("a", "aa-issuer", to: Sh.Dec(5)), Programme("c", cities: ["shanghai"]),
            Grant("gz", "z", face: 272), Grant("ga", "a"), Grant("gc", "c"));
        var result = PeriodClose.Compute(new CloseInput(Day(2), Calendar, FeeSchedule.Default, parties,
            [new LeaseAtClose(l1, 0), new LeaseAtClose(l2, 0)], [Record("1", l1, 2, 2), Record("2", l2, 2, 2)], At(2), book));

        Assert.Equal(["z", "a"], result.Invoices[0].Lines.Select(l => l.Voucher));
        Assert.Equal(["aa-issuer", "zz-issuer"], result.Claims.Select(c => c.Issuer));
    }

    [Fact]
    public void Without_a_voucher_book_nothing_is_redeemed_or_claimed()
    {
        var lease = Lease(1);
        var result = Close(2, [lease], [Record("a", lease, 2, 2)]);

        Assert.Equal(0, result.Invoices[0].VoucherFen);
        Assert.Empty(result.VoucherEvents);
        Assert.Empty(result.Claims);
    }

    // ---- pairing fee split ------------------------------------------------------------------------------------------------

    [Fact]
    public void Without_a_pairing_the_platform_keeps_the_whole_fee()
    {
        var lease = Lease(1);
        var result = Close(2, [lease], [Record("a", lease, 2, 2, 576_000)], pairings: PairingBookTests.Given(Pairing() with { DemandCities = ["hangzhou"] }));

        Assert.Equal([new Posting($"buyer:{BuyerSh}", 144_768), new Posting($"provider:{ProvA}", -140_425), new Posting("platform:fees", -4_343)],
            Assert.Single(result.Transactions).Postings);
        Assert.Empty(result.Regions);
        Assert.Equal(4_343, result.Closed.PlatformFeeFen);
    }

    [Fact]
    public void The_pairing_follows_the_bid_city_and_the_leases_hub_and_the_period_start()
    {
        var shanghaiBid = Lease(1);
        var beijingBid = Lease(2, bidCity: "beijing");
        var otherHub = Lease(3, cluster: "guian", hub: "guizhou");
        var pairings = PairingBookTests.Given(Pairing(from: Sh.Dec(2), to: Sh.Dec(3)));
        var records = new[] { Record("1", shanghaiBid, 2, 2), Record("2", beijingBid, 2, 2), Record("3", otherHub, 2, 2) };

        var result = Close(2, [shanghaiBid, beijingBid, otherHub], records, pairings: pairings);

        // 905 fen → fee 27 (27.15): 50/25/25 of 27 = 13.5 / 6.75 / 6.75 → 13 + 7 + 7 (leftover fen to the largest remainders).
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 905), new Posting($"provider:{ProvA}", -878), new Posting("platform:fees", -13),
            new Posting("region:shanghai-region", -7), new Posting("region:ningxia", -7)], result.Transactions[0].Postings);
        Assert.Equal("platform:fees", Assert.Single(result.Transactions[1].Postings, p => p.AmountFen < 0 && !p.Account.StartsWith("provider:", StringComparison.Ordinal)).Account);
        Assert.Equal(3, result.Transactions[2].Postings.Count);
        Assert.Equal(13 + 27 + 27, result.Closed.PlatformFeeFen);
        Assert.Equal([("shanghai-region", 7L), ("ningxia", 7L)], result.Regions.Select(r => (r.Region, r.ShareFen)));

        // The next period starts at the agreement's validTo: no split.
        var next = Close(3, [shanghaiBid], [Record("1", shanghaiBid, 3, 3)], pairings: pairings);
        Assert.Equal(3, Assert.Single(next.Transactions).Postings.Count);
        Assert.Empty(next.Regions);
    }

    [Fact]
    public void A_zero_share_posts_no_leg_and_issues_no_region_statement_and_transport_is_never_split()
    {
        var lease = Lease(1);
        var result = Close(2, [lease], [Record("a", lease, 2, 2, 576_000, gb: 100m)], pairings: PairingBookTests.Given(Pairing(platform: 1, demand: 0, supply: 1)));

        // 4,343 split 1:0:1 → 2,171.5 / 0 / 2,171.5 → 2,172 to the platform (first listed wins the tie), 2,171 to 宁夏.
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 144_768), new Posting($"provider:{ProvA}", -140_425), new Posting("platform:fees", -2_172),
            new Posting("region:ningxia", -2_171)], result.Transactions[0].Postings);
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 800), new Posting($"carrier:{Carrier}", -792), new Posting("platform:fees", -8)], result.Transactions[1].Postings);
        Assert.Equal([("ningxia", 2_171L)], result.Regions.Select(r => (r.Region, r.ShareFen)));
        Assert.Equal(2_172 + 8, result.Closed.PlatformFeeFen);
        // The carrier's and provider's statements carry the whole fee of their lines.
        Assert.Equal([(ProvA, "provider", 144_768L, 4_343L, 140_425L), (Carrier, "carrier", 800L, 8L, 792L)],
            result.Statements.Select(s => (s.Party, s.Role, s.GrossFen, s.FeeFen, s.NetFen)));
    }

    [Fact]
    public void Region_shares_add_up_over_the_lines_of_the_period()
    {
        var l1 = Lease(1);
        var l2 = Lease(2, buyer: BuyerGz, bidCity: "shanghai");
        var result = Close(2, [l1, l2], [Record("a", l1, 2, 2), Record("b", l2, 2, 2)], pairings: PairingBookTests.Given(Pairing()));

        Assert.Equal([("shanghai-region", 14L), ("ningxia", 14L)], result.Regions.Select(r => (r.Region, r.ShareFen)));
        Assert.Equal(26, result.Closed.PlatformFeeFen);
    }

    // ---- hash chains -------------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_statement_is_chained_to_the_previous_one_of_its_party_and_kind()
    {
        var lease = Lease(1);
        var heads = new Dictionary<string, string>
        {
            [$"invoice/{BuyerSh}"] = new('a', 64), [$"provider/{ProvA}"] = new('b', 64), [$"issuer/{Iss}"] = new('c', 64), ["region/ningxia"] = new('d', 64),
        };
        var result = Close(2, [lease], [Record("a", lease, 2, 2)], Vouchers(Programme(), Grant()), pairings: PairingBookTests.Given(Pairing()), heads: heads);

        var invoice = Assert.Single(result.Invoices);
        Assert.Equal(new string('a', 64), invoice.PreviousHash);
        Assert.Equal(Canonical.Sha256(Statements.Body(invoice, invoice.PreviousHash!)), invoice.Hash);
        var statement = Assert.Single(result.Statements);
        Assert.Equal(new string('b', 64), statement.PreviousHash);
        Assert.Equal(Canonical.Sha256(Statements.Body(statement, statement.PreviousHash!)), statement.Hash);
        var claim = Assert.Single(result.Claims);
        Assert.Equal(new string('c', 64), claim.PreviousHash);
        Assert.Equal(Canonical.Sha256(Statements.Body(claim, claim.PreviousHash!)), claim.Hash);
        Assert.Equal([Statements.Genesis, new string('d', 64)], result.Regions.Select(r => r.PreviousHash));
        Assert.All(result.Regions, r => Assert.Equal(Canonical.Sha256(Statements.Body(r, r.PreviousHash!)), r.Hash));
        Assert.Equal(Merkle.RootHex(result.Transactions.Select(Statements.Leaf).ToList()), result.Closed.MerkleRoot);
        Assert.Equal(1, result.Closed.TreeSize);
    }

    [Fact]
    public void Two_statements_of_one_chain_in_a_close_link_to_each_other()
    {
        // Two leases of two buyers with the same provider: one provider statement, two invoices on separate chains.
        var l1 = Lease(1);
        var l2 = Lease(2, buyer: BuyerGz);
        var result = Close(2, [l1, l2], [Record("a", l1, 2, 2), Record("b", l2, 2, 2)]);

        Assert.Equal([Statements.Genesis, Statements.Genesis], result.Invoices.Select(i => i.PreviousHash));
        Assert.NotEqual(result.Invoices[0].Hash, result.Invoices[1].Hash);
        Assert.Equal(Statements.Genesis, Assert.Single(result.Statements).PreviousHash);
    }
}
