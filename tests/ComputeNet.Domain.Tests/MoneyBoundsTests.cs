using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §6 (quantity bounds; every amount, total and balance within ±(2^53 − 1) fen; no lone surrogates) and §7
/// (the calendar frozen after the first close), and the checked money arithmetic behind them (ADR 0019).
/// </summary>
public class MoneyBoundsTests
{
    private const long Max = Fen.MaxSafe;

    private static LeaseTerms Lease(int devices = 8, decimal price = 58.00m, decimal scu = 0.156m, decimal latencyMs = 11.5m) =>
        new("lease-000001", 1, "b1", BuyerSh, "shanghai", "o1", ProvA, "zhongwei", "ningxia", "ai-fp16-80g", "intelligent", "v1", scu, devices,
            Sh.Dec(2, 0), Sh.Dec(2, 20), price, "on-demand", latencyMs);

    private static RecordUsage Usage(long deviceSeconds = 28_800, decimal energy = 0m, decimal green = 0m, decimal gb = 0m) =>
        new(ProvA, "r1", "lease-000001", Sh.Dec(2, 0), Sh.Dec(2, 1), new UsageQuantities(deviceSeconds, energy, green, gb), Sh.Dec(3, 0));

    private static Rejection? Check(RecordUsage cmd, LeaseTerms lease) =>
        UsageRules.Malformed(cmd.Quantities) ?? UsageRules.Validate(cmd, lease, null, (_, _) => null, (_, _) => Carrier);

    [Fact]
    public void Max_safe_is_two_to_the_53_minus_one() => Assert.Equal((1L << 53) - 1, Fen.MaxSafe);

    [Theory]
    [InlineData("energyKwh")]
    [InlineData("greenKwh")]
    [InlineData("transferGb")]
    public void A_quantity_above_a_billion_is_invalid_and_named(string field)
    {
        var at = 1_000_000_000m;
        var over = 1_000_000_000.0001m;
        UsageQuantities With(decimal v) => field switch
        {
            "energyKwh" => new(0, v, 0, 0),
            "greenKwh" => new(0, 0, v, 0),
            _ => new(0, 0, 0, v),
        };
        Assert.Null(UsageRules.Malformed(With(at)));
        Then.Is(Codes.Invalid, field, UsageRules.Malformed(With(over)));
    }

    [Fact]
    public void The_issue_reproduction_transfer_gb_1e21_is_invalid_before_every_other_usage_code()
    {
        // 1e21 GB, negative energy and an empty interval at once: `invalid` comes first (market-rules §6 order).
        var cmd = Usage(gb: 1_000_000_000_000_000_000_000m, energy: -1) with { To = Sh.Dec(2, 0) };
        Then.Is(Codes.Invalid, "transferGb", Check(cmd, Lease()));
    }

    [Fact]
    public void Device_seconds_whose_amount_is_beyond_the_bound_are_invalid_before_over_capacity()
    {
        // 8 devices × 1 h = 28,800 device-seconds of capacity: above that is over-capacity; far above, the amount itself is out of range.
        Then.Is(Codes.OverCapacity, "deviceSeconds", Check(Usage(deviceSeconds: 28_801), Lease()));
        Then.Is(Codes.Invalid, "deviceSeconds", Check(Usage(deviceSeconds: long.MaxValue), Lease()));
        Assert.Null(Check(Usage(deviceSeconds: 28_800, gb: 1_000_000_000m), Lease()));
    }

