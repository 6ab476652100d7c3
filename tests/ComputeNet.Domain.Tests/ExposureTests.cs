using CsCheck;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Money;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §6: no accepted order can make a later total or balance leave ±(2^53 − 1) fen. Each order is bounded on its
/// own (<see cref="MoneyBoundsTests"/>); a party's orders and trades together are bounded by its exposure
/// (<see cref="OrderExposure"/>, ADR 0019), kept by the book and checked on arrival.
/// </summary>
public class ExposureTests
{
    private static readonly HourWindow Year = new(Sh.Dec(2, 0), Sh.Dec(2, 0).Plus(Duration.FromHours(MarketLimits.MaxWindowHours)));

    /// <summary>The family's largest class (0.4945 SCU): what a bid of the intelligent family is valued at.</summary>
    private static decimal LargestScu(Market market) => market.Catalogue.LargestScuPerDevice(Reference.ComputeFamily.Intelligent);

    /// <summary>1,000,000 devices for a year at 12,000 yuan: about 5.2e15 fen, 58 % of the bound; two of them are beyond it.</summary>
    private static BidSpec Big => M.Bid(devices: MarketLimits.MaxDevicesPerOrder, price: 12_000m, window: Year);

    [Fact]
    public void The_bid_that_would_take_a_buyer_beyond_the_bound_is_invalid_and_another_buyer_is_not_affected()
    {
        var market = Market.Given();
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b1", Big)));
        var first = market.Book.Exposure(BuyerSh);
        Assert.Equal(OrderExposure.Value((long)MarketLimits.MaxDevicesPerOrder * Year.Hours, LargestScu(market), 12_000m), first);
        Assert.InRange(first, Fen.MaxSafe / 2, Fen.MaxSafe);

        var refused = market.RejectedBid(new PlaceBid(BuyerSh, "b2", Big, M.Now));
        Assert.Equal((Codes.Invalid, "devices"), (refused.Code, refused.Field));
        Assert.Contains("9007199254740991", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(first, market.Book.Exposure(BuyerSh));

        // Exposure is per party: another buyer's identical bid is accepted.
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerBj, "b2", Big)));
        // What is left of the bound is still usable.
        var rest = Fen.MaxSafe - first;
        var fits = (int)(rest / OrderExposure.Value(Year.Hours, LargestScu(market), 12_000m)) - 1;
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b3", Big with { Devices = fits })));
        Assert.InRange(market.Book.Exposure(BuyerSh), first, Fen.MaxSafe);
    }

    [Fact]
    public void Cancelling_or_reducing_releases_what_never_traded()
    {
        var market = Market.Given();
        market.Bid(BuyerSh, "b1", Big);
        Assert.Equal(Codes.Invalid, market.RejectedBid(new PlaceBid(BuyerSh, "b2", Big, M.Now)).Code);

        market.When(new ReduceOrder(BuyerSh, "b1", 1, M.Now));
        Assert.Equal(OrderExposure.Value(Year.Hours, LargestScu(market), 12_000m), market.Book.Exposure(BuyerSh));
        market.When(new CancelOrder(BuyerSh, "b1", M.Now));
        Assert.Equal(0, market.Book.Exposure(BuyerSh));
        Assert.IsType<BidPlaced>(Assert.Single(market.Bid(BuyerSh, "b2", Big)));
    }

    [Fact]
    public void Filled_devices_stay_counted_and_an_expired_bid_releases_the_rest()
    {
        var market = Market.Given();
        var scu = LargestScu(market);
        market.Offer(ProvA, "o1", M.Offer(devices: 5));
        var offered = market.Book.Exposure(ProvA);
        market.Bid(BuyerSh, "b1", M.Bid(devices: 8));
        // 5 of the bid's 8 devices traded at the offer's price; the bid rests for 3 more.
        Assert.Equal(OrderExposure.Value(8L * M.BidWindow.Hours, scu, 60m), market.Book.Exposure(BuyerSh));
        Assert.Equal(offered, market.Book.Exposure(ProvA));

        // An order arriving once the bid's window started lets it expire: its 3 unfilled devices stop counting.
        market.Offer(ProvB, "o2", M.Offer(window: new HourWindow(Sh.Dec(3, 0), Sh.Dec(4, 0))), Sh.Dec(2, 1));
        Assert.Null(market.Book.Bid(BuyerSh, "b1"));
        Assert.Equal(OrderExposure.Value(5L * M.BidWindow.Hours, scu, 60m), market.Book.Exposure(BuyerSh));
    }

    [Fact]
    public void An_offer_that_trades_at_a_resting_bids_higher_price_adds_the_difference_to_the_provider()
    {
        var market = Market.Given();
        market.Bid(BuyerSh, "b1", M.Bid(devices: 8, price: 60m));
        var events = market.Offer(ProvA, "o1", M.Offer(devices: 64, price: 58m));
        var trade = Assert.Single(events.OfType<TradeExecuted>());
        Assert.Equal(60m, trade.Terms.Price);
        var listed = Assert.Single(events.OfType<OfferListed>());
        Assert.Equal(OrderExposure.Offer(listed, 64L * M.OfferWindow.Hours) + OrderExposure.Value(8L * M.BidWindow.Hours, listed.ScuPerDevice, 2m),
            market.Book.Exposure(ProvA));

        // The offer expires with 8 devices leased for 20 of its 24 hours: only the leased device-hours stay, with the difference.
        market.Bid(BuyerBj, "b2", M.Bid(window: new HourWindow(Sh.Dec(5, 0), Sh.Dec(5, 2))), Sh.Dec(3, 1));
        Assert.Null(market.Book.Offer(ProvA, "o1"));
        Assert.Equal(OrderExposure.Offer(listed, 8L * M.BidWindow.Hours) + OrderExposure.Value(8L * M.BidWindow.Hours, listed.ScuPerDevice, 2m),
            market.Book.Exposure(ProvA));
    }

    [Fact]
    public void An_offer_whose_trades_at_bid_prices_would_cross_the_bound_is_invalid_and_nothing_trades()
    {
        var market = Market.Given();
        // A provider near the bound with its first offer (1,000,000 devices for a year at 65,000 yuan: 8.9e15 fen), for a
        // year that starts after the bids below end.
        var later = new HourWindow(Sh.Dec(5, 0), Sh.Dec(5, 0).Plus(Duration.FromHours(MarketLimits.MaxWindowHours)));
        market.Offer(ProvA, "o1", M.Offer(devices: MarketLimits.MaxDevicesPerOrder, window: later, price: 65_000m));
        var left = Fen.MaxSafe - market.Book.Exposure(ProvA);
        // A cheap second offer fits at its own price…
        const int devices = 1_000_000;
        var cheap = M.Offer(devices: devices, price: 0.01m);
        var listed = M.Listed(0, "x", ProvA, cheap);
        Assert.True(OrderExposure.Offer(listed, (long)devices * M.OfferWindow.Hours) < left);
        // …but not while a resting bid at a far higher price would trade with it: the difference is the provider's too.
        var price = decimal.Ceiling(left / (devices * M.BidWindow.Hours * listed.ScuPerDevice * 100m)) + 1m;
        market.Bid(BuyerSh, "b1", M.Bid(devices: devices, price: price));
        var refused = market.RejectedOffer(new PlaceOffer(ProvA, "o2", cheap, M.Now));
        Assert.Equal((Codes.Invalid, "devices"), (refused.Code, refused.Field));
        Assert.Equal(0, market.Book.Bid(BuyerSh, "b1")!.Filled);

        // Once that bid is gone, the same offer is accepted.
        market.When(new CancelOrder(BuyerSh, "b1", M.Now));
        Assert.IsType<OfferListed>(Assert.Single(market.Offer(ProvA, "o2", cheap)));
    }

    [Fact]
    public void A_snapshot_and_a_replay_of_the_journal_give_the_same_exposures()
    {
        var market = Market.Given();
        market.Bid(BuyerSh, "b1", M.Bid(devices: 8, price: 60m));
        market.Offer(ProvA, "o1", M.Offer(devices: 5, price: 58m));
        market.Offer(ProvB, "o2", M.Offer(devices: 64, price: 59m));
        market.Bid(BuyerBj, "b2", M.Bid(devices: 20, price: 70m));
        market.When(new ReduceOrder(BuyerBj, "b2", 10, M.Now));
        market.When(new CancelOrder(ProvB, "o2", M.Now));
        Assert.NotEmpty(market.Book.Exposures);

        var restored = OrderBook.Restore(market.Book.Snapshot());
        Assert.Equal(market.Book.Exposures.OrderBy(e => e.Key), restored.Exposures.OrderBy(e => e.Key));

        var replayed = new OrderBook();
        foreach (var e in market.Journal)
        {
            replayed.Evolve(e);
        }
        Assert.Equal(market.Book.Exposures.OrderBy(e => e.Key), replayed.Exposures.OrderBy(e => e.Key));

        // The bid's valuation travels in its event and in the compact snapshot.
        var chunk = SnapshotCodec.Decode(SnapshotCodec.Encode(market.Book.Snapshot().Orders));
        Assert.All(chunk.Where(o => o.Bid is not null), o => Assert.Equal(LargestScu(market), o.Bid!.MaxScuPerDevice));
    }
}

