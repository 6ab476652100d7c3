using ComputeNet.Domain.Market;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §4 and §12: cancel and reduce.</summary>
public class CancelReduceTests
{
    private static readonly Instant Later = M.Now.Plus(Duration.FromMinutes(10));

    /// <summary>b1 wants 8 and has traded 5 (GTC remainder resting); o1 has 5 of its 5 devices leased over the bid's hours.</summary>
    private static Market PartiallyFilledBid()
    {
        var o1 = M.Listed(1, "o1", ProvA, M.Offer(devices: 5));
        var b1 = M.Placed(2, "b1", BuyerSh, M.Bid(devices: 8));
        return Market.Given(o1, b1, M.Traded(1, b1, o1, 5, 58.00m));
    }

    [Fact]
    public void Cancel_of_a_resting_bid_cancels_it_and_it_no_longer_trades()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid()));

        Assert.Equal<IMarketEvent>([new OrderCancelled("b1", BuyerSh, "bid", Later)], market.When(new CancelOrder(BuyerSh, "b1", Later)));
        Assert.Equal(OrderState.Cancelled, market.Status("b1", Later).State);
        Assert.IsType<OfferListed>(Assert.Single(market.Offer(ProvA, "o1", M.Offer(), Later)));
    }

    [Fact]
    public void Cancel_of_a_resting_offer_cancels_it_and_it_no_longer_trades()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));

        Assert.Equal<IMarketEvent>([new OrderCancelled("o1", ProvA, "offer", Later)], market.When(new CancelOrder(ProvA, "o1", Later)));
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b1", M.Bid(), Later)));
    }

    [Fact]
    public void Cancel_of_a_partially_filled_bid_keeps_what_traded()
    {
        var market = PartiallyFilledBid();

        Assert.Single(market.When(new CancelOrder(BuyerSh, "b1", Later)));
        Assert.Equal(new OrderStatus("b1", BuyerSh, OrderSide.Bid, OrderState.Cancelled, 8, 5, 2), market.Status("b1", Later));
    }

    [Fact]
    public void Repeating_a_cancel_changes_nothing()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid()));
        market.When(new CancelOrder(BuyerSh, "b1", Later));

        Assert.Empty(market.When(new CancelOrder(BuyerSh, "b1", Later.Plus(Duration.FromMinutes(1)))));
        Assert.Empty(market.When(new ReduceOrder(BuyerSh, "b1", 4, Later.Plus(Duration.FromMinutes(1)))));
    }

    [Fact]
    public void Cancel_of_another_partys_order_is_invalid_and_leaves_it()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid()), M.Listed(2, "o1", ProvA, M.Offer(price: 70.00m)));

        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new CancelOrder(BuyerBj, "b1", Later))).Code);
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new CancelOrder(ProvB, "o1", Later))).Code);
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new ReduceOrder(BuyerBj, "b1", 1, Later))).Code);
        Assert.Equal(OrderState.Resting, market.Status("b1", Later).State);
        Assert.Equal(OrderState.Resting, market.Status("o1", Later).State);
    }

    [Fact]
    public void Cancel_of_an_unknown_order_is_invalid_and_of_an_unknown_party_is_unknown_party()
    {
        var market = Market.Given();
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new CancelOrder(BuyerSh, "nope", Later))).Code);
        Assert.Equal(Codes.UnknownParty, market.Rejected(() => market.When(new CancelOrder("nobody", "nope", Later))).Code);
        Assert.Equal(Codes.UnknownParty, market.Rejected(() => market.When(new ReduceOrder("nobody", "nope", 1, Later))).Code);
    }

    [Fact]
    public void Reduce_below_what_has_traded_is_invalid()
    {
        var market = PartiallyFilledBid();

        var rejection = market.Rejected(() => market.When(new ReduceOrder(BuyerSh, "b1", 4, Later)));
        Assert.Equal((Codes.Invalid, "devices"), (rejection.Code, rejection.Field));
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new ReduceOrder(BuyerSh, "b1", 0, Later))).Code);
    }

    [Fact]
    public void Reduce_to_what_has_traded_fills_the_bid()
    {
        var market = PartiallyFilledBid();

        Assert.Equal<IMarketEvent>([new OrderReduced("b1", BuyerSh, "bid", 5, Later)], market.When(new ReduceOrder(BuyerSh, "b1", 5, Later)));
        Assert.Equal(new OrderStatus("b1", BuyerSh, OrderSide.Bid, OrderState.Filled, 5, 5, 2), market.Status("b1", Later));
    }

    [Fact]
    public void Reduce_above_the_current_total_is_invalid()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid(devices: 8)), M.Listed(2, "o1", ProvA, M.Offer(devices: 10, price: 70.00m)));
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new ReduceOrder(BuyerSh, "b1", 9, Later))).Code);
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new ReduceOrder(ProvA, "o1", 11, Later))).Code);
    }

    [Fact]
    public void Reduce_to_the_current_total_changes_nothing()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid(devices: 8)), M.Listed(2, "o1", ProvA, M.Offer(devices: 10, price: 70.00m)));
        Assert.Empty(market.When(new ReduceOrder(BuyerSh, "b1", 8, Later)));
        Assert.Empty(market.When(new ReduceOrder(ProvA, "o1", 10, Later)));
    }

    [Fact]
    public void Reduce_to_zero_with_nothing_traded_cancels_the_order()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid()), M.Listed(2, "o1", ProvA, M.Offer(price: 70.00m)));

        Assert.Equal<IMarketEvent>([new OrderCancelled("b1", BuyerSh, "bid", Later)], market.When(new ReduceOrder(BuyerSh, "b1", 0, Later)));
        Assert.Equal<IMarketEvent>([new OrderCancelled("o1", ProvA, "offer", Later)], market.When(new ReduceOrder(ProvA, "o1", 0, Later)));
        Assert.Equal(OrderState.Cancelled, market.Status("b1", Later).State);
        Assert.Equal(OrderState.Cancelled, market.Status("o1", Later).State);
    }

    [Fact]
    public void Reduce_of_an_offer_must_keep_the_most_devices_leased_in_any_hour()
    {
        var o1 = M.Listed(1, "o1", ProvA, M.Offer(devices: 10));
        var b1 = M.Placed(2, "b1", BuyerSh, M.Bid(devices: 6, window: M.Hours(0, 4)));
        var market = Market.Given(o1, b1, M.Traded(1, b1, o1, 6, 58.00m));

        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new ReduceOrder(ProvA, "o1", 5, Later))).Code);
        Assert.Equal(Codes.Invalid, market.Rejected(() => market.When(new ReduceOrder(ProvA, "o1", 0, Later))).Code);
        Assert.Single(market.When(new ReduceOrder(ProvA, "o1", 6, Later)));

        // Hours 0–3 are now full; the other hours have 6 free.
        Assert.Empty(M.Trades(market.Bid(BuyerBj, "b2", M.Bid(devices: 1, window: M.Hours(3, 5)), Later)));
        Assert.Equal([("b3", "o1", 6, 58.00m)], M.Trades(market.Bid(BuyerBj, "b3", M.Bid(devices: 7, window: M.Hours(4, 8)), Later)));
    }

    [Fact]
    public void Reduce_keeps_time_priority()
    {
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 10)),
            M.Listed(2, "o2", ProvB, M.Offer(devices: 10)));
        market.When(new ReduceOrder(ProvA, "o1", 6, Later));

        Assert.Equal([("b1", "o1", 4, 58.00m)], M.Trades(market.Bid(BuyerSh, "b1", M.Bid(devices: 4, split: false), Later)));
    }

    [Fact]
    public void Reduce_never_triggers_matching()
    {
        // b1 wants 8 from one offer; o1 has only 6. Reducing b1 to 6 makes them compatible, but a reduce does not match.
        var market = Market.Given(
            M.Listed(1, "o1", ProvA, M.Offer(devices: 6)),
            M.Placed(2, "b1", BuyerSh, M.Bid(devices: 8, split: false)));

        Assert.Equal<IMarketEvent>([new OrderReduced("b1", BuyerSh, "bid", 6, Later)], market.When(new ReduceOrder(BuyerSh, "b1", 6, Later)));
        Assert.Equal(OrderState.Resting, market.Status("b1", Later).State);
    }

    [Fact]
    public void Cancel_and_reduce_of_finished_orders_change_nothing()
    {
        var o1 = M.Listed(1, "o1", ProvA, M.Offer(devices: 8, window: M.BidWindow));
        var filled = M.Placed(2, "filled", BuyerSh, M.Bid(devices: 8));
        var killed = M.Placed(3, "killed", BuyerBj, M.Bid(devices: 8, tif: "IOC"));
        var market = Market.Given(o1, filled, M.Traded(1, filled, o1, 8, 58.00m), killed, new BidKilled("killed", BuyerBj, 8, M.Now),
            M.Placed(4, "resting", BuyerGz, M.Bid(devices: 8, price: 10.00m)),
            M.Placed(5, "cancelled", BuyerGz, M.Bid(devices: 8, price: 10.00m)), new OrderCancelled("cancelled", BuyerGz, "bid", M.Now));

        foreach (var (party, id) in new[] { (BuyerSh, "filled"), (BuyerBj, "killed"), (BuyerGz, "cancelled"), (ProvA, "o1") })
        {
            Assert.Empty(market.When(new CancelOrder(party, id, Later)));
            Assert.Empty(market.When(new ReduceOrder(party, id, 1, Later)));
            Assert.Empty(market.When(new ReduceOrder(party, id, 100, Later)));   // even a reduce that would be invalid
        }

        // A resting GTC bid whose window started has expired: finished.
        var afterStart = M.BidWindow.From;
        Assert.Empty(market.When(new CancelOrder(BuyerGz, "resting", afterStart)));
        Assert.Empty(market.When(new ReduceOrder(BuyerGz, "resting", 1, afterStart)));
        Assert.Equal(OrderState.Expired, market.Status("resting", afterStart).State);
    }

    [Fact]
    public void IOC_partially_filled_and_killed_is_finished()
    {
        var o1 = M.Listed(1, "o1", ProvA, M.Offer(devices: 5));
        var b1 = M.Placed(2, "b1", BuyerSh, M.Bid(devices: 8, tif: "IOC"));
        var market = Market.Given(o1, b1, M.Traded(1, b1, o1, 5, 58.00m), new BidKilled("b1", BuyerSh, 3, M.Now));

        Assert.Empty(market.When(new CancelOrder(BuyerSh, "b1", Later)));
        Assert.Empty(market.When(new ReduceOrder(BuyerSh, "b1", 5, Later)));
        Assert.Equal(OrderState.PartiallyFilled, market.Status("b1", Later).State);
    }

    [Fact]
    public void Offer_whose_window_ended_cannot_be_cancelled_or_reduced()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer()));
        Assert.Empty(market.When(new CancelOrder(ProvA, "o1", M.OfferWindow.To)));
        Assert.Empty(market.When(new ReduceOrder(ProvA, "o1", 1, M.OfferWindow.To)));
        Assert.Equal(OrderState.Expired, market.Status("o1", M.OfferWindow.To).State);
    }
}
