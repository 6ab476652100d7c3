using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §9 and §12 (grants): the voucher book as a decider. Given programme and voucher events, when a command,
/// then the events it decides (or the rejection, code and field), and the programme's counters after evolving them.
/// </summary>
public class VoucherBookTests
{
    public const string Issuer = "issuer-sh";
    public const string OtherIssuer = "issuer-nx";
    public const string SmeNoCity = "sme-nocity";

    private static readonly Dictionary<string, Party> Known = new[]
    {
        TestParties.All[BuyerSh], TestParties.All[BuyerBj], TestParties.All[BuyerGz], TestParties.All[ProvA],
        new Party(Issuer, 20, PartyRoles.Issuer, "shanghai", false, null),
        new Party(OtherIssuer, 21, PartyRoles.Issuer, null, false, null),
        new Party(SmeNoCity, 22, PartyRoles.Buyer, null, true, null),
    }.ToDictionary(p => p.Id);

    private static Party? Parties(string id) => Known.GetValueOrDefault(id);

    private static readonly PeriodCalendar Calendar = PeriodCalendar.DailyShanghai;

    /// <summary>Valid from 2026-12-01 00:00 to 2026-12-04 00:00 Shanghai: the periods of 12-01, 12-02 and 12-03 start inside.</summary>
    public static readonly Instant From = Sh.Dec(1);
    public static readonly Instant To = Sh.Dec(4);
    public static readonly Instant Now = Sh.Dec(1, 9);

    public static CreateProgramme Create(string id = "p1", string issuer = Issuer, string kind = "compute", int coverageBp = 3000, long capFen = 100_000,
        long budgetFen = 1_000_000, Instant? from = null, Instant? to = null, IReadOnlyList<string>? cities = null, IReadOnlyList<string>? families = null,
        IReadOnlyList<string>? hubs = null) =>
        new(issuer, id, kind, coverageBp, capFen, budgetFen, from ?? From, to ?? To, cities, families, hubs, Now);

    public static ProgrammeCreated Created(string id = "p1", string issuer = Issuer, string kind = "compute", int coverageBp = 3000, long capFen = 100_000,
        long budgetFen = 1_000_000, Instant? from = null, Instant? to = null, IReadOnlyList<string>? cities = null, IReadOnlyList<string>? families = null,
        IReadOnlyList<string>? hubs = null) =>
        new(id, issuer, kind, coverageBp, capFen, budgetFen, from ?? From, to ?? To, cities, families, hubs, Now);

    public static GrantVoucher Grant(string id = "g1", string programme = "p1", string buyer = BuyerSh, long faceFen = 10_000, string? issuer = Issuer,
        Instant? at = null) => new(issuer, id, programme, buyer, faceFen, at ?? Now);

    public static VoucherGranted Granted(string id = "g1", string programme = "p1", string buyer = BuyerSh, long faceFen = 10_000, Instant? at = null) =>
        new(id, programme, buyer, faceFen, at ?? Now);

    public static VoucherBook Given(params object[] events)
    {
        var book = new VoucherBook();
        foreach (var e in events)
        {
            book.Evolve(e);
        }
        return book;
    }

    private static IReadOnlyList<object> When(VoucherBook book, CreateProgramme cmd) => book.Decide(cmd, Parties, TestCatalogue.Default, Calendar);

    private static IReadOnlyList<object> When(VoucherBook book, GrantVoucher cmd) => book.Decide(cmd, Parties);

    // ---- creating a programme -------------------------------------------------------------------------------------------

    [Fact]
    public void A_programme_is_created_with_every_term_as_given()
    {
        string[] cities = ["shanghai", "hangzhou"], families = ["intelligent"], hubs = ["ningxia", "guizhou"];
        var decided = When(Given(), Create(kind: "transport", coverageBp: 5000, capFen: 7, budgetFen: 9, cities: cities, families: families, hubs: hubs));

        var created = Assert.IsType<ProgrammeCreated>(Assert.Single(decided));
        Assert.Equal(("p1", Issuer, "transport", 5000, 7L, 9L, From, To, Now), (created.ProgrammeId, created.Issuer, created.Kind, created.CoverageBp,
            created.CapFen, created.BudgetFen, created.ValidFrom, created.ValidTo, created.At));
        Assert.Equal(cities, created.BuyerCities);
        Assert.Equal(families, created.Families);
        Assert.Equal(hubs, created.SupplyHubs);
    }