/// <summary>The 128-bit path of <see cref="OrderExposure.Value"/> agrees with the exact rationals on every size it takes.</summary>
public class ExposureArithmeticTests
{
    [Fact]
    public void The_fast_value_equals_the_exact_one_and_declines_what_it_cannot_hold()
    {
        CsCheck.Gen.Select(CsCheck.Gen.Long[1, (1L << 40) - 1], CsCheck.Gen.Int[1, 99_999_999], CsCheck.Gen.Int[0, 8], CsCheck.Gen.Long[1, 10_000_000_000L], CsCheck.Gen.Int[0, 4])
            .Sample((hours, scuMantissa, scuScale, priceMantissa, priceScale) =>
            {
                var scu = new decimal(scuMantissa, 0, 0, false, (byte)scuScale);
                var price = new decimal((int)(priceMantissa & 0xFFFFFFFF), (int)(priceMantissa >> 32), 0, false, (byte)priceScale);
                var fast = OrderExposure.TryValueInt128(hours, scu, price);
                Assert.NotNull(fast);
                Assert.Equal(OrderExposure.Exact(hours, scu, price), fast!.Value);
            }, iter: 2_000);
        // Beyond its operands' range it declines, and Value still answers exactly.
        Assert.Null(OrderExposure.TryValueInt128(1L << 41, 1m, 1m));
        Assert.Null(OrderExposure.TryValueInt128(1, 0.000000000000001m, 1m));
        Assert.Equal(OrderExposure.Exact(1L << 41, 0.4945m, 12_000m), OrderExposure.Value(1L << 41, 0.4945m, 12_000m));
        // Half a fen rounds away from zero, then the one fen of margin: 1 device-hour × 0.005 SCU × 1 yuan = 0.5 fen → 1 + 1.
        Assert.Equal(2, OrderExposure.Value(1, 0.005m, 1m));
        Assert.Equal(1, OrderExposure.Value(1, 0.004m, 1m));
    }
}
