using ComputeNet.Domain.Reference;

namespace ComputeNet.Domain.Market.Engine;

public enum ReplayOpKind : byte { Limit, Cancel }

/// <summary>
/// One line of a replay stream, interned: <see cref="Order"/> and <see cref="Party"/> are numbers the reader gave
/// the ids (0-based, dense). A cancel uses only <see cref="Kind"/> and <see cref="Order"/>.
/// </summary>
public readonly record struct ReplayOp(ReplayOpKind Kind, int Order, int Party, OrderSide Side, long PriceTicks, int Quantity, TimeInForce Tif);

/// <summary>A trade of a replay: the incoming order (taker), the resting one (maker), the resting price, the devices.</summary>
public readonly record struct ReplayTrade(int Taker, int Maker, long PriceTicks, int Quantity);

/// <summary>What a replay did: operations, accepted orders, repeats and rejections, trades (in <see cref="OrderReplay.Trades"/>).</summary>
public readonly record struct ReplayCounts(int Ops, int Accepted, int Repeats, int Rejected, int Cancelled, int Trades);

/// <summary>
/// Replays an order stream of one market through the <see cref="MatchingCore"/> that serves the API — for
/// benchmarks and audit. Every order is in one family, one cluster, one resource class and one window, and every
/// bid allows splits, so any bid is compatible with any offer on price; all other market rules apply unchanged:
/// ids unique per stream (a repeat with the same content changes nothing, other content is `id-reused`),
/// price-time priority, the resting order's price, self-trade prevention, GTC/IOC/FOK (offers only GTC),
/// cancels of finished orders change nothing. Apart from the trade list, nothing is allocated per order.
/// </summary>
public sealed class OrderReplay
{
    /// <summary>The one window every order of a replay shares, and the engine time (an hour before it starts).</summary>
    public const long WindowFromSeconds = 1_798_761_600; // 2027-01-01T00:00:00Z
    public const long WindowToSeconds = WindowFromSeconds + 24 * 3600;
    public const long NowSeconds = WindowFromSeconds - 3600;

    private readonly MatchingCore _core = new();
    private readonly OrderRef[] _refs;
    private readonly bool[] _accepted;
    private readonly ReplayOp[] _first;
    private readonly List<Fill> _fills = new(MarketLimits.MaxFillsPerOrder);
    private readonly SameLatency _latency = new();
    private ReplayTrade[] _trades;
    private long _seq;

    /// <param name="orders">How many distinct order ids the stream names (ids are 0 … orders − 1).</param>
    /// <param name="expectedTrades">Room for this many trades before the list grows.</param>
    public OrderReplay(int orders, int expectedTrades = 1024)
    {
        _refs = new OrderRef[orders];
        _accepted = new bool[orders];
        _first = new ReplayOp[orders];
        _trades = new ReplayTrade[Math.Max(16, expectedTrades)];
    }

    public ReadOnlySpan<ReplayTrade> Trades => _trades.AsSpan(0, Counts.Trades);

    public ReplayCounts Counts { get; private set; }

    /// <summary>Orders resting when the replay ended.</summary>
    public int Resting => _core.LiveOrders;

    /// <summary>The best <paramref name="levels"/> price levels of one side of the replayed book.</summary>
    public IReadOnlyList<DepthLevel> Depth(OrderSide side, int levels) => _core.Depth(ComputeFamily.Intelligent, side, null, levels, NowSeconds);

    /// <summary>
    /// SHA-256 over every trade in execution order (taker, maker, price ticks, quantity as little-endian int, int, long,
    /// int): what <c>replay</c> checks its three runs against and <c>bench engine</c> prints, so an engine change can be
    /// shown to leave the trades as they were.
    /// </summary>
    public static string TradeHash(ReadOnlySpan<ReplayTrade> trades)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[20];
        foreach (var t in trades)
        {
            BitConverter.TryWriteBytes(buffer, t.Taker);
            BitConverter.TryWriteBytes(buffer[4..], t.Maker);
            BitConverter.TryWriteBytes(buffer[8..], t.PriceTicks);
            BitConverter.TryWriteBytes(buffer[16..], t.Quantity);
            sha.AppendData(buffer);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public void Run(ReadOnlySpan<ReplayOp> ops)
    {
        int accepted = 0, repeats = 0, rejected = 0, cancelled = 0, trades = Counts.Trades;
        for (var i = 0; i < ops.Length; i++)
        {
            ref readonly var op = ref ops[i];
            if (op.Kind == ReplayOpKind.Cancel)
            {
                if (!_accepted[op.Order])
                {
                    rejected++; // `invalid`: no such order
                }
                else if (_core.IsLive(_refs[op.Order]))
                {
                    _core.Remove(_refs[op.Order]);
                    cancelled++;
                }
                continue;
            }
            if (_accepted[op.Order])
            {
                if (_first[op.Order] == op)
                {
                    repeats++;
                }
                else
                {
                    rejected++; // `id-reused`
                }
                continue;
            }
            if (op.Quantity is <= 0 or > MarketLimits.MaxDevicesPerOrder || op.PriceTicks <= 0
                || op.PriceTicks > (long)MarketLimits.MaxPrice * PriceTicks.PerYuan || (op.Side == OrderSide.Offer && op.Tif != TimeInForce.GTC))
            {
                rejected++; // `invalid`; a rejected order does not use up its id
                continue;
            }
            _accepted[op.Order] = true;
            _first[op.Order] = op;
            accepted++;
            trades = op.Side == OrderSide.Bid ? Bid(op, trades) : Offer(op, trades);
        }
        var c = Counts;
        Counts = new ReplayCounts(c.Ops + ops.Length, c.Accepted + accepted, c.Repeats + repeats, c.Rejected + rejected,
            c.Cancelled + cancelled, trades);
    }

    private int Bid(in ReplayOp op, int trades)
    {
        var bid = new BidOrder(op.Party, ComputeFamily.Intelligent, op.Quantity, 0m, 0, WindowFromSeconds, WindowToSeconds, LatencyTier.CrossHub,
            0m, op.PriceTicks, true, op.Tif, 0, ++_seq, op.Order);
        _refs[op.Order] = _core.SubmitBid(bid, _latency, _fills);
        foreach (var fill in _fills)
        {
            trades = Record(trades, new ReplayTrade(op.Order, fill.Tag, fill.PriceTicks, fill.Devices));
        }
        return trades;
    }

    private int Offer(in ReplayOp op, int trades)
    {
        var offer = new OfferOrder(op.Party, ComputeFamily.Intelligent, 0, 1m, 80, 1m, op.Quantity, WindowFromSeconds, WindowToSeconds,
            op.PriceTicks, ++_seq, op.Order);
        _refs[op.Order] = _core.SubmitOffer(offer, NowSeconds, _latency, _fills);
        foreach (var fill in _fills)
        {
            trades = Record(trades, new ReplayTrade(op.Order, fill.Tag, fill.PriceTicks, fill.Devices));
        }
        return trades;
    }

    private int Record(int count, in ReplayTrade trade)
    {
        if (count == _trades.Length)
        {
            Array.Resize(ref _trades, count * 2);
        }
        _trades[count] = trade;
        return count + 1;
    }

    /// <summary>One city, one cluster: every pair is 0 ms apart.</summary>
    private sealed class SameLatency : ILatencyTable
    {
        public decimal? LatencyMs(int city, int cluster) => 0m;
    }
}
