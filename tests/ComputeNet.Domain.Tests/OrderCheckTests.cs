using ComputeNet.Domain.Market;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §4 and §12: the check order for bids and offers, ids and repeats, window-started.</summary>
public class OrderCheckTests
{
    private static readonly BidSpec BadFields = M.Bid(devices: 0, window: new HourWindow(M.Now.Minus(Duration.FromHours(1)), M.Now.Plus(Duration.FromHours(1))));

    [Fact]
    public void Unknown_party_is_checked_before_anything_else()
    {
        var market = Market.Given();
        Assert.Equal(Codes.UnknownParty, market.RejectedBid(new PlaceBid("nobody", null, BadFields, M.Now)).Code);
        Assert.Equal(Codes.UnknownParty, market.RejectedOffer(new PlaceOffer("nobody", null, M.Offer(devices: 0), M.Now)).Code);
    }

    [Fact]
    public void Wrong_role_is_checked_before_the_id_and_the_fields()
    {
        var market = Market.Given();
        Assert.Equal(Codes.WrongRole, market.RejectedBid(new PlaceBid(ProvA, null, BadFields, M.Now)).Code);
        Assert.Equal(Codes.WrongRole, market.RejectedOffer(new PlaceOffer(BuyerSh, null, M.Offer(devices: 0), M.Now)).Code);
        Assert.Equal(Codes.WrongRole, market.RejectedBid(new PlaceBid(Carrier, "b1", M.Bid(), M.Now)).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_id_is_invalid_before_the_fields_are_looked_at(string? id)
    {
        var market = Market.Given();
        var bid = market.RejectedBid(new PlaceBid(BuyerSh, id, BadFields, M.Now));
        var offer = market.RejectedOffer(new PlaceOffer(ProvA, id, M.Offer(devices: 0), M.Now));
        Assert.Equal((Codes.Invalid, "id"), (bid.Code, bid.Field));
        Assert.Equal((Codes.Invalid, "id"), (offer.Code, offer.Field));
    }

    [Fact]
    public void An_id_longer_than_64_characters_is_invalid()
    {
        var market = Market.Given();
        var tooLong = market.RejectedBid(new PlaceBid(BuyerSh, new string('b', 65), M.Bid(), M.Now));
        Assert.Equal((Codes.Invalid, "id"), (tooLong.Code, tooLong.Field));
        Assert.Single(market.Bid(BuyerSh, new string('b', 64), M.Bid()));
    }

    [Fact]
    public void Repeat_with_the_same_content_is_a_repeat_with_no_events()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));
        market.Bid(BuyerSh, "b1", M.Bid());
        var journal = market.Journal.Count;

        // Even after the window started: the id is checked before window-started.
        var bidAgain = market.Decide(new PlaceBid(BuyerSh, "b1", M.Bid(), Sh.Dec(2, 1)));
        var offerAgain = market.Decide(new PlaceOffer(ProvA, "o1", M.Offer(), M.Now));