    [Fact]
    public void A_bid_or_offer_whose_full_window_is_beyond_the_bound_is_invalid_naming_the_price()
    {
        var market = Market.Given();
        var from = Sh.Dec(2, 0);
        var year = new HourWindow(from, from.Plus(Duration.FromHours(MarketLimits.MaxWindowHours)));

        // 1,000,000 devices × 8,784 h × 0.4945 SCU (the family's largest class) × 1,000,000 yuan: 4.3e17 fen.
        var bid = market.RejectedBid(new PlaceBid(BuyerSh, "b1", M.Bid(devices: MarketLimits.MaxDevicesPerOrder, price: 1_000_000m, window: year), M.Now));
        Assert.Equal((Codes.Invalid, "price"), (bid.Code, bid.Field));
        var offer = market.RejectedOffer(new PlaceOffer(ProvA, "o1", M.Offer(devices: MarketLimits.MaxDevicesPerOrder, price: 1_000_000m, window: year), M.Now));
        Assert.Equal((Codes.Invalid, "price"), (offer.Code, offer.Field));

        // Just inside: 1,000,000 devices × 8,784 h × 0.156 SCU × 65,000 yuan ≈ 8.9e15 fen.
        Assert.IsType<OfferListed>(Assert.Single(market.Offer(ProvA, "o2", M.Offer(devices: MarketLimits.MaxDevicesPerOrder, price: 65_000m, window: year))));
        var over = market.RejectedOffer(new PlaceOffer(ProvA, "o3", M.Offer(devices: MarketLimits.MaxDevicesPerOrder, price: 66_000m, window: year), M.Now));
        Assert.Equal((Codes.Invalid, "price"), (over.Code, over.Field));
    }

    [Fact]
    public void A_bid_is_bounded_with_the_largest_device_of_its_family_or_its_own_minimum()
    {
        var market = Market.Given();
        var from = Sh.Dec(2, 0);
        var year = new HourWindow(from, from.Plus(Duration.FromHours(MarketLimits.MaxWindowHours)));
        // 30,000 yuan fits for 0.156-SCU devices but not for the family's 0.4945-SCU class, which the bid may be matched with.
        var spec = M.Bid(devices: MarketLimits.MaxDevicesPerOrder, price: 30_000m, window: year);
        Assert.Equal(Codes.Invalid, market.RejectedBid(new PlaceBid(BuyerSh, "b1", spec, M.Now)).Code);
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b2", spec with { Price = 2_000m })));
        // A huge minimum SCU is the bound itself.
        Assert.Equal(Codes.Invalid, market.RejectedBid(new PlaceBid(BuyerSh, "b3", M.Bid(devices: 1) with { MinScuPerDevice = 1_000_000_000_000m }, M.Now)).Code);
    }

    private static readonly Party Issuer = new("issuer-x", 20, PartyRoles.Issuer, null, false, null);
    private static Party? Parties(string id) => id == Issuer.Id ? Issuer : Find(id);

    [Fact]
    public void Grants_programme_caps_and_budgets_beyond_the_bound_are_invalid()
    {
        var book = new VoucherBook();
        CreateProgramme Programme(long cap, long budget, string id = "p1") =>
            new(Issuer.Id, id, "compute", 3000, cap, budget, Sh.Dec(1), Sh.Dec(31), null, null, null, Sh.Dec(1));
        Then.Rejected(Codes.Invalid, "capFen", () => book.Decide(Programme(Max + 1, Max), Parties, TestCatalogue.Default, PeriodCalendar.DailyShanghai));
        Then.Rejected(Codes.Invalid, "budgetFen", () => book.Decide(Programme(Max, long.MaxValue), Parties, TestCatalogue.Default, PeriodCalendar.DailyShanghai));
        foreach (var e in book.Decide(Programme(Max, Max), Parties, TestCatalogue.Default, PeriodCalendar.DailyShanghai))
        {
            book.Evolve(e);
        }
        Then.Rejected(Codes.Invalid, "faceFen", () => book.Decide(new GrantVoucher(Issuer.Id, "g1", "p1", BuyerSh, Max + 1, Sh.Dec(1, 1)), Parties));
        Assert.Single(book.Decide(new GrantVoucher(Issuer.Id, "g1", "p1", BuyerSh, Max, Sh.Dec(1, 1)), Parties));
    }

    [Fact]
    public void A_cash_amount_beyond_the_bound_is_invalid_before_the_balance_is_read()
    {
        var book = new CashBook();
        Then.Rejected(Codes.Invalid, "amountFen", () => book.Decide(new RecordCash("payment", "c1", BuyerSh, null, Max + 1, Sh.Dec(3)), Find,
            _ => throw new InvalidOperationException("the balance must not be read")));
        Then.Rejected(Codes.Invalid, "amountFen", () => book.Decide(new RecordCash("payment", "c1", BuyerSh, null, long.MinValue, Sh.Dec(3)), Find, _ => 0));
        Assert.Single(book.Decide(new RecordCash("payment", "c1", BuyerSh, null, Max, Sh.Dec(3)), Find, _ => Max));
    }