    [Fact]
    public void A_new_programme_starts_with_nothing_committed_redeemed_or_lapsed()
    {
        var programme = Given(Created(budgetFen: 5_000)).Programme("p1")!;

        Assert.Equal((false, 0L, 0L, 0L, 5_000L), (programme.ClosedEarly, programme.CommittedFen, programme.RedeemedFen, programme.LapsedFen, programme.RemainingBudgetFen));
        Assert.Empty(programme.GrantedPerBuyer);
        Assert.Equal(Created(budgetFen: 5_000), programme.Terms);
    }

    [Fact]
    public void Creating_a_programme_checks_the_issuer_first()
    {
        Then.Rejected(Codes.UnknownParty, "party", () => When(Given(), Create(issuer: "nobody", kind: "bogus")));
        Then.Rejected(Codes.WrongRole, "party", () => When(Given(), Create(issuer: BuyerSh, kind: "bogus")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_programme_without_an_id_is_invalid(string? id) =>
        Then.Rejected(Codes.Invalid, "id", () => Given().Decide(Create() with { ProgrammeId = id }, Parties, TestCatalogue.Default, Calendar));

    [Fact]
    public void A_programme_id_is_at_most_64_characters()
    {
        Assert.Single(When(Given(), Create(id: new string('p', 64))));
        Then.Rejected(Codes.Invalid, "id", () => When(Given(), Create(id: new string('p', 65))));
    }

    [Fact]
    public void Repeating_a_programme_with_the_same_terms_changes_nothing_whatever_the_order_of_its_lists()
    {
        var book = Given(Created(cities: ["shanghai", "hangzhou"], families: ["intelligent", "general"], hubs: ["ningxia", "gansu"]));

        Assert.Empty(When(book, Create(cities: ["hangzhou", "shanghai"], families: ["general", "intelligent"], hubs: ["gansu", "ningxia"])));
        Assert.Empty(When(Given(Created()), Create()));
    }

    public static TheoryData<string, CreateProgramme> OtherTerms => new()
    {
        { "issuer", Create(issuer: OtherIssuer) },
        { "kind", Create(kind: "transport") },
        { "coverage", Create(coverageBp: 3001) },
        { "cap", Create(capFen: 100_001) },
        { "budget", Create(budgetFen: 1_000_001) },
        { "validFrom", Create(from: Sh.Dec(1, 1)) },
        { "validTo", Create(to: Sh.Dec(5)) },
        { "cities", Create(cities: ["shanghai"]) },
        { "families", Create(families: ["intelligent"]) },
        { "hubs", Create(hubs: ["ningxia"]) },
        { "kind invalid", Create(kind: "bogus") },
    };

    [Theory]
    [MemberData(nameof(OtherTerms))]
    public void Repeating_a_programme_id_with_other_terms_is_id_reused(string what, CreateProgramme cmd)
    {
        _ = what;
        Then.Rejected(Codes.IdReused, "id", () => When(Given(Created()), cmd));
    }

    [Fact]
    public void Lists_that_differ_in_content_or_presence_are_other_terms()
    {
        var book = Given(Created(cities: ["shanghai"], families: ["general"], hubs: ["ningxia"]));

        Then.Rejected(Codes.IdReused, "id", () => When(book, Create(cities: null, families: ["general"], hubs: ["ningxia"])));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Create(cities: ["shanghai", "hangzhou"], families: ["general"], hubs: ["ningxia"])));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Create(cities: ["beijing"], families: ["general"], hubs: ["ningxia"])));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Create(cities: ["shanghai"], families: ["super"], hubs: ["ningxia"])));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Create(cities: ["shanghai"], families: ["general"], hubs: ["gansu"])));
        Assert.Empty(When(book, Create(cities: ["shanghai"], families: ["general"], hubs: ["ningxia"])));
    }

    [Theory]
    [InlineData("Compute")]
    [InlineData("sla-credit")]
    [InlineData("")]
    public void A_programme_kind_is_compute_or_transport(string kind) =>
        Then.Rejected(Codes.Invalid, "kind", () => When(Given(), Create(kind: kind)));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Coverage_outside_1_to_10000_bp_is_invalid(int bp) =>
        Then.Rejected(Codes.Invalid, "coverageBp", () => When(Given(), Create(coverageBp: bp)));

    [Theory]
    [InlineData(1)]
    [InlineData(10_000)]
    public void Coverage_of_1_and_of_10000_bp_is_accepted(int bp) =>
        Assert.Equal(bp, Assert.IsType<ProgrammeCreated>(Assert.Single(When(Given(), Create(coverageBp: bp)))).CoverageBp);

    [Theory]
    [InlineData(0, 1, "capFen")]
    [InlineData(-5, 1, "capFen")]
    [InlineData(0, 0, "capFen")]
    [InlineData(1, 0, "budgetFen")]
    [InlineData(1, -1, "budgetFen")]
    public void Cap_and_budget_are_above_zero(long cap, long budget, string field) =>
        Then.Rejected(Codes.Invalid, field, () => When(Given(), Create(capFen: cap, budgetFen: budget)));

    [Fact]
    public void A_cap_and_budget_of_one_fen_are_accepted() => Assert.Single(When(Given(), Create(capFen: 1, budgetFen: 1)));

    [Fact]
    public void The_validity_must_end_after_it_starts()
    {
        Then.Rejected(Codes.Invalid, "validTo", () => When(Given(), Create(from: Sh.Dec(2), to: Sh.Dec(2))));
        Then.Rejected(Codes.Invalid, "validTo", () => When(Given(), Create(from: Sh.Dec(3), to: Sh.Dec(2))));
    }

    [Fact]
    public void A_validity_holding_no_period_start_is_invalid()
    {
        // 01:00 to the next midnight: the next period starts exactly at validTo, which the half-open validity excludes.
        Then.Rejected(Codes.Invalid, "validFrom", () => When(Given(), Create(from: Sh.Dec(1, 1), to: Sh.Dec(2))));
        Then.Rejected(Codes.Invalid, "validFrom", () => When(Given(), Create(from: Sh.Dec(1, 1), to: Sh.Dec(1, 23))));
        // One second that holds a period start is enough; so is a validity from 01:00 that reaches one second past midnight.
        Assert.Single(When(Given(), Create(from: Sh.Dec(2), to: Sh.Dec(2, 0, 0, 1))));
        Assert.Single(When(Given(), Create(from: Sh.Dec(1, 1), to: Sh.Dec(2, 0, 0, 1))));
    }

    [Fact]
    public void Eligibility_lists_name_known_cities_families_and_hubs()
    {
        Then.Rejected(Codes.Invalid, "buyerCities", () => When(Given(), Create(cities: ["shanghai", "atlantis"])));
        Then.Rejected(Codes.Invalid, "families", () => When(Given(), Create(families: ["intelligent", "quantum"])));
        Then.Rejected(Codes.Invalid, "supplyHubs", () => When(Given(), Create(hubs: ["ningxia", "zhongwei"])));
        Assert.Single(When(Given(), Create(cities: ["shanghai", "beijing"], families: ["general", "intelligent", "super"], hubs: ["ningxia", "gba"])));
        Assert.Single(When(Given(), Create(cities: [], families: [], hubs: [])));
    }

    // ---- closing a programme early --------------------------------------------------------------------------------------

    [Fact]
    public void An_issuer_closes_its_programme_early_once()
    {
        var book = Given(Created());
        var close = new ProgrammeClosed("p1", Sh.Dec(2, 9));

        Assert.Equal([close], book.Decide(close, Issuer));
        book.Evolve(close);
        Assert.True(book.Programme("p1")!.ClosedEarly);
        Assert.Empty(book.Decide(close, Issuer));
    }

    [Fact]
    public void Only_the_programmes_issuer_closes_it_and_only_a_known_programme()
    {
        Then.Rejected(Codes.Invalid, "programme", () => Given(Created()).Decide(new ProgrammeClosed("p1", Now), OtherIssuer));
        Then.Rejected(Codes.Invalid, "programme", () => Given(Created()).Decide(new ProgrammeClosed("p2", Now), Issuer));
    }

    [Fact]
    public void A_programme_closed_early_grants_nothing_more_but_its_vouchers_stay()
    {
        var book = Given(Created(), Granted(), new ProgrammeClosed("p1", Now));

        Assert.Equal("the programme was closed early", Then.Rejected(Codes.NotEligible, "programme", () => When(book, Grant("g2"))).Reason);
        Assert.Equal((10_000L, false), (book.Voucher("g1")!.BalanceFen, book.Voucher("g1")!.Lapsed));
        Assert.Equal(10_000, book.Programme("p1")!.CommittedFen);
    }

    // ---- grants -------------------------------------------------------------------------------------------------------

    [Fact]
    public void A_grant_gives_the_buyer_a_voucher_of_its_face_value()
    {
        var book = Given(Created());
        var decided = When(book, Grant(faceFen: 12_345));

        Assert.Equal([Granted(faceFen: 12_345)], decided);
    }

    [Fact]
    public void A_grant_commits_the_budget_and_counts_toward_the_buyers_cap()
    {
        var book = Given(Created(capFen: 50_000, budgetFen: 80_000), Granted("g1", faceFen: 10_000), Granted("g2", buyer: BuyerGz, faceFen: 5_000),
            Granted("g3", faceFen: 20_000));

        var p = book.Programme("p1")!;
        Assert.Equal((35_000L, 45_000L, 0L, 0L), (p.CommittedFen, p.RemainingBudgetFen, p.RedeemedFen, p.LapsedFen));
        Assert.Equal(30_000, p.GrantedPerBuyer[BuyerSh]);
        Assert.Equal(5_000, p.GrantedPerBuyer[BuyerGz]);
        Assert.Equal([(1L, 10_000L), (2L, 5_000L), (3L, 20_000L)], new[] { "g1", "g2", "g3" }.Select(g => (book.Voucher(g)!.GrantOrder, book.Voucher(g)!.BalanceFen)));
        Assert.Equal(Granted("g2", buyer: BuyerGz, faceFen: 5_000), book.Voucher("g2")!.Grant);
        Assert.Equal(3, book.Vouchers.Count);
        Assert.Single(book.Programmes);
    }

    [Fact]
    public void Grant_checks_party_then_role()
    {
        Then.Rejected(Codes.UnknownParty, "buyer", () => When(Given(), Grant(buyer: "nobody")));
        Then.Rejected(Codes.WrongRole, "buyer", () => When(Given(), Grant(buyer: ProvA)));
        Then.Rejected(Codes.WrongRole, "buyer", () => When(Given(), Grant(buyer: Issuer)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void A_grant_without_an_id_is_invalid(string? id) =>
        Then.Rejected(Codes.Invalid, "id", () => When(Given(Created()), Grant() with { GrantId = id }));

    [Fact]
    public void A_grant_id_is_at_most_64_characters()
    {
        Assert.Single(When(Given(Created()), Grant(id: new string('g', 64))));
        Then.Rejected(Codes.Invalid, "id", () => When(Given(Created()), Grant(id: new string('g', 65))));
    }

    [Fact]
    public void Repeating_a_grant_changes_nothing_and_other_content_is_id_reused()
    {
        var book = Given(Created(), Created("p2"), Granted());

        Assert.Empty(When(book, Grant()));
        // A repeat is answered before the later checks: even after the cap is used up, the same grant is a no-op.
        Assert.Empty(When(Given(Created(capFen: 10_000), Granted()), Grant()));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Grant(programme: "p2")));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Grant(buyer: BuyerGz)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Grant(faceFen: 10_001)));
    }

    [Fact]
    public void A_grant_names_a_known_programme_of_its_issuer()
    {
        Then.Rejected(Codes.Invalid, "programme", () => When(Given(Created()), Grant(programme: "p9")));
        Then.Rejected(Codes.Invalid, "programme", () => When(Given(Created()), Grant(issuer: OtherIssuer)));
        // Without a named issuer (the operator's scenario path) any programme is taken.
        Assert.Single(When(Given(Created()), Grant(issuer: null)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_face_value_of_zero_or_less_is_invalid_before_the_eligibility_checks(long face) =>
        Then.Rejected(Codes.Invalid, "faceFen", () => When(Given(Created()), Grant(buyer: BuyerBj, faceFen: face)));

    [Fact]
    public void A_face_value_of_one_fen_is_granted() => Assert.Equal([Granted(faceFen: 1)], When(Given(Created()), Grant(faceFen: 1)));

    [Fact]
    public void Only_SMEs_receive_vouchers()
    {
        var r = Then.Rejected(Codes.NotSme, "buyer", () => When(Given(Created(cities: ["hangzhou"]), Created("p0", budgetFen: 1)), Grant(buyer: BuyerBj, faceFen: 999_999_999)));
        Assert.Contains(BuyerBj, r.Reason);
    }

    [Fact]
    public void A_buyer_registered_outside_the_programmes_cities_is_not_eligible()
    {
        Then.Rejected(Codes.NotEligible, "buyer", () => When(Given(Created(cities: ["beijing", "hangzhou"])), Grant()));
        Then.Rejected(Codes.NotEligible, "buyer", () => When(Given(Created(cities: ["beijing"])), Grant(buyer: SmeNoCity)));
        Assert.Single(When(Given(Created(cities: ["beijing", "shanghai"])), Grant()));
        // Without a city list any registered city (or none) is eligible.
        Assert.Single(When(Given(Created()), Grant(buyer: SmeNoCity)));
    }

    [Fact]
    public void A_grant_arriving_at_or_after_validTo_is_not_eligible_one_tick_before_is_granted()
    {
        Assert.Equal("the programme's validity has ended", Then.Rejected(Codes.NotEligible, "programme", () => When(Given(Created()), Grant(at: To))).Reason);
        Then.Rejected(Codes.NotEligible, "programme", () => When(Given(Created()), Grant(at: To.Plus(Duration.FromDays(1)))));
        Assert.Equal([Granted(at: To - Duration.Epsilon)], When(Given(Created()), Grant(at: To - Duration.Epsilon)));
        // Before the validity starts a grant is fine (it can only be redeemed in periods starting inside the validity).
        Assert.Single(When(Given(Created()), Grant(at: From - Duration.FromDays(3))));
    }

    [Fact]
    public void The_cap_is_cumulative_per_enterprise_and_programme()
    {
        var book = Given(Created(capFen: 30_000), Created("p2", capFen: 30_000), Granted("g1", faceFen: 20_000));

        Assert.Equal([Granted("g2", faceFen: 10_000)], When(book, Grant("g2", faceFen: 10_000)));
        var r = Then.Rejected(Codes.OverCap, "faceFen", () => When(book, Grant("g2", faceFen: 10_001)));
        Assert.Contains("10000", r.Reason);
        // Another buyer and another programme have their own cap.
        Assert.Single(When(book, Grant("g3", buyer: BuyerGz, faceFen: 30_000)));
        Assert.Single(When(book, Grant("g4", programme: "p2", faceFen: 30_000)));
    }

    [Fact]
    public void The_budget_is_committed_at_grant()
    {
        var book = Given(Created(budgetFen: 50_000), Granted("g1", faceFen: 30_000), Granted("g2", buyer: BuyerGz, faceFen: 15_000));

        Assert.Equal([Granted("g3", buyer: SmeNoCity, faceFen: 5_000)], When(book, Grant("g3", buyer: SmeNoCity, faceFen: 5_000)));
        var r = Then.Rejected(Codes.OverBudget, "faceFen", () => When(book, Grant("g3", buyer: SmeNoCity, faceFen: 5_001)));
        Assert.Contains("5000", r.Reason);
    }

    [Fact]
    public void Over_cap_is_checked_before_over_budget_and_eligibility_before_both()
    {
        var book = Given(Created(capFen: 10_000, budgetFen: 10_000));
        Then.Rejected(Codes.OverCap, "faceFen", () => When(book, Grant(faceFen: 20_000)));
        Then.Rejected(Codes.NotEligible, "programme", () => When(book, Grant(faceFen: 20_000, at: To)));
        Then.Rejected(Codes.NotEligible, "buyer", () => When(Given(Created(capFen: 10_000, budgetFen: 10_000, cities: ["beijing"])), Grant(faceFen: 20_000, at: To)));
    }

    [Fact]
    public void What_lapses_returns_to_the_budget_but_does_not_restore_the_cap()
    {
        var book = Given(Created(capFen: 10_000, budgetFen: 10_000), Granted(faceFen: 10_000),
            new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-01", "tx", "lease", "compute", false, 4_000, Sh.Dec(2, 1)),
            new VoucherLapsed("g1", "p1", BuyerSh, "2026-12-03", 6_000, Sh.Dec(4, 1)));

        var p = book.Programme("p1")!;
        Assert.Equal((4_000L, 4_000L, 6_000L, 6_000L), (p.CommittedFen, p.RedeemedFen, p.LapsedFen, p.RemainingBudgetFen));
        Assert.Equal(10_000, p.GrantedPerBuyer[BuyerSh]);
        var v = book.Voucher("g1")!;
        Assert.Equal((0L, true), (v.BalanceFen, v.Lapsed));

        Then.Rejected(Codes.OverCap, "faceFen", () => When(book, Grant("g2", faceFen: 1, at: Sh.Dec(3))));
        Assert.Single(When(book, Grant("g2", buyer: BuyerGz, faceFen: 6_000, at: Sh.Dec(3))));
        Then.Rejected(Codes.OverBudget, "faceFen", () => When(book, Grant("g2", buyer: BuyerGz, faceFen: 6_001, at: Sh.Dec(3))));
    }

    // ---- evolving ------------------------------------------------------------------------------------------------------

    [Fact]
    public void Redemptions_lower_the_voucher_and_add_to_the_programmes_redeemed_counter()
    {
        var book = Given(Created(), Granted(faceFen: 10_000),
            new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-01", "t1", "l1", "compute", false, 3_000, Now),
            new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-02", "t2", "l1", "compute", true, 7_000, Now));

        Assert.Equal((0L, false), (book.Voucher("g1")!.BalanceFen, book.Voucher("g1")!.Lapsed));
        var p = book.Programme("p1")!;
        Assert.Equal((10_000L, 10_000L, 0L), (p.CommittedFen, p.RedeemedFen, p.LapsedFen));
    }

    [Fact]
    public void Evolve_refuses_events_that_would_break_the_invariants()
    {
        Assert.Equal("invariant broken: programme p1 over budget",
            Assert.Throws<InvalidOperationException>(() => Given(Created(budgetFen: 100), Granted(faceFen: 101))).Message);
        Assert.Equal("invariant broken: voucher g1 below zero", Assert.Throws<InvalidOperationException>(() => Given(Created(), Granted(faceFen: 100),
            new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-01", "t", "l", "compute", false, 101, Now))).Message);
        Assert.Equal("invariant broken: voucher g1 lapsed with a balance left", Assert.Throws<InvalidOperationException>(() =>
            Given(Created(), Granted(faceFen: 100), new VoucherLapsed("g1", "p1", BuyerSh, "2026-12-03", 99, Now))).Message);
        Assert.StartsWith("unknown voucher event", Assert.Throws<ArgumentOutOfRangeException>(() => Given("not an event")).Message);
        // Exactly at the limits the events are fine.
        var book = Given(Created(budgetFen: 100), Granted(faceFen: 100), new VoucherRedeemed("g1", "p1", BuyerSh, "2026-12-01", "t", "l", "compute", false, 100, Now));
        Assert.Equal(0, book.Voucher("g1")!.BalanceFen);
    }

    [Fact]
    public void Unknown_ids_read_as_null()
    {
        Assert.Null(Given().Programme("p1"));
        Assert.Null(Given().Voucher("g1"));
        Assert.Empty(Given().Programmes);
        Assert.Empty(Given().Vouchers);
    }

    [Fact]
    public void The_periods_a_voucher_covers_are_those_starting_inside_its_validity()
    {
        Assert.Equal(["2026-12-01", "2026-12-02", "2026-12-03"], VoucherBook.PeriodStartsInside(Calendar, From, To).Select(p => p.Key));
        // From 12:00: 12-01 started before the validity; a period starting exactly at validTo is outside.
        Assert.Equal(["2026-12-02", "2026-12-03"], VoucherBook.PeriodStartsInside(Calendar, Sh.Dec(1, 12), To).Select(p => p.Key));
        Assert.Equal(["2026-12-02", "2026-12-03", "2026-12-04"], VoucherBook.PeriodStartsInside(Calendar, Sh.Dec(1, 12), To + Duration.Epsilon).Select(p => p.Key));
        Assert.Empty(VoucherBook.PeriodStartsInside(Calendar, Sh.Dec(1, 1), Sh.Dec(2)));
    }
}
