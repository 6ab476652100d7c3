using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;
using ComputeNet.Domain.Reference;
using CsCheck;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// The offer ladders' entries and window index (<c>OfferLadder</c>): invariants after every operation, a
/// differential test of <see cref="MatchingCore"/> against a reference that reads market-rules §5 as plainly as
/// possible on random multi-attribute streams (windows of every length, partial leases, reduces, cancels, expiry,
/// bids beyond the index's horizon), the full-hour summary bit by bit, the synthetic streams' trades pinned to the
/// engine before the index, and no allocation in steady state with the index on.
/// </summary>
public class EngineIndexTests
{
    private const long T0 = 1_798_761_600; // 2027-01-01T00:00:00Z, a whole hour

    [Fact]
    public void The_full_hour_summary_answers_like_the_bits_it_holds()
    {
        Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[0, 200], Gen.Int[1, 200]).Sample((lo, hi, first, length) =>
        {
            var entry = new OfferEntry { FullLo = lo, FullHi = hi };
            var end = first + length;
            var expected = false;
            for (var h = first; h < Math.Min(end, OfferEntry.SummaryHours); h++)
            {
                expected |= h < 64 ? (lo >> h & 1) != 0 : (hi >> (h - 64) & 1) != 0;
            }
            Assert.Equal(expected, entry.SummaryShowsFull(first, end));
        }, iter: 20_000);
    }

    [Fact]
    public void Marking_a_full_hour_sets_its_bit_only()
    {
        var entry = new OfferEntry();
        foreach (var hour in new[] { 0, 5, 63, 64, 100, 127, 128, 500 })
        {
            entry.MarkFull(hour);
        }
        Assert.Equal(1UL | 1UL << 5 | 1UL << 63, entry.FullLo);
        Assert.Equal(1UL | 1UL << 36 | 1UL << 63, entry.FullHi);
        Assert.True(entry.SummaryShowsFull(99, 101));
        Assert.False(entry.SummaryShowsFull(101, 127));
        Assert.False(entry.SummaryShowsFull(128, 600)); // past the summarised hours: the calendar decides
    }

    /// <summary>Random multi-attribute streams: each op decoded from 16 numbers.</summary>
    private static readonly Gen<int[][]> Streams = Gen.Int[0, 9_999].Array[16].Array[1, 150];

    [Fact]
    public void The_engine_trades_exactly_as_the_reference_on_multi_attribute_streams_and_keeps_its_index_exact()
    {
        Assert.SkipWhen(Stryker.IsRunning, Stryker.Reason);
        long trades = 0, indexedBids = 0, partialLeases = 0;
        Streams.Sample(stream =>
        {
            var core = new MatchingCore();
            var reference = new Reference();
            var refs = new Dictionary<int, OrderRef>();
            var fills = new List<Fill>();
            var at = T0 - 600;
            for (var i = 0; i < stream.Length; i++)
            {
                var r = stream[i];
                at += r[0] % 4 == 0 ? 3600 * (1 + r[1] % 12) : 60 * (r[1] % 45);
                core.Expire(at);
                reference.Expire(at);
                var hour = at - at % 3600;
                switch (r[2] % 10)
                {
                    case <= 3:
                    {
                        var (family, scu, memory) = Classes[r[4] % Classes.Length];
                        long[] lengths = [2, 5, 9, 30, 150];
                        var from = hour + 3600 * (r[9] % 12 - 3);
                        var to = Math.Max(from + 3600 * lengths[r[10] % lengths.Length], hour + 3600);
                        var offer = new OfferOrder(r[3] % 4, family, r[5] % 3, scu, memory, Greens[r[6] % Greens.Length], 1 + r[8] % 6,
                            from, to, 100 + r[11] % 5, i + 1, i);
                        refs[i] = core.SubmitOffer(offer, at, Latencies, fills);
                        var expected = reference.SubmitOffer(offer, at);
                        Assert.Equal(expected, fills.Select(Key).ToList());
                        break;
                    }
                    case <= 7:
                    {
                        var (family, scu, memory) = Classes[r[4] % Classes.Length];
                        var startsIn = r[8] % 8 == 0 ? 100 + r[12] % 60 : 1 + r[12] % 14; // some beyond the index's horizon
                        var from = hour + 3600 * startsIn;
                        var bid = new BidOrder(r[3] % 4, family, 1 + r[5] % 6, r[6] % 3 == 0 ? scu : 0m, r[7] % 3 == 0 ? memory : 0,
                            from, from + 3600 * (1 + r[9] % 8), (LatencyTier)(r[10] % 3), r[13] % 4 == 0 ? 0.5m : 0m, 100 + r[11] % 5,
                            r[14] % 3 != 0, (TimeInForce)(r[15] % 5 < 3 ? 0 : r[15] % 5 - 2), r[0] % 3, i + 1, i);
                        refs[i] = core.SubmitBid(bid, Latencies, fills);
                        var expected = reference.SubmitBid(bid);
                        Assert.Equal(expected, fills.Select(Key).ToList());
                        Interlocked.Add(ref trades, fills.Count);
                        if (startsIn < 100)
                        {
                            Interlocked.Increment(ref indexedBids);
                        }
                        break;
                    }
                    case 8:
                        if (refs.Count > 0)
                        {
                            var victim = refs.Keys.ElementAt(r[3] % refs.Count);
                            core.Remove(refs[victim]);
                            reference.Remove(victim);
                        }
                        break;
                    default:
                        if (refs.Count > 0)
                        {
                            var order = refs.Keys.ElementAt(r[3] % refs.Count);
                            if (reference.LeastAllowed(order) is { } allowed && core.IsLive(refs[order]))
                            {
                                var devices = Math.Max(allowed.Least, allowed.Current - 1 - r[4] % 3);
                                core.Reduce(refs[order], devices);
                                reference.Reduce(order, devices);
                            }
                        }
                        break;
                }
                core.Validate();
                Assert.Equal(reference.Live, core.LiveOrders);
                Interlocked.Add(ref partialLeases, reference.PartlyLeased);
            }
        }, iter: 1_500);
        // Not vacuous: trades happen, bids use the index, offers are leased for part of their windows.
        Assert.True(trades > 2_000 && indexedBids > 20_000 && partialLeases > 20_000, $"trades {trades}, bids {indexedBids}, partly leased {partialLeases}");
    }

    [Fact]
    public void The_synthetic_streams_trade_as_before_the_window_index()
    {
        // SHA-256 of every fill, in order, from the engine before the offer ladders and the window index (commit 0ec4f9b).
        Assert.Equal("33265c9e9e44de0d50f22e18b861406ec048c03dae9461a61d89b59f38d362ee", MultiHash(SyntheticStreams.MultiAttribute(50_000, 1)));
        var (plain, orders) = SyntheticStreams.Plain(50_000, 1);
        var replay = new OrderReplay(orders, 50_000);
        replay.Run(plain);
        Assert.Equal("dc5b025c6a8ae216dcb5be53d131b81fb81376c251e599ed8b26b58d6ffc93e2", OrderReplay.TradeHash(replay.Trades));
    }

    [Fact]
    public void With_the_window_index_on_the_engine_allocates_nothing_per_order_in_steady_state()
    {
        var core = new MatchingCore();
        var fills = new List<Fill>(MarketLimits.MaxFillsPerOrder);
        var offers = new OrderRef[64];
        Array.Fill(offers, OrderRef.None);
        void Step(int i)
        {
            var at = T0 + 600L * i;
            var hour = at - at % 3600;
            core.Expire(at);
            core.Remove(offers[i % offers.Length]);
            // Offers of two windows in one ladder (the index is on), bids leasing a few hours of them (calendars).
            offers[i % offers.Length] = core.SubmitOffer(new OfferOrder(i % 5, ComputeFamily.Intelligent, 0, 0.156m, 80, 0.5m, 8, hour + 3600,
                hour + 3600 * (i % 2 == 0 ? 25 : 49), 100 + i % 3, 2 * i + 1, 2 * i), at, Latencies, fills);
            core.SubmitBid(new BidOrder(5 + i % 3, ComputeFamily.Intelligent, 3, 0m, 0, hour + 7200, hour + 3600 * (3 + i % 5), LatencyTier.CrossHub,
                0m, 102, i % 4 != 0, i % 7 == 0 ? TimeInForce.IOC : TimeInForce.GTC, 0, 2 * i + 2, 2 * i + 1), Latencies, fills);
        }
        for (var i = 0; i < 20_000; i++)
        {
            Step(i);
        }
        core.Validate();
        SteadyState.AssertAllocatesNothing(20_000, 30_000, Step);
        core.Validate();
    }

    private static readonly (ComputeFamily Family, decimal Scu, int Memory)[] Classes =
    [
        (ComputeFamily.Intelligent, 0.156m, 80), (ComputeFamily.Intelligent, 0.4945m, 80), (ComputeFamily.General, 0.0042m, 8),
    ];

    private static readonly decimal[] Greens = [0.2m, 0.5m, 0.8m];

    /// <summary>3 cities × 3 clusters, every tier reachable.</summary>
    private static readonly ILatencyTable Latencies = new Table(new decimal[,] { { 0.5m, 3m, 15m }, { 4m, 0.8m, 25m }, { 18m, 2m, 1.0m } });

    private sealed class Table(decimal[,] ms) : ILatencyTable
    {
        public decimal? LatencyMs(int city, int cluster) => ms[city, cluster];
    }

    private static (int Tag, int Devices, long Price, decimal LatencyMs) Key(Fill f) => (f.Tag, f.Devices, f.PriceTicks, f.LatencyMs);

    private static string MultiHash(SyntheticStreams.MultiStream stream)
    {
        var hash = new Hasher();
        SyntheticStreams.Run(stream, new MatchingCore(), new List<Fill>(), hash);
        return Convert.ToHexStringLower(hash.Sha.GetHashAndReset());
    }

    /// <summary>The same bytes as <c>bench engine</c> hashes: op, resting tag, devices, price ticks, latency (decimal bits).</summary>
    private sealed class Hasher : SyntheticStreams.IFillObserver
    {
        public readonly IncrementalHash Sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _buffer = new byte[36];

        public void Filled(int op, List<Fill> fills)
        {
            foreach (var f in fills)
            {
                BitConverter.TryWriteBytes(_buffer, op);
                BitConverter.TryWriteBytes(_buffer.AsSpan(4), f.Tag);
                BitConverter.TryWriteBytes(_buffer.AsSpan(8), f.Devices);
                BitConverter.TryWriteBytes(_buffer.AsSpan(12), f.PriceTicks);
                decimal.GetBits(f.LatencyMs, MemoryMarshal.Cast<byte, int>(_buffer.AsSpan(20, 16)));
                Sha.AppendData(_buffer);
            }
        }
    }


    /// <summary>
    /// market-rules §5 read as plainly as possible: lists of live orders, an hourly calendar per offer, every match a
    /// filter and a sort. Tags are the op index; nothing is shared with the engine but the order records.
    /// </summary>
    private sealed class Reference
    {
        private sealed class Offer(OfferOrder o)
        {
            public OfferOrder O { get; } = o;
            public int Devices { get; set; } = o.Devices;
            public int[] Leased { get; } = new int[(int)((o.ToSeconds - o.FromSeconds) / 3600)];
            public int MinFree(long from, long to)
            {
                var min = int.MaxValue;
                for (var h = (int)((from - O.FromSeconds) / 3600); h < (to - O.FromSeconds) / 3600; h++)
                {
                    min = Math.Min(min, Devices - Leased[h]);
                }
                return min == int.MaxValue ? 0 : min;
            }
            public bool LeasedOut => Leased.All(l => l >= Devices);
        }

        private sealed class Bid(BidOrder b)
        {
            public BidOrder B { get; } = b;
            public int Devices { get; set; } = b.Devices;
            public int Filled { get; set; }
        }

        private readonly List<Offer> _offers = [];
        private readonly List<Bid> _bids = [];

        public int Live => _offers.Count + _bids.Count;

        /// <summary>Live offers leased for part of their window (some hours more leased than others).</summary>
        public int PartlyLeased => _offers.Count(o => o.Leased.Distinct().Count() > 1);

        private static bool Within(LatencyTier tier, decimal ms) => ms <= tier switch { LatencyTier.City => 1.0m, LatencyTier.Regional => 5.0m, _ => 20.0m };

        private static bool Compatible(BidOrder b, OfferOrder o) =>
            b.Family == o.Family && o.ScuPerDevice >= b.MinScuPerDevice && o.MemoryGb >= b.MinMemoryGb && o.GreenShare >= b.MinGreen
            && Within(b.Tier, Latencies.LatencyMs(b.City, o.Cluster)!.Value) && o.FromSeconds <= b.FromSeconds && b.ToSeconds <= o.ToSeconds
            && o.PriceTicks <= b.PriceTicks && o.Party != b.Party;

        public void Expire(long now)
        {
            _bids.RemoveAll(b => b.B.FromSeconds <= now);
            _offers.RemoveAll(o => o.O.ToSeconds <= now);
        }

        public List<(int, int, long, decimal)> SubmitBid(BidOrder b)
        {
            var fills = new List<(Offer Offer, int Devices)>();
            var wanted = b.Devices;
            foreach (var o in _offers.Where(o => Compatible(b, o.O)).OrderBy(o => o.O.PriceTicks).ThenBy(o => o.O.Seq))
            {
                if (wanted == 0)
                {
                    break;
                }
                var free = o.MinFree(b.FromSeconds, b.ToSeconds);
                var take = b.Split ? Math.Min(wanted, free) : free >= wanted ? wanted : 0;
                if (take <= 0)
                {
                    continue;
                }
                fills.Add((o, take));
                wanted -= take;
                if (!b.Split || fills.Count >= MarketLimits.MaxFillsPerOrder)
                {
                    break;
                }
            }
            if (b.Tif == TimeInForce.FOK && wanted > 0)
            {
                fills.Clear();
            }
            foreach (var (o, devices) in fills)
            {
                for (var h = (int)((b.FromSeconds - o.O.FromSeconds) / 3600); h < (b.ToSeconds - o.O.FromSeconds) / 3600; h++)
                {
                    o.Leased[h] += devices;
                }
                if (o.LeasedOut)
                {
                    _offers.Remove(o);
                }
            }
            var traded = fills.Sum(f => f.Devices);
            if (b.Tif == TimeInForce.GTC && traded < b.Devices)
            {
                _bids.Add(new Bid(b) { Filled = traded });
            }
            return fills.Select(f => (f.Offer.O.Tag, f.Devices, f.Offer.O.PriceTicks, Latencies.LatencyMs(b.City, f.Offer.O.Cluster)!.Value)).ToList();
        }

        public List<(int, int, long, decimal)> SubmitOffer(OfferOrder o, long now)
        {
            var offer = new Offer(o);
            var fills = new List<(Bid Bid, int Devices)>();
            var hours = offer.Leased.Length;
            foreach (var b in _bids.Where(b => Compatible(b.B with { PriceTicks = long.MaxValue }, o) && b.B.PriceTicks >= o.PriceTicks && b.B.FromSeconds > now)
                         .OrderByDescending(b => b.B.PriceTicks).ThenBy(b => b.B.Seq))
            {
                if (fills.Count >= MarketLimits.MaxFillsPerOrder || offer.LeasedOut)
                {
                    break;
                }
                var free = offer.MinFree(b.B.FromSeconds, b.B.ToSeconds);
                var remaining = b.Devices - b.Filled;
                var take = b.B.Split ? Math.Min(remaining, free) : free >= remaining ? remaining : 0;
                if (take <= 0)
                {
                    continue;
                }
                for (var h = (int)((b.B.FromSeconds - o.FromSeconds) / 3600); h < (b.B.ToSeconds - o.FromSeconds) / 3600; h++)
                {
                    offer.Leased[h] += take;
                }
                fills.Add((b, take));
            }
            foreach (var (b, devices) in fills)
            {
                b.Filled += devices;
                if (b.Filled == b.Devices)
                {
                    _bids.Remove(b);
                }
            }
            if (!offer.LeasedOut && hours > 0)
            {
                _offers.Add(offer);
            }
            return fills.Select(f => (f.Bid.B.Tag, f.Devices, f.Bid.B.PriceTicks, Latencies.LatencyMs(f.Bid.B.City, o.Cluster)!.Value)).ToList();
        }

        public void Remove(int tag)
        {
            _offers.RemoveAll(o => o.O.Tag == tag);
            _bids.RemoveAll(b => b.B.Tag == tag);
        }

        /// <summary>The least total a live order may be reduced to (what it traded; for an offer, its most leased hour), and its total now; null when not live.</summary>
        public (int Least, int Current)? LeastAllowed(int tag) =>
            _offers.Find(o => o.O.Tag == tag) is { } o ? (Math.Max(1, o.Leased.Max()), o.Devices)
            : _bids.Find(b => b.B.Tag == tag) is { } b ? (Math.Max(1, b.Filled), b.Devices)
            : null;

        public void Reduce(int tag, int devices)
        {
            if (_offers.Find(o => o.O.Tag == tag) is { } o)
            {
                o.Devices = devices;
                if (o.LeasedOut)
                {
                    _offers.Remove(o);
                }
            }
            else if (_bids.Find(b => b.B.Tag == tag) is { } b)
            {
                b.Devices = devices;
                if (b.Filled >= b.Devices)
                {
                    _bids.Remove(b);
                }
            }
        }
    }
}