    [Fact]
    public void Money_sums_refuse_to_leave_the_bound_with_a_named_domain_exception()
    {
        Assert.Equal(Max, MoneyMath.Add(Max - 1, 1, "t"));
        Assert.Equal(-Max, MoneyMath.Add(-Max + 1, -1, "t"));
        var e = Assert.Throws<MoneyRangeException>(() => MoneyMath.Add(Max, 1, "the invoice of x"));
        Assert.Equal("the invoice of x", e.What);
        Assert.Contains("9007199254740992", e.Message);
        Assert.Throws<MoneyRangeException>(() => MoneyMath.Sum([Max, Max, -Max], "t"));
        Assert.Throws<MoneyRangeException>(() => MoneyMath.Add(long.MaxValue, long.MaxValue, "t"));
        Assert.Throws<MoneyRangeException>(() => Rating.ComputeAmount(long.MaxValue, 0.4945m, 1_000_000m));
        Assert.Throws<MoneyRangeException>(() => Rating.TransportAmount(1_000_000_000_000_000_000_000m, 0.08m));
        Assert.Throws<MoneyRangeException>(() => Exact.Share(new Fen(long.MaxValue), new BasisPoints(10_000)));
    }

    [Fact]
    public void A_close_whose_invoice_total_would_leave_the_bound_throws_the_domain_exception_not_a_wrapped_total()
    {
        // Two leases of one buyer, each a line just below the bound: each line is valid, their invoice total is not.
        LeaseTerms Big(int seq) => new($"lease-{seq:D6}", seq, $"b{seq}", BuyerSh, "shanghai", $"o{seq}", ProvA, "zhongwei", "ningxia", "ai-fp16-80g",
            "intelligent", "v1", 0.156m, 1_000_000, Sh.Dec(2, 0), Sh.Dec(3, 0), 1_000_000m, "reserved", 11.5m);
        var day = PeriodCalendar.DailyShanghai.PeriodOf(Sh.Dec(2, 12));
        var leases = Enumerable.Range(1, 30).Select(i => new LeaseAtClose(Big(i), 1_000_000L * 86_400)).ToList();

        var e = Assert.Throws<MoneyRangeException>(() => PeriodClose.Compute(new CloseInput(day, PeriodCalendar.DailyShanghai, FeeSchedule.Default,
            All.Values.ToList(), leases, [], day.End)));
        Assert.StartsWith("the ", e.What);
    }