        Assert.True(bidAgain.IsRepeat);
        Assert.Empty(bidAgain.Events);
        Assert.True(offerAgain.IsRepeat);
        Assert.Empty(offerAgain.Events);
        Assert.Equal(journal, market.Journal.Count);
        Assert.Equal(8, market.Status("b1", M.Now).DevicesFilled);
    }

    [Fact]
    public void Repeat_compares_prices_by_value()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid(price: 60.00m)));
        Assert.True(market.Decide(new PlaceBid(BuyerSh, "b1", M.Bid(price: 60m), M.Now)).IsRepeat);
    }

    [Fact]
    public void Same_id_with_other_content_is_id_reused_even_when_the_new_fields_are_invalid()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid()), M.Listed(2, "o1", ProvA, M.Offer()));

        Assert.Equal(Codes.IdReused, market.RejectedBid(new PlaceBid(BuyerSh, "b1", M.Bid(devices: 9), M.Now)).Code);
        Assert.Equal(Codes.IdReused, market.RejectedBid(new PlaceBid(BuyerSh, "b1", BadFields, M.Now)).Code);
        Assert.Equal(Codes.IdReused, market.RejectedOffer(new PlaceOffer(ProvA, "o1", M.Offer(price: 58.01m), M.Now)).Code);
    }

    [Fact]
    public void Ids_are_per_party_and_shared_by_both_sides_of_one_party()
    {
        var market = Market.Given(M.Listed(1, "x", Both, M.Offer()), M.Placed(2, "b1", BuyerSh, M.Bid(price: 50.00m)));

        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerBj, "b1", M.Bid(price: 50.00m))));
        Assert.Equal(Codes.IdReused, market.RejectedBid(new PlaceBid(Both, "x", M.Bid(), M.Now)).Code);
    }

    [Fact]
    public void A_rejected_order_does_not_use_up_its_id()
    {
        var market = Market.Given();
        Assert.Equal(Codes.WindowStarted, market.RejectedBid(new PlaceBid(BuyerSh, "b1", M.Bid(), Sh.Dec(2, 0))).Code);
        Assert.Equal(Codes.Invalid, market.RejectedOffer(new PlaceOffer(ProvA, "o1", M.Offer(devices: 0), M.Now)).Code);

        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b1", M.Bid(devices: 3))));
        // …nor a sequence number.
        Assert.Equal(M.Placed(1, "b1", BuyerSh, M.Bid(devices: 3), M.Now), market.Journal[^1]);
        Assert.IsType<OfferListed>(market.Offer(ProvA, "o1", M.Offer())[0]);
    }

    public static readonly TheoryData<string> InvalidBidFields =
    [
        "devices-zero", "devices-negative", "devices-above-limit", "price-zero", "price-negative", "price-five-places", "price-above-limit",
        "window-empty", "window-backwards", "window-not-whole-hour", "window-too-long", "min-scu-negative", "min-memory-negative",
        "min-green-above-one", "min-green-negative", "family", "tier", "commitment", "tif", "city",
    ];

    private static BidSpec WithInvalid(string field)
    {
        var from = Sh.Dec(2, 0);
        return field switch
        {
            "devices-zero" => M.Bid(devices: 0),
            "devices-negative" => M.Bid(devices: -1),
            "devices-above-limit" => M.Bid(devices: MarketLimits.MaxDevicesPerOrder + 1),
            "price-zero" => M.Bid(price: 0m),
            "price-negative" => M.Bid(price: -1m),
            "price-five-places" => M.Bid(price: 58.00001m),
            "price-above-limit" => M.Bid(price: 1_000_000.0001m),
            "window-empty" => M.Bid(window: new HourWindow(from, from)),
            "window-backwards" => M.Bid(window: new HourWindow(from, from.Minus(Duration.FromHours(1)))),
            "window-not-whole-hour" => M.Bid(window: new HourWindow(from, from.Plus(Duration.FromMinutes(90)))),
            "window-too-long" => M.Bid(window: new HourWindow(from, from.Plus(Duration.FromHours(MarketLimits.MaxWindowHours + 1)))),
            "min-scu-negative" => M.Bid() with { MinScuPerDevice = -0.001m },
            "min-memory-negative" => M.Bid() with { MinMemoryGb = -1 },
            "min-green-above-one" => M.Bid() with { MinGreen = 1.01m },
            "min-green-negative" => M.Bid() with { MinGreen = -0.01m },
            "family" => M.Bid() with { Family = "quantum" },
            "tier" => M.Bid() with { Tier = "planet" },
            "commitment" => M.Bid() with { Commitment = "maybe" },
            "tif" => M.Bid(tif: "gtc"),
            "city" => M.Bid() with { City = "atlantis" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    [Theory]
    [MemberData(nameof(InvalidBidFields))]
    public void Malformed_bid_field_is_invalid(string field)
    {
        var market = Market.Given();
        Assert.Equal(Codes.Invalid, market.RejectedBid(new PlaceBid(BuyerSh, "b1", WithInvalid(field), M.Now)).Code);
    }

    [Theory]
    [MemberData(nameof(InvalidBidFields))]
    public void Malformed_field_is_reported_before_window_started(string field)
    {
        var market = Market.Given();
        // Placed at 2026-12-02 00:00 Shanghai: every window starting then has started.
        Assert.Equal(Codes.Invalid, market.RejectedBid(new PlaceBid(BuyerSh, "b1", WithInvalid(field), Sh.Dec(2, 0))).Code);
    }

    [Fact]
    public void The_largest_valid_values_are_accepted()
    {
        var market = Market.Given();
        var from = Sh.Dec(2, 0);
        var longest = new HourWindow(from, from.Plus(Duration.FromHours(MarketLimits.MaxWindowHours)));
        // Each limit on its own; all of them at once are above the 2^53 − 1 fen bound of an order's full window (MoneyBoundsTests).
        var spec = M.Bid(devices: MarketLimits.MaxDevicesPerOrder, window: longest) with { MinGreen = 1m };
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b1", spec)));
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b2", M.Bid(price: 0.0001m))));
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b3", M.Bid(devices: 1, price: 1_000_000m, window: longest))));
    }

    [Fact]
    public void Buyer_without_a_registered_city_must_name_one()
    {
        var market = Market.Given();
        var rejection = market.RejectedBid(new PlaceBid(BuyerNoCity, "b1", M.Bid(), M.Now));
        Assert.Equal((Codes.Invalid, "city"), (rejection.Code, rejection.Field));

        var placed = Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerNoCity, "b1", M.Bid() with { City = "hangzhou" })));
        Assert.Equal(("hangzhou", true), (placed.City, placed.CityGiven));
    }

    [Fact]
    public void Bid_arriving_exactly_at_its_window_start_has_started()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));
        var rejection = market.RejectedBid(new PlaceBid(BuyerSh, "b1", M.Bid(), M.BidWindow.From));
        Assert.Equal((Codes.WindowStarted, "from"), (rejection.Code, rejection.Field));
        Assert.Equal(Codes.WindowStarted, market.RejectedBid(new PlaceBid(BuyerSh, "b1", M.Bid(), M.BidWindow.From.Plus(Duration.FromHours(3)))).Code);

        var oneSecondBefore = market.Bid(BuyerSh, "b1", M.Bid(), M.BidWindow.From.Minus(Duration.FromSeconds(1)));
        Assert.Equal([("b1", "o1", 8, 58.00m)], M.Trades(oneSecondBefore));
    }

    [Fact]
    public void Offer_whose_window_ended_is_invalid()
    {
        var market = Market.Given();
        var ended = market.RejectedOffer(new PlaceOffer(ProvA, "o1", M.Offer(), M.OfferWindow.To));
        Assert.Equal((Codes.Invalid, "to"), (ended.Code, ended.Field));
        Assert.Equal(Codes.Invalid, market.RejectedOffer(new PlaceOffer(ProvA, "o1", M.Offer(), M.OfferWindow.To.Plus(Duration.FromDays(1)))).Code);
    }

    [Fact]
    public void Offer_whose_window_started_but_not_ended_is_listed_and_serves_later_hours()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid(window: M.Hours(10, 12)), at: Sh.Dec(2, 8)));

        var events = market.Offer(ProvA, "o1", M.Offer(), Sh.Dec(2, 9));

        Assert.Equal([("b1", "o1", 8, 60.00m)], M.Trades(events));
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("class")]
    [InlineData("devices")]
    [InlineData("price")]
    [InlineData("window")]
    public void Malformed_offer_field_is_invalid(string field)
    {
        var spec = field switch
        {
            "cluster" => M.Offer(cluster: "atlantis"),
            "class" => M.Offer(resourceClass: "abacus"),
            "devices" => M.Offer(devices: 0),
            "price" => M.Offer(price: 58.00005m),
            _ => M.Offer(window: new HourWindow(Sh.Dec(2, 0), Sh.Dec(2, 0, 30))),
        };
        Assert.Equal(Codes.Invalid, Market.Given().RejectedOffer(new PlaceOffer(ProvA, "o1", spec, M.Now)).Code);
    }

    [Fact]
    public void Offer_takes_green_share_scu_and_memory_from_the_catalogue_at_listing()
    {
        var listed = Assert.IsType<OfferListed>(Market.Given().Offer(ProvA, "o1", M.Offer(cluster: "guian", resourceClass: "ai-int8-24g"))[0]);
        Assert.Equal(("guizhou", "intelligent", "v1", 0.065m, 24, 0.70m, 1L), (listed.Hub, listed.Family, listed.MeteringStandard, listed.ScuPerDevice, listed.MemoryGb, listed.GreenShare, listed.Seq));
    }
}
