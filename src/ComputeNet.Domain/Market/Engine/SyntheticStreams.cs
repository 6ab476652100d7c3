using ComputeNet.Domain.Reference;

namespace ComputeNet.Domain.Market.Engine;

/// <summary>
/// Seeded synthetic order streams for the replay command, benchmarks and tests (same seed, same stream).
/// </summary>
public static class SyntheticStreams
{
    /// <summary>
    /// A plain, exchange-like stream of one market: a mid price wandering around 50.00 yuan; ~85 % limit orders
    /// within about ten 0.01-yuan steps of it (buy and sell alike, some crossing), ~10 % cancels of recent orders,
    /// ~4 % IOC and ~1 % FOK bids; 1–100 devices; 500 parties (so self-trade prevention happens now and then).
    /// Order <c>n</c> is <c>o{n}</c>, party <c>n</c> is <c>p{n}</c>.
    /// </summary>
    public static (ReplayOp[] Ops, int Orders) Plain(int count, int seed)
    {
        var random = new Random(seed);
        var recent = new List<int>(4096);
        var ops = new ReplayOp[count];
        long midCents = 5000;
        var orders = 0;
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(100);
            if (roll < 10 && recent.Count > 0)
            {
                var k = random.Next(recent.Count);
                ops[i] = new ReplayOp(ReplayOpKind.Cancel, recent[k], 0, default, 0, 0, default);
                recent[k] = recent[^1];
                recent.RemoveAt(recent.Count - 1);
                continue;
            }
            if (random.Next(50) == 0)
            {
                midCents = Math.Clamp(midCents + random.Next(-3, 4), 4000, 6000);
            }
            var order = orders++;
            var party = random.Next(500);
            var quantity = 1 + random.Next(100);
            var tif = TimeInForce.GTC;
            OrderSide side;
            long cents;
            if (roll >= 95)
            {
                side = OrderSide.Bid;
                tif = roll == 99 ? TimeInForce.FOK : TimeInForce.IOC;
                cents = midCents + random.Next(0, 6);
            }
            else if (random.Next(2) == 0)
            {
                side = OrderSide.Bid;
                cents = midCents - 1 - random.Next(-2, 10);
            }
            else
            {
                side = OrderSide.Offer;
                cents = midCents + 1 + random.Next(-2, 10);
            }
            ops[i] = new ReplayOp(ReplayOpKind.Limit, order, party, side, cents * (PriceTicks.PerYuan / 100), quantity, tif);
            if (tif == TimeInForce.GTC)
            {
                Remember(recent, random, order);
            }
        }
        return (ops, orders);
    }

    public enum MultiOpKind : byte { Bid, Offer, Cancel }

    /// <summary>
    /// One operation of a multi-attribute stream at <see cref="AtSeconds"/>; a cancel names the index of the op that
    /// placed the order.
    /// </summary>
    public readonly record struct MultiOp(MultiOpKind Kind, long AtSeconds, BidOrder Bid, OfferOrder Offer, int Cancels);

    /// <summary>A multi-attribute stream with the latency table its cities and clusters need.</summary>
    public sealed record MultiStream(MultiOp[] Ops, ILatencyTable Latencies);

    /// <summary>
    /// A multi-attribute stream: 3 families, 10 clusters, 20 cities, 6 resource classes (SCU per device, memory,
    /// green share vary), bids with mixed windows (1–24 h inside the next 3 days), latency tiers, minimums and
    /// commitment to split; offers with 1–3-day windows; prices around a per-family mid; ~10 % cancels,
    /// ~5 % IOC/FOK bids; 300 parties. Time moves one second per operation, so resting bids expire as their
    /// windows start and offers as theirs end.
    /// </summary>
    public static MultiStream MultiAttribute(int count, int seed)
    {
        const int clusters = 10, cities = 20, parties = 300;
        var random = new Random(seed);
        var latency = new decimal[cities, clusters];
        for (var c = 0; c < cities; c++)
        {
            for (var k = 0; k < clusters; k++)
            {
                latency[c, k] = Math.Round(0.3m + (decimal)random.NextDouble() * 24m, 2);
            }
        }
        var green = Enumerable.Range(0, clusters).Select(_ => Math.Round((decimal)random.NextDouble(), 2)).ToArray();
        (ComputeFamily Family, decimal Scu, int Memory)[] classes =
        [
            (ComputeFamily.Intelligent, 0.156m, 80), (ComputeFamily.Intelligent, 0.4945m, 80), (ComputeFamily.Intelligent, 0.0325m, 24),
            (ComputeFamily.General, 0.0021m, 4), (ComputeFamily.General, 0.0042m, 8), (ComputeFamily.Super, 0.039m, 64),
        ];
        long[] midTicks = [50_000, 580_000, 300_000];
        const long start = OrderReplay.NowSeconds;
        var ops = new MultiOp[count];
        var recent = new List<int>(4096);
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(100);
            var at = start + i;
            var hour = at - at % 3600;
            if (roll < 10 && recent.Count > 0)
            {
                var k = random.Next(recent.Count);
                ops[i] = new MultiOp(MultiOpKind.Cancel, at, default, default, recent[k]);
                recent[k] = recent[^1];
                recent.RemoveAt(recent.Count - 1);
                continue;
            }
            var rc = classes[random.Next(classes.Length)];
            var mid = midTicks[(int)rc.Family];
            var step = mid / 1000;
            var party = random.Next(parties);
            var devices = 1 + random.Next(64);
            if (roll < 55)
            {
                var from = hour + 3600 * (1 + random.Next(48));
                var tif = roll >= 50 ? (roll == 54 ? TimeInForce.FOK : TimeInForce.IOC) : TimeInForce.GTC;
                LatencyTier[] tiers = [LatencyTier.City, LatencyTier.Regional, LatencyTier.CrossHub, LatencyTier.CrossHub];
                var bid = new BidOrder(party, rc.Family, devices, random.Next(3) == 0 ? rc.Scu : 0m, random.Next(3) == 0 ? rc.Memory : 0,
                    from, from + 3600 * (1 + random.Next(24)), tiers[random.Next(tiers.Length)], random.Next(4) == 0 ? 0.5m : 0m,
                    mid + step * (random.Next(-10, 6) + (tif == TimeInForce.GTC ? 0 : 8)), random.Next(4) != 0, tif, random.Next(cities), i, i);
                ops[i] = new MultiOp(MultiOpKind.Bid, at, bid, default, -1);
                if (tif == TimeInForce.GTC)
                {
                    Remember(recent, random, i);
                }
            }
            else
            {
                var from = hour + 3600 * random.Next(24);
                var cluster = random.Next(clusters);
                var offer = new OfferOrder(party, rc.Family, cluster, rc.Scu, rc.Memory, green[cluster], devices * 4, from,
                    from + 3600 * 24 * (1 + random.Next(3)), mid + step * random.Next(-5, 11), i, i);
                ops[i] = new MultiOp(MultiOpKind.Offer, at, default, offer, -1);
                Remember(recent, random, i);
            }
        }
        return new MultiStream(ops, new MatrixLatencies(latency));
    }

    /// <summary>Sees the fills of every bid and offer of a multi-attribute run, in order (for trade hashes in tests and benchmarks).</summary>
    public interface IFillObserver
    {
        void Filled(int op, List<Fill> fills);
    }

    private readonly struct NoObserver : IFillObserver
    {
        public void Filled(int op, List<Fill> fills)
        {
        }
    }

    /// <summary>Runs a multi-attribute stream through a fresh engine; returns the number of trades.</summary>
    public static int Run(MultiStream stream, MatchingCore core, List<Fill> fills) => Run(stream, core, fills, default(NoObserver));

    /// <summary>Runs a multi-attribute stream through a fresh engine, showing <paramref name="observer"/> each op's fills; returns the number of trades.</summary>
    public static int Run<TObserver>(MultiStream stream, MatchingCore core, List<Fill> fills, TObserver observer) where TObserver : IFillObserver
    {
        var refs = new OrderRef[stream.Ops.Length];
        var trades = 0;
        for (var i = 0; i < stream.Ops.Length; i++)
        {
            ref readonly var op = ref stream.Ops[i];
            core.Expire(op.AtSeconds);
            switch (op.Kind)
            {
                case MultiOpKind.Bid:
                    refs[i] = core.SubmitBid(op.Bid, stream.Latencies, fills);
                    trades += fills.Count;
                    observer.Filled(i, fills);
                    break;
                case MultiOpKind.Offer:
                    refs[i] = core.SubmitOffer(op.Offer, op.AtSeconds, stream.Latencies, fills);
                    trades += fills.Count;
                    observer.Filled(i, fills);
                    break;
                default:
                    core.Remove(refs[op.Cancels]);
                    break;
            }
        }
        return trades;
    }

    /// <summary>Keeps up to 4,096 recent orders for cancels to pick from; a full list forgets one at random.</summary>
    private static void Remember(List<int> recent, Random random, int order)
    {
        if (recent.Count == 4096)
        {
            recent[random.Next(recent.Count)] = order;
        }
        else
        {
            recent.Add(order);
        }
    }

    private sealed class MatrixLatencies(decimal[,] ms) : ILatencyTable
    {
        public decimal? LatencyMs(int city, int cluster) => ms[city, cluster];
    }
}