    [Theory]
    [InlineData(9_007_199_254_740_992L)]
    [InlineData(-9_007_199_254_740_992L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Canonical_json_refuses_integers_beyond_two_to_the_53(long n)
    {
        var e = Assert.Throws<ArgumentException>(() => Canonical.Json(new Dictionary<string, object?> { ["amountFen"] = n }));
        Assert.Contains("2^53", e.Message);
        var tx = new TransactionPosted("t1", "2026-12-02", "charge", "m", [new Posting("buyer:x", n), new Posting("provider:y", 0)], Sh.Dec(3));
        Assert.Throws<ArgumentException>(() => Statements.Leaf(tx));
        Assert.Throws<ArgumentException>(() => Statements.LeafHash(tx));
    }

    /// <summary>UTF-16 code units in hex (theory data is serialised as UTF-8, which would turn a lone surrogate into U+FFFD).</summary>
    private static string Units(string hex) => new(hex.Split(' ').Select(h => (char)Convert.ToUInt16(h, 16)).ToArray());

    [Theory]
    [InlineData("d800")]
    [InlineData("dead")]
    [InlineData("61 d83d")]
    [InlineData("de02 61")]
    [InlineData("de02 d83d")]
    public void Canonical_json_refuses_lone_surrogates_in_strings_and_keys(string hex)
    {
        var text = Units(hex);
        Assert.Throws<ArgumentException>(() => Canonical.Json(text));
        Assert.Throws<ArgumentException>(() => Canonical.Json(new Dictionary<string, object?> { [text] = 1 }));
        Assert.Throws<ArgumentException>(() => Canonical.Sha256(new List<object?> { "ok", text }));
        Assert.False(UnicodeText.IsValid(text));
    }

    [Fact]
    public void Replacement_characters_and_surrogate_pairs_are_valid_and_hash_apart()
    {
        Assert.Equal("\"\ufffd\"", Canonical.Json("\ufffd"));
        Assert.Equal("\"😂\"", Canonical.Json("\ud83d\ude02"));
        Assert.True(UnicodeText.IsValid("中卫 😂 \ufffd"));
        Assert.Equal(-1, UnicodeText.IndexOfLoneSurrogate("plain"));
        Assert.Equal(2, UnicodeText.IndexOfLoneSurrogate("ab\ud800"));
    }

    [Fact]
    public void Reference_data_beyond_any_device_is_invalid_so_scu_per_device_stays_bounded()
    {
        var huge = new ResourceClassDefinition("huge", "intelligent", "FP16", 1_000_000_001m, 80);
        Then.Rejected(Codes.Invalid, "resourceClasses", () => PlatformSettings.Decide(Daily with { ResourceClasses = [huge] }, TestCatalogue.Default));
        Assert.NotNull(PlatformSettings.Decide(Daily with { ResourceClasses = [huge with { PeakTflops = 1_000_000_000m }] }, TestCatalogue.Default));

        var factors = new Dictionary<string, decimal> { ["FP64"] = 2, ["FP32"] = 1, ["FP16"] = 0.5m, ["BF16"] = 0.5m, ["INT8"] = 101 };
        Then.Rejected(Codes.Invalid, "precisionFactors", () => new PlatformSettings().Decide(
            new MeteringStandardPublished("v2", factors, [huge with { PeakTflops = 989 }], Sh.Dec(1)), TestCatalogue.Default));
    }

    [Fact]
    public void Quantities_for_display_keep_their_scale_beyond_a_long()
    {
        // SCU-hours shown on a line: 6 decimals, exact, even above 2^63 / 10^6: the largest lease (1,000,000 devices for
        // 8,784 h) of the largest device the reference data allows (100,000,000 SCU).
        var big = Rating.ScuHours(1_000_000L * 8_784 * 3_600, 100_000_000m);
        Assert.Equal("878400000000000000.000000", big.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("24.960000", Rating.ScuHours(576_000, 0.156m).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static readonly PlatformConfigured Daily = new("day", "Asia/Shanghai", 300, 100, [], [], Sh.Dec(1));

    [Fact]
    public void The_calendar_may_change_only_before_the_first_close()
    {
        var settings = new PlatformSettings();
        // Before any close, anything valid.
        Assert.Equal("month", settings.Decide(Daily with { PeriodUnit = "month" }, TestCatalogue.Default, anyPeriodClosed: false).PeriodUnit);
        settings.Evolve(Daily);

        Then.Rejected(Codes.Invalid, "period", () => settings.Decide(Daily with { PeriodUnit = "month" }, TestCatalogue.Default, anyPeriodClosed: true));
        Then.Rejected(Codes.Invalid, "timeZone", () => settings.Decide(Daily with { TimeZone = "Asia/Urumqi" }, TestCatalogue.Default, anyPeriodClosed: true));
        // Fees and reference data may change at any time.
        Assert.Equal(250, settings.Decide(Daily with { ComputeFeeBp = 250 }, TestCatalogue.Default, anyPeriodClosed: true).ComputeFeeBp);
        // A platform never configured closes on the default calendar (day, Asia/Shanghai), which therefore stays too.
        Then.Rejected(Codes.Invalid, "period", () => new PlatformSettings().Decide(Daily with { PeriodUnit = "month" }, TestCatalogue.Default, true));
        Assert.NotNull(new PlatformSettings().Decide(Daily, TestCatalogue.Default, true));
    }
}
