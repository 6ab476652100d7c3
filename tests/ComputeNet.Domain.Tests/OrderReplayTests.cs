using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;
using CsCheck;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// The engine on plain streams (one market where every bid is compatible with every offer on everything but price):
/// differential against a deliberately simple reference book, and the properties every trade must keep.
/// </summary>
public class OrderReplayTests
{
    /// <summary>A stream of 1–300 ops over 40 order ids, 4 parties (self-trades would be common), prices 10.00–10.09.</summary>
    private static readonly Gen<ReplayOp[]> Streams =
        Gen.Select(Gen.Int[0, 99], Gen.Int[0, 39], Gen.Int[0, 3], Gen.Int[0, 9], Gen.Int[1, 12], Gen.Int[0, 9])
            .Select((kind, order, party, price, quantity, tif) => kind < 15
                ? new ReplayOp(ReplayOpKind.Cancel, order, 0, default, 0, 0, default)
                : new ReplayOp(ReplayOpKind.Limit, order, party, kind < 57 ? OrderSide.Bid : OrderSide.Offer, 100_000 + price * 100, quantity,
                    kind >= 57 && tif > 0 ? TimeInForce.GTC : tif switch { 0 => TimeInForce.IOC, 1 => TimeInForce.FOK, _ => TimeInForce.GTC }))
            .Array[1, 300];

    [Fact]
    public void The_engine_trades_exactly_as_the_simple_reference_book()
    {
        Streams.Sample(ops =>
        {
            var replay = new OrderReplay(40);
            replay.Run(ops);
            var reference = ReferenceBook.Run(ops);
            Assert.Equal(reference.Trades, replay.Trades.ToArray());
            Assert.Equal(reference.Resting, replay.Resting);
        }, iter: 2_000);
    }

    [Fact]
    public void No_trade_is_above_the_bid_or_below_the_offer_and_no_order_is_overfilled()
    {
        Streams.Sample(ops =>
        {
            var replay = new OrderReplay(40);
            replay.Run(ops);
            var first = new Dictionary<int, ReplayOp>();
            foreach (var op in ops.Where(o => o.Kind == ReplayOpKind.Limit && (o.Side == OrderSide.Bid || o.Tif == TimeInForce.GTC)))
            {
                first.TryAdd(op.Order, op);
            }
            var filled = new Dictionary<int, int>();
            foreach (var t in replay.Trades)
            {
                var (taker, maker) = (first[t.Taker], first[t.Maker]);
                Assert.NotEqual(taker.Side, maker.Side);
                Assert.NotEqual(taker.Party, maker.Party);
                Assert.Equal(maker.PriceTicks, t.PriceTicks);
                var (bid, offer) = taker.Side == OrderSide.Bid ? (taker, maker) : (maker, taker);
                Assert.InRange(t.PriceTicks, offer.PriceTicks, bid.PriceTicks);
                filled[t.Taker] = filled.GetValueOrDefault(t.Taker) + t.Quantity;
                filled[t.Maker] = filled.GetValueOrDefault(t.Maker) + t.Quantity;
            }
            Assert.All(filled, f => Assert.InRange(f.Value, 1, first[f.Key].Quantity));
            Assert.All(first.Values.Where(o => o.Tif == TimeInForce.FOK), o => Assert.True(filled.GetValueOrDefault(o.Order) is 0 || filled[o.Order] == o.Quantity));
        }, iter: 1_000);
    }

    [Fact]
    public void The_same_stream_gives_the_same_trades()
    {
        Streams.Sample(ops =>
        {
            var a = new OrderReplay(40);
            var b = new OrderReplay(40);
            a.Run(ops);
            b.Run(ops);
            Assert.Equal(a.Trades.ToArray(), b.Trades.ToArray());
        }, iter: 200);
    }

    [Fact]
    public void Repeats_change_nothing_reused_ids_are_rejected_and_offers_cannot_be_IOC()
    {
        var replay = new OrderReplay(3);
        replay.Run([
            new ReplayOp(ReplayOpKind.Limit, 0, 0, OrderSide.Offer, 500_000, 10, TimeInForce.GTC),
            new ReplayOp(ReplayOpKind.Limit, 0, 0, OrderSide.Offer, 500_000, 10, TimeInForce.GTC),
            new ReplayOp(ReplayOpKind.Limit, 0, 0, OrderSide.Offer, 510_000, 10, TimeInForce.GTC),
            new ReplayOp(ReplayOpKind.Limit, 1, 1, OrderSide.Offer, 500_000, 10, TimeInForce.IOC),
            new ReplayOp(ReplayOpKind.Cancel, 2, 0, default, 0, 0, default),
            new ReplayOp(ReplayOpKind.Limit, 1, 1, OrderSide.Bid, 500_000, 4, TimeInForce.GTC),
        ]);
        Assert.Equal(new ReplayCounts(6, 2, 1, 3, 0, 1), replay.Counts);
        Assert.Equal([new ReplayTrade(1, 0, 500_000, 4)], replay.Trades.ToArray());
    }

