using ComputeNet.Domain.Market;
using ComputeNet.Domain.Reference;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §5: price-time priority, trade at the resting price, split and all-from-one, GTC/IOC/FOK.</summary>
public class MatchingTests
{
    [Fact]
    public void Incoming_bid_trades_at_the_resting_offers_price_worked_example()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));

        var events = market.Bid(BuyerSh, "b1", M.Bid(price: 60.00m));

        Assert.Equal<IMarketEvent>(
        [
            M.Placed(2, "b1", BuyerSh, M.Bid(price: 60.00m), M.Now),
            new TradeExecuted(new LeaseTerms("lease-000001", 1, "b1", BuyerSh, "shanghai", "o1", ProvA, "zhongwei", "ningxia", "ai-fp16-80g",
                "intelligent", "v1", 0.156m, 8, Sh.Dec(2, 0), Sh.Dec(2, 20), 58.00m, "on-demand", 11.5m), M.Now),
        ], events);
    }

    [Fact]
    public void Incoming_offer_trades_at_the_resting_bids_price()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid(price: 60.00m)));

        var events = market.Offer(ProvA, "o1", M.Offer(price: 58.00m));

        Assert.Equal(M.Listed(2, "o1", ProvA, M.Offer(price: 58.00m), M.Now), events[0]);
        Assert.Equal([("b1", "o1", 8, 60.00m)], M.Trades(events));
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Incoming_bid_meets_offers_lowest_price_first_then_earliest_arrival()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 4, price: 59.00m)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 4, price: 58.00m)),
            M.Listed(3, "o3", ProvC, M.Offer(devices: 4, price: 58.00m)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 10));

        // Each trade is at that resting offer's own price.
        Assert.Equal([("b1", "o2", 4, 58.00m), ("b1", "o3", 4, 58.00m), ("b1", "o1", 2, 59.00m)], M.Trades(events));
    }

    [Fact]
    public void Time_priority_is_the_engine_sequence_not_the_arrival_instant()
    {
        // o2 carries an earlier wall-clock instant but a later sequence number: the sequence decides.
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 8), at: Sh.Dec(1, 9)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 8), at: Sh.Dec(1, 8)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, split: false));

        Assert.Equal([("b1", "o1", 8, 58.00m)], M.Trades(events));
    }

    [Fact]
    public void Incoming_offer_meets_bids_highest_price_first_then_earliest_arrival()
    {
        var market = Market.Given(
            M.Placed(1, "b1", BuyerSh, M.Bid(devices: 4, price: 60.00m)),
            M.Placed(2, "b2", BuyerBj, M.Bid(devices: 4, price: 61.00m)),
            M.Placed(3, "b3", BuyerGz, M.Bid(devices: 4, price: 60.00m)));

        var events = market.Offer(ProvA, "o1", M.Offer(devices: 10, price: 55.00m));

        Assert.Equal([("b2", "o1", 4, 61.00m), ("b1", "o1", 4, 60.00m), ("b3", "o1", 2, 60.00m)], M.Trades(events));
    }

    [Fact]
    public void Split_bid_takes_the_fewest_free_devices_in_any_hour_of_its_window()
    {
        var o1 = M.Listed(1, "o1", ProvA, M.Offer(devices: 10, price: 58.00m));
        var early = M.Placed(2, "bx", BuyerBj, M.Bid(devices: 6, window: M.Hours(0, 4)));
        var market = Market.Given(o1, early, M.Traded(1, early, o1, 6, 58.00m),
            M.Listed(3, "o2", ProvB, M.Offer(devices: 10, price: 59.00m)));

        // o1 has 4 free in hours 0–3 and 10 free after: the bid over hours 0–19 can take only 4 of it.
        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, window: M.Hours(0, 20)));

        Assert.Equal([("b1", "o1", 4, 58.00m), ("b1", "o2", 4, 59.00m)], M.Trades(events));
        Assert.Equal("lease-000002", events.OfType<TradeExecuted>().First().Terms.LeaseId);
    }

    [Fact]
    public void Non_split_bid_takes_all_its_devices_from_the_first_offer_that_has_them_free()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 4, price: 58.00m)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 10, price: 59.00m)),
            M.Listed(3, "o3", ProvC, M.Offer(devices: 10, price: 59.50m)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, split: false));

        Assert.Equal([("b1", "o2", 8, 59.00m)], M.Trades(events));
    }

    [Fact]
    public void Non_split_GTC_bid_without_a_single_offer_holding_all_devices_rests()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 5)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 5)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, split: false));

        Assert.IsType<BidPlaced>(Assert.Single(events));
        Assert.Equal(OrderState.Resting, market.Status("b1", M.Now).State);
    }

    [Fact]
    public void Non_split_IOC_bid_without_a_single_offer_holding_all_devices_is_killed_whole()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 5)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 5)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, split: false, tif: "IOC"));

        Assert.Equal<IMarketEvent>([M.Placed(3, "b1", BuyerSh, M.Bid(devices: 8, split: false, tif: "IOC"), M.Now), new BidKilled("b1", BuyerSh, 8, M.Now)], events);
        Assert.Equal(OrderState.Killed, market.Status("b1", M.Now).State);
    }

    [Fact]
    public void GTC_remainder_rests_and_fills_later_at_its_own_price()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(devices: 5)));

        var first = market.Bid(BuyerSh, "b1", M.Bid(devices: 8));
        Assert.Equal([("b1", "o1", 5, 58.00m)], M.Trades(first));
        Assert.DoesNotContain(first, e => e is BidKilled);
        Assert.Equal(new OrderStatus("b1", BuyerSh, OrderSide.Bid, OrderState.PartiallyFilled, 8, 5, 2), market.Status("b1", M.Now));

        var later = market.Offer(ProvB, "o2", M.Offer(devices: 10, price: 57.00m), M.Now.Plus(Duration.FromMinutes(5)));
        Assert.Equal([("b1", "o2", 3, 60.00m)], M.Trades(later));
        Assert.Equal(OrderState.Filled, market.Status("b1", M.Now).State);
    }

    [Fact]
    public void IOC_remainder_is_killed_and_never_trades_later()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(devices: 5)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, tif: "IOC"));

        Assert.Equal([("b1", "o1", 5, 58.00m)], M.Trades(events));
        Assert.Equal(new BidKilled("b1", BuyerSh, 3, M.Now), events[^1]);
        Assert.Equal(OrderState.PartiallyFilled, market.Status("b1", M.Now).State);

        var later = market.Offer(ProvB, "o2", M.Offer(devices: 10, price: 50.00m), M.Now.Plus(Duration.FromMinutes(1)));
        Assert.IsType<OfferListed>(Assert.Single(later));
    }

    [Fact]
    public void IOC_bid_that_fills_in_full_is_not_killed()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(devices: 64)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, tif: "IOC"));

        Assert.Equal([("b1", "o1", 8, 58.00m)], M.Trades(events));
        Assert.DoesNotContain(events, e => e is BidKilled);
        Assert.Equal(OrderState.Filled, market.Status("b1", M.Now).State);
    }

    [Fact]
    public void FOK_with_split_fills_when_the_offers_together_cover_all_devices()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 5)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 5)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, tif: "FOK"));

        Assert.Equal([("b1", "o1", 5, 58.00m), ("b1", "o2", 3, 58.00m)], M.Trades(events));
        Assert.DoesNotContain(events, e => e is BidKilled);
        Assert.Equal(OrderState.Filled, market.Status("b1", M.Now).State);
    }

    [Fact]
    public void FOK_with_split_that_the_offers_cannot_cover_trades_nothing_and_is_killed()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 5)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 2)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, tif: "FOK"));

        Assert.Equal<IMarketEvent>([M.Placed(3, "b1", BuyerSh, M.Bid(devices: 8, tif: "FOK"), M.Now), new BidKilled("b1", BuyerSh, 8, M.Now)], events);
        Assert.Equal(OrderState.Killed, market.Status("b1", M.Now).State);
        Assert.Equal(0, market.Status("o1", M.Now).DevicesFilled);
        Assert.Equal(0, market.Status("o2", M.Now).DevicesFilled);
    }

    [Fact]
    public void FOK_without_split_needs_one_offer_holding_all_devices()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 5)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 5)));

        var events = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, split: false, tif: "FOK"));

        Assert.Empty(M.Trades(events));
        Assert.Equal(new BidKilled("b1", BuyerSh, 8, M.Now), events[^1]);
    }

    [Fact]
    public void Own_offer_is_skipped_by_an_incoming_bid_and_stays_in_the_book()
    {
        var market = Market.Given(
            M.Listed(1, "own", Both, M.Offer(devices: 64, price: 50.00m)),
            M.Listed(2, "o1", ProvA, M.Offer(devices: 64, price: 58.00m)));

        var events = market.Bid(Both, "b1", M.Bid(devices: 8));

        Assert.Equal([("b1", "o1", 8, 58.00m)], M.Trades(events));
        Assert.Equal(OrderState.Resting, market.Status("own", M.Now).State);

        // …and still trades with someone else.
        var other = market.Bid(BuyerSh, "b2", M.Bid(devices: 8));
        Assert.Equal([("b2", "own", 8, 50.00m)], M.Trades(other));
    }

    [Fact]
    public void Own_bid_is_skipped_by_an_incoming_offer_and_stays_in_the_book()
    {
        var market = Market.Given(
            M.Placed(1, "own", Both, M.Bid(devices: 8, price: 70.00m)),
            M.Placed(2, "b1", BuyerSh, M.Bid(devices: 8, price: 60.00m)));

        var events = market.Offer(Both, "o1", M.Offer(devices: 8));

        Assert.Equal([("b1", "o1", 8, 60.00m)], M.Trades(events));
        Assert.Equal(OrderState.Resting, market.Status("own", M.Now).State);
    }

    public static readonly TheoryData<string> Incompatibilities =
        ["family", "min-scu", "memory", "tier", "green", "window-ends-after", "window-starts-before", "price"];

    /// <summary>The §13 bid made incompatible with the §13 offer in one respect.</summary>
    private static BidSpec Incompatible(string respect) => respect switch
    {
        "family" => M.Bid() with { Family = "general" },
        "min-scu" => M.Bid() with { MinScuPerDevice = 0.1561m },
        "memory" => M.Bid() with { MinMemoryGb = 81 },
        "tier" => M.Bid() with { Tier = "regional" },          // Shanghai–中卫 is 11.5 ms
        "green" => M.Bid() with { MinGreen = 0.86m },          // 中卫 is 0.85
        "window-ends-after" => M.Bid(window: new HourWindow(Sh.Dec(2, 20), Sh.Dec(3, 1))),
        "window-starts-before" => M.Bid(window: new HourWindow(Sh.Dec(1, 23), Sh.Dec(2, 2))),
        "price" => M.Bid(price: 57.99m),
        _ => throw new ArgumentOutOfRangeException(nameof(respect)),
    };

    [Theory]
    [MemberData(nameof(Incompatibilities))]
    public void Incompatible_incoming_bid_does_not_trade(string respect)
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));

        var events = market.Bid(BuyerSh, "b1", Incompatible(respect));

        Assert.IsType<BidPlaced>(Assert.Single(events));
        Assert.Equal(OrderState.Resting, market.Status("o1", M.Now).State);
    }

    [Theory]
    [MemberData(nameof(Incompatibilities))]
    public void Incompatible_resting_bid_does_not_trade_with_an_incoming_offer(string respect)
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, Incompatible(respect)));

        var events = market.Offer(ProvA, "o1", M.Offer());

        Assert.IsType<OfferListed>(Assert.Single(events));
        Assert.Equal(OrderState.Resting, market.Status("b1", M.Now).State);
    }

    [Fact]
    public void Every_bound_of_compatibility_is_inclusive()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));
        var exact = M.Bid(price: 58.00m, window: M.OfferWindow) with { MinScuPerDevice = 0.156m, MinMemoryGb = 80, MinGreen = 0.85m };

        var events = market.Bid(BuyerSh, "b1", exact);

        Assert.Equal([("b1", "o1", 8, 58.00m)], M.Trades(events));
    }

    [Theory]
    [InlineData("5.0", true)]
    [InlineData("5.1", false)]
    public void Measured_latency_decides_the_tier_and_its_bound_is_inclusive(string ms, bool trades)
    {
        var measured = TestCatalogue.WithLatency(new LatencyOverride("shanghai", "zhongwei", decimal.Parse(ms, System.Globalization.CultureInfo.InvariantCulture)));
        var market = Market.Given(measured, M.Listed(1, "o1", ProvA, M.Offer(), catalogue: measured));

        var events = market.Bid(BuyerSh, "b1", M.Bid() with { Tier = "regional" });

        Assert.Equal(trades ? 1 : 0, M.Trades(events).Count);
        if (trades)
        {
            Assert.Equal(5.0m, events.OfType<TradeExecuted>().Single().Terms.LatencyMs);
        }
    }

    [Fact]
    public void A_bid_naming_another_city_is_matched_on_that_citys_latency()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(cluster: "zhangjiakou")));

        var fromShanghai = market.Bid(BuyerSh, "b1", M.Bid() with { Tier = "regional" });
        var fromBeijing = market.Bid(BuyerSh, "b2", M.Bid() with { Tier = "regional", City = "beijing" });

        Assert.Empty(M.Trades(fromShanghai));
        var trade = Assert.IsType<TradeExecuted>(fromBeijing[1]).Terms;
        Assert.Equal(("beijing", 1.1m, "jingjinji"), (trade.BuyerCity, trade.LatencyMs, trade.Hub));
        var placed = Assert.IsType<BidPlaced>(fromBeijing[0]);
        Assert.Equal(("beijing", true), (placed.City, placed.CityGiven));
    }

    [Fact]
    public void Capacity_is_a_calendar_per_hour_two_bids_on_different_hours_share_one_offer()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(devices: 10)));

        var morning = market.Bid(BuyerSh, "b1", M.Bid(devices: 8, window: M.Hours(0, 12)));
        var evening = market.Bid(BuyerBj, "b2", M.Bid(devices: 8, split: false, window: M.Hours(12, 24)));
        var overlapWhole = market.Bid(BuyerGz, "b3", M.Bid(devices: 4, split: false, window: M.Hours(10, 14)));
        var overlapSplit = market.Bid(BuyerGz, "b4", M.Bid(devices: 4, split: true, window: M.Hours(10, 14)));

        Assert.Equal([("b1", "o1", 8, 58.00m)], M.Trades(morning));
        Assert.Equal([("b2", "o1", 8, 58.00m)], M.Trades(evening));
        Assert.Empty(M.Trades(overlapWhole));               // hours 10–13 have only 2 free
        Assert.Equal([("b4", "o1", 2, 58.00m)], M.Trades(overlapSplit));

        var leased = market.Book.Offer(ProvA, "o1")!.Leased;
        Assert.Equal([8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 10, 10, 10, 10, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8], leased);
        Assert.Equal(10, market.Status("o1", M.Now).DevicesFilled);
        Assert.Equal(OrderState.PartiallyFilled, market.Status("o1", M.Now).State);
    }

    [Fact]
    public void Incoming_offer_fills_several_bids_on_its_own_calendar()
    {
        var market = Market.Given(
            M.Placed(1, "b1", BuyerSh, M.Bid(devices: 8, window: M.Hours(0, 12))),
            M.Placed(2, "b2", BuyerBj, M.Bid(devices: 8, window: M.Hours(12, 24))),
            M.Placed(3, "b3", BuyerGz, M.Bid(devices: 4, window: M.Hours(10, 14))));

        var events = market.Offer(ProvA, "o1", M.Offer(devices: 10));

        Assert.Equal([("b1", "o1", 8, 60.00m), ("b2", "o1", 8, 60.00m), ("b3", "o1", 2, 60.00m)], M.Trades(events));
    }

    [Fact]
    public void Trade_and_lease_ids_continue_from_the_journal()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));
        market.Bid(BuyerSh, "b1", M.Bid(devices: 1));
        var second = market.Bid(BuyerBj, "b2", M.Bid(devices: 1));

        var terms = Assert.IsType<TradeExecuted>(second[1]).Terms;
        Assert.Equal((2L, "lease-000002"), (terms.TradeSeq, terms.LeaseId));
        Assert.Equal(3, Assert.IsType<BidPlaced>(second[0]).Seq);
    }
}
