using ComputeNet.Domain.Market;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §4: order states at an instant, derived from the journal and the clock.</summary>
public class OrderStateTests
{
    [Fact]
    public void Resting_bid_expires_when_its_window_starts_whether_or_not_some_traded()
    {
        var o1 = M.Listed(1, "o1", ProvA, M.Offer(devices: 5));
        var partly = M.Placed(2, "partly", BuyerSh, M.Bid(devices: 8));
        var market = Market.Given(o1, partly, M.Traded(1, partly, o1, 5, 58.00m), M.Placed(3, "none", BuyerBj, M.Bid(price: 10.00m)));

        var justBefore = M.BidWindow.From.Minus(Duration.Epsilon);
        Assert.Equal(OrderState.PartiallyFilled, market.Status("partly", justBefore).State);
        Assert.Equal(OrderState.Resting, market.Status("none", justBefore).State);
        Assert.Equal(OrderState.Expired, market.Status("partly", M.BidWindow.From).State);
        Assert.Equal(OrderState.Expired, market.Status("none", M.BidWindow.From).State);
        Assert.Equal(5, market.Status("partly", M.BidWindow.From).DevicesFilled);
    }

    [Fact]
    public void Expired_bid_does_not_trade_with_an_offer_arriving_at_its_window_start()
    {
        var market = Market.Given(M.Placed(1, "b1", BuyerSh, M.Bid()));
        Assert.IsType<OfferListed>(Assert.Single(market.Offer(ProvA, "o1", M.Offer(), M.BidWindow.From)));
    }

    [Fact]
    public void Offer_states_resting_partially_filled_filled_expired()
    {
        var whole = M.Listed(1, "whole", ProvA, M.Offer(devices: 8, window: M.BidWindow));
        var part = M.Listed(2, "part", ProvB, M.Offer(devices: 8, price: 59.00m));
        var idle = M.Listed(3, "idle", ProvC, M.Offer(devices: 8, price: 65.00m));
        var b1 = M.Placed(4, "b1", BuyerSh, M.Bid(devices: 8, split: false));
        var b2 = M.Placed(5, "b2", BuyerBj, M.Bid(devices: 3, window: M.Hours(0, 2)));
        var market = Market.Given(whole, part, idle, b1, M.Traded(1, b1, whole, 8, 58.00m), b2, M.Traded(2, b2, part, 3, 59.00m));

        var during = Sh.Dec(2, 1);
        Assert.Equal((OrderState.Filled, 8), (market.Status("whole", during).State, market.Status("whole", during).DevicesFilled));
        Assert.Equal((OrderState.PartiallyFilled, 3), (market.Status("part", during).State, market.Status("part", during).DevicesFilled));
        Assert.Equal((OrderState.Resting, 0), (market.Status("idle", during).State, market.Status("idle", during).DevicesFilled));

        // After the window: a fully leased offer stays filled; one with devices free has expired.
        var after = M.OfferWindow.To;
        Assert.Equal(OrderState.Filled, market.Status("whole", after).State);
        Assert.Equal(OrderState.Expired, market.Status("part", after).State);
        Assert.Equal(OrderState.Expired, market.Status("idle", after).State);
        Assert.Equal(OrderState.PartiallyFilled, market.Status("part", after.Minus(Duration.Epsilon)).State);
    }

    [Fact]
    public void Statuses_list_every_accepted_order_in_arrival_order()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(devices: 5)));
        market.Bid(BuyerSh, "b1", M.Bid(devices: 8, tif: "IOC"));
        market.Bid(BuyerBj, "b2", M.Bid(devices: 8, tif: "FOK"));
        market.Bid(BuyerGz, "b3", M.Bid(devices: 8, price: 10.00m));

        Assert.Equal(
        [
            new OrderStatus("o1", ProvA, OrderSide.Offer, OrderState.PartiallyFilled, 5, 5, 1),
            new OrderStatus("b1", BuyerSh, OrderSide.Bid, OrderState.PartiallyFilled, 8, 5, 2),
            new OrderStatus("b2", BuyerBj, OrderSide.Bid, OrderState.Killed, 8, 0, 3),
            new OrderStatus("b3", BuyerGz, OrderSide.Bid, OrderState.Resting, 8, 0, 4),
        ], market.Book.Statuses(M.Now));
    }
}