    [Fact]
    public void A_finished_order_leaves_the_book_and_its_slot_is_reused_without_confusing_the_two()
    {
        var core = new MatchingCore();
        var first = core.AddOffer(new OfferOrder(0, Reference.ComputeFamily.Intelligent, 0, 1m, 80, 1m, 5, OrderReplay.WindowFromSeconds,
            OrderReplay.WindowToSeconds, 100, 1, 0));
        core.Remove(first);
        var second = core.AddOffer(new OfferOrder(0, Reference.ComputeFamily.Intelligent, 0, 1m, 80, 1m, 5, OrderReplay.WindowFromSeconds,
            OrderReplay.WindowToSeconds, 100, 2, 1));
        Assert.Equal(first.Slot, second.Slot);
        Assert.False(core.IsLive(first));
        Assert.True(core.IsLive(second));
        core.Remove(first); // stale: changes nothing
        Assert.Equal(1, core.LiveOrders);
    }

    [Fact]
    public void In_steady_state_the_engine_allocates_nothing_per_order()
    {
        const int warmUp = 2_000, measured = 10_000;
        var ops = new List<ReplayOp>();
        for (var i = 0; i < warmUp + measured; i++)
        {
            // An offer and a bid that trade whole, and an offer that rests and is cancelled: the book stays small.
            ops.Add(new ReplayOp(ReplayOpKind.Limit, 3 * i, i % 7, OrderSide.Offer, 500_000, 5, TimeInForce.GTC));
            ops.Add(new ReplayOp(ReplayOpKind.Limit, 3 * i + 1, 7 + i % 5, OrderSide.Bid, 500_100, 5, i % 3 == 0 ? TimeInForce.IOC : TimeInForce.GTC));
            ops.Add(new ReplayOp(ReplayOpKind.Limit, 3 * i + 2, i % 7, OrderSide.Offer, 510_000, 3, TimeInForce.GTC));
            ops.Add(new ReplayOp(ReplayOpKind.Cancel, 3 * i + 2, 0, default, 0, 0, default));
        }
        var stream = ops.ToArray();
        var replay = new OrderReplay(3 * (warmUp + measured), expectedTrades: warmUp + measured);
        replay.Run(stream.AsSpan(0, 4 * warmUp));
        // Windows of 1,000 iterations (4,000 operations) each.
        SteadyState.AssertAllocatesNothing(warmUp, warmUp + measured, i => replay.Run(stream.AsSpan(4 * i, 4)), windows: 10);
        Assert.Equal(warmUp + measured, replay.Counts.Trades);
    }

    /// <summary>
    /// The rules read as plainly as possible: lists scanned and sorted on every order, no levels, no slots.
    /// </summary>
    private static class ReferenceBook
    {
        private sealed class Order(ReplayOp op, long seq)
        {
            public ReplayOp Op { get; } = op;
            public long Seq { get; } = seq;
            public int Left { get; set; } = op.Quantity;
        }

        public static (ReplayTrade[] Trades, int Resting) Run(ReplayOp[] ops)
        {
            var resting = new List<Order>();
            var accepted = new Dictionary<int, ReplayOp>();
            var trades = new List<ReplayTrade>();
            long seq = 0;
            foreach (var op in ops)
            {
                if (op.Kind == ReplayOpKind.Cancel)
                {
                    resting.RemoveAll(o => o.Op.Order == op.Order);
                    continue;
                }
                if (accepted.ContainsKey(op.Order) || (op.Side == OrderSide.Offer && op.Tif != TimeInForce.GTC))
                {
                    continue;
                }
                accepted[op.Order] = op;
                var incoming = new Order(op, ++seq);
                var candidates = op.Side == OrderSide.Bid
                    ? resting.Where(o => o.Op.Side == OrderSide.Offer && o.Op.PriceTicks <= op.PriceTicks && o.Op.Party != op.Party)
                        .OrderBy(o => o.Op.PriceTicks).ThenBy(o => o.Seq).ToList()
                    : resting.Where(o => o.Op.Side == OrderSide.Bid && o.Op.PriceTicks >= op.PriceTicks && o.Op.Party != op.Party)
                        .OrderByDescending(o => o.Op.PriceTicks).ThenBy(o => o.Seq).ToList();
                if (op.Tif == TimeInForce.FOK && candidates.Sum(c => c.Left) < op.Quantity)
                {
                    continue;
                }
                foreach (var maker in candidates)
                {
                    if (incoming.Left == 0)
                    {
                        break;
                    }
                    var take = Math.Min(incoming.Left, maker.Left);
                    trades.Add(new ReplayTrade(op.Order, maker.Op.Order, maker.Op.PriceTicks, take));
                    incoming.Left -= take;
                    maker.Left -= take;
                }
                resting.RemoveAll(o => o.Left == 0);
                if (incoming.Left > 0 && op.Tif == TimeInForce.GTC)
                {
                    resting.Add(incoming);
                }
            }
            return (trades.ToArray(), resting.Count);
        }
    }
}
