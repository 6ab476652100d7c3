using ComputeNet.Domain.Reference;

namespace ComputeNet.Domain.Market.Engine;

/// <summary>A bid as the engine matches it: everything interned to integers, prices in ticks, window in Unix seconds.</summary>
public readonly record struct BidOrder(
    int Party, ComputeFamily Family, int Devices, decimal MinScuPerDevice, int MinMemoryGb, long FromSeconds, long ToSeconds,
    LatencyTier Tier, decimal MinGreen, long PriceTicks, bool Split, TimeInForce Tif, int City, long Seq, int Tag);

/// <summary>An offer as the engine matches it.</summary>
public readonly record struct OfferOrder(
    int Party, ComputeFamily Family, int Cluster, decimal ScuPerDevice, int MemoryGb, decimal GreenShare, int Devices,
    long FromSeconds, long ToSeconds, long PriceTicks, long Seq, int Tag);

/// <summary>A live order's place in the engine; <see cref="Generation"/> tells a reused slot from the order that held it before.</summary>
public readonly record struct OrderRef(int Slot, int Generation)
{
    public static readonly OrderRef None = new(-1, 0);
}

/// <summary>One fill a match decided: the resting order (slot and the caller's tag), the devices, the latency of the pair.</summary>
public readonly record struct Fill(OrderRef Resting, int Tag, int Devices, long PriceTicks, decimal LatencyMs);

/// <summary>A price level of the book as anyone may see it: price, number of orders, devices available.</summary>
public readonly record struct DepthLevel(long PriceTicks, int Orders, long Devices);

/// <summary>Latency between an interned city and an interned cluster, or null when there is no such pair.</summary>
public interface ILatencyTable
{
    decimal? LatencyMs(int city, int cluster);
}

/// <summary>The slot of a live order. Bids and offers share the attribute fields: a bid's minimum, an offer's value.</summary>
internal struct Slot
{
    public long PriceTicks;
    public long Seq;
    public long FromSeconds;
    public long ToSeconds;
    public int Party;
    public int Devices;
    /// <summary>Bid: devices traded. Offer: devices leased in every hour while <see cref="Leased"/> is null.</summary>
    public int Filled;
    public int Next;
    public int Prev;
    public int Tag;
    public int Generation;
    public bool Live;
    public bool IsBid;
    public ComputeFamily Family;
    public bool Split;
    public LatencyTier Tier;
    /// <summary>Bid: its city. Offer: its cluster.</summary>
    public int Place;
    /// <summary>Bid: the least it accepts. Offer: what it has. (Same for the next two.)</summary>
    public int MemoryGb;
    public decimal ScuPerDevice;
    public decimal GreenShare;
    /// <summary>Offer: devices leased per hour of its window, once a lease covered only part of it (rented from the shared pool).</summary>
    public int[]? Leased;
}

/// <summary>
/// The matching engine of market-rules §5: one book per compute family (a market), price-time priority by engine
/// sequence, trades at the resting order's price, split and all-from-one-offer bids, self-trade prevention,
/// GTC/IOC/FOK, an hourly capacity calendar per offer. Single-threaded and deterministic.
/// <para>
/// Matching (<see cref="MatchBid"/>, <see cref="MatchOffer"/>) only reads the book and writes the fills it decides
/// into the caller's list; the book changes only through <see cref="AddBid"/>, <see cref="AddOffer"/>,
/// <see cref="Fill(OrderRef, OrderRef, int)"/>, <see cref="Remove"/>, <see cref="Reduce"/> and
/// <see cref="Expire"/> — exactly what the market's events say — so the book rebuilt from the journal is the book
/// that decided. Finished orders leave the book and their slots are reused: in steady state nothing is allocated
/// per order.
/// </para>
/// </summary>
public sealed class MatchingCore
{
    private Slot[] _slots = new Slot[1024];
    private int _used;
    private int _free = -1;
    /// <summary>
    /// Offer ladders per family, one per cluster and device kind (SCU per device, memory): an incoming bid visits only
    /// the ladders within its latency tier whose devices meet its minimums.
    /// </summary>
    private readonly List<PriceLadder>[] _offerLadders = [[], [], []];
    private readonly Dictionary<(ComputeFamily, int Cluster, decimal Scu, int MemoryGb), PriceLadder> _offerLadderIndex = new();
    /// <summary>Bid ladders per family, by city × tier: an incoming offer visits only those its cluster is within.</summary>
    private readonly List<PriceLadder?>[] _bidLadders = [[], [], []];
    private Cursor[] _cursors = new Cursor[16];
    private int[] _heap = new int[16];
    private int _cursorCount;
    /// <summary>Cursors in the heap; -1 until the first <see cref="Next"/> of a match builds it.</summary>
    private int _heapSize;
    private readonly PriorityQueue<OrderRef, long> _bidStarts = new();
    private readonly PriorityQueue<OrderRef, long> _offerEnds = new();
    private readonly int[] _calendar = new int[MarketLimits.MaxWindowHours];

    /// <summary>Orders resting in the book now.</summary>
    public int LiveOrders { get; private set; }

    public bool IsLive(OrderRef order) =>
        order.Slot >= 0 && order.Slot < _used && _slots[order.Slot].Live && _slots[order.Slot].Generation == order.Generation;

    public OrderRef AddBid(in BidOrder b)
    {
        var slot = Allocate();
        ref var s = ref _slots[slot];
        s.IsBid = true;
        s.PriceTicks = b.PriceTicks;
        s.Seq = b.Seq;
        s.FromSeconds = b.FromSeconds;
        s.ToSeconds = b.ToSeconds;
        s.Party = b.Party;
        s.Devices = b.Devices;
        s.Filled = 0;
        s.Tag = b.Tag;
        s.Family = b.Family;
        s.Split = b.Split;
        s.Tier = b.Tier;
        s.Place = b.City;
        s.MemoryGb = b.MinMemoryGb;
        s.ScuPerDevice = b.MinScuPerDevice;
        s.GreenShare = b.MinGreen;
        BidLadder(b.Family, b.City, b.Tier).Append(-b.PriceTicks, slot, _slots);
        var order = new OrderRef(slot, s.Generation);
        _bidStarts.Enqueue(order, b.FromSeconds);
        CompactIfStale();
        return order;
    }

    public OrderRef AddOffer(in OfferOrder o)
    {
        var slot = Allocate();
        ref var s = ref _slots[slot];
        s.IsBid = false;
        s.PriceTicks = o.PriceTicks;
        s.Seq = o.Seq;
        s.FromSeconds = o.FromSeconds;
        s.ToSeconds = o.ToSeconds;
        s.Party = o.Party;
        s.Devices = o.Devices;
        s.Filled = 0;
        s.Tag = o.Tag;
        s.Family = o.Family;
        s.Place = o.Cluster;
        s.MemoryGb = o.MemoryGb;
        s.ScuPerDevice = o.ScuPerDevice;
        s.GreenShare = o.GreenShare;
        var ladder = OfferLadder(o.Family, o.Cluster, o.ScuPerDevice, o.MemoryGb);
        ladder.MaxGreenShare = Math.Max(ladder.MaxGreenShare, o.GreenShare);
        ladder.Append(o.PriceTicks, slot, _slots);
        var order = new OrderRef(slot, s.Generation);
        _offerEnds.Enqueue(order, o.ToSeconds);
        CompactIfStale();
        return order;
    }

    /// <summary>
    /// The fills an incoming bid gets from the resting offers of its family, lowest price first, then earliest
    /// arrival (market-rules §5). Reads the book only. FOK: no fills unless they cover every device.
    /// </summary>
    public void MatchBid(in BidOrder b, ILatencyTable latency, List<Fill> fills)
    {
        fills.Clear();
        _cursorCount = 0;
        _heapSize = -1;
        foreach (var ladder in _offerLadders[(int)b.Family])
        {
            if (ladder.Count > 0 && ladder.KeyAt(0) <= b.PriceTicks && ladder.ScuPerDevice >= b.MinScuPerDevice && ladder.MemoryGb >= b.MinMemoryGb
                && ladder.MaxGreenShare >= b.MinGreen && latency.LatencyMs(b.City, ladder.Cluster) is { } ms && Latency.Within(b.Tier, ms))
            {
                AddCursor(ladder, ms);
            }
        }
        var wanted = b.Devices;
        while (wanted > 0 && Next(b.PriceTicks, out var slot, out var latencyMs))
        {
            ref var o = ref _slots[slot];
            // SCU per device and memory are the ladder's own (checked when the cursor opened).
            if (o.FromSeconds > b.FromSeconds || o.ToSeconds < b.ToSeconds || o.Party == b.Party || o.GreenShare < b.MinGreen)
            {
                continue;
            }
            var free = MinFree(ref o, b.FromSeconds, b.ToSeconds);
            var take = b.Split ? Math.Min(wanted, free) : (free >= wanted ? wanted : 0);
            if (take <= 0)
            {
                continue;
            }
            fills.Add(new Fill(new OrderRef(slot, o.Generation), o.Tag, take, o.PriceTicks, latencyMs));
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
    }

    /// <summary>
    /// The fills an incoming offer makes with the live resting bids of its family (GTC, window not started at
    /// <paramref name="nowSeconds"/>), highest price first, then earliest arrival, each fill seeing what the earlier
    /// ones took from the offer's calendar. Reads the book only.
    /// </summary>
    public void MatchOffer(in OfferOrder o, long nowSeconds, ILatencyTable latency, List<Fill> fills)
    {
        fills.Clear();
        var hours = (int)((o.ToSeconds - o.FromSeconds) / 3600);
        Array.Clear(_calendar, 0, hours);
        var fullHours = 0;
        _cursorCount = 0;
        _heapSize = -1;
        var ladders = _bidLadders[(int)o.Family];
        decimal? ms = null;
        for (var i = 0; i < ladders.Count; i++)
        {
            if (i % Tiers == 0)
            {
                ms = latency.LatencyMs(i / Tiers, o.Cluster);
            }
            if (ladders[i] is { Count: > 0 } ladder && -ladder.KeyAt(0) >= o.PriceTicks && ms is { } m && Latency.Within((LatencyTier)(i % Tiers), m))
            {
                AddCursor(ladder, m);
            }
        }
        while (fills.Count < MarketLimits.MaxFillsPerOrder && fullHours < hours && Next(-o.PriceTicks, out var slot, out var latencyMs))
        {
            ref var b = ref _slots[slot];
            if (b.Party == o.Party || b.FromSeconds <= nowSeconds || o.ScuPerDevice < b.ScuPerDevice || o.MemoryGb < b.MemoryGb
                || o.GreenShare < b.GreenShare || o.FromSeconds > b.FromSeconds || o.ToSeconds < b.ToSeconds)
            {
                continue;
            }
            var first = (int)((b.FromSeconds - o.FromSeconds) / 3600);
            var end = (int)((b.ToSeconds - o.FromSeconds) / 3600);
            var free = int.MaxValue;
            for (var h = first; h < end; h++)
            {
                free = Math.Min(free, o.Devices - _calendar[h]);
            }
            var remaining = b.Devices - b.Filled;
            var take = b.Split ? Math.Min(remaining, free) : (free >= remaining ? remaining : 0);
            if (take <= 0)
            {
                continue;
            }
            for (var h = first; h < end; h++)
            {
                _calendar[h] += take;
                if (_calendar[h] == o.Devices)
                {
                    fullHours++;
                }
            }
            fills.Add(new Fill(new OrderRef(slot, b.Generation), b.Tag, take, b.PriceTicks, latencyMs));
        }
    }

    /// <summary>
    /// An incoming bid, decided and applied: matched, placed, filled; what is left of an IOC or FOK is killed.
    /// <paramref name="fills"/> holds its trades afterwards. Returns where it rests (not live if it did not).
    /// </summary>
    public OrderRef SubmitBid(in BidOrder b, ILatencyTable latency, List<Fill> fills)
    {
        MatchBid(b, latency, fills);
        var placed = AddBid(b);
        foreach (var fill in fills)
        {
            Fill(placed, fill.Resting, fill.Devices);
        }
        if (b.Tif != TimeInForce.GTC)
        {
            Remove(placed);
        }
        return placed;
    }

    /// <summary>An incoming offer, decided and applied: matched, listed, filled.</summary>
    public OrderRef SubmitOffer(in OfferOrder o, long nowSeconds, ILatencyTable latency, List<Fill> fills)
    {
        MatchOffer(o, nowSeconds, latency, fills);
        var listed = AddOffer(o);
        foreach (var fill in fills)
        {
            Fill(fill.Resting, listed, fill.Devices);
        }
        return listed;
    }

    /// <summary>
    /// Applies a trade of <paramref name="devices"/> between a live bid and a live offer over the bid's window;
    /// a bid filled, or an offer leased out in every hour, leaves the book.
    /// </summary>
    public void Fill(OrderRef bid, OrderRef offer, int devices)
    {
        if (!IsLive(bid) || !IsLive(offer) || !_slots[bid.Slot].IsBid || _slots[offer.Slot].IsBid)
        {
            throw new InvalidOperationException("a trade names an order that is not live in the book: invariant broken");
        }
        ref var b = ref _slots[bid.Slot];
        var (fromSeconds, toSeconds) = (b.FromSeconds, b.ToSeconds);
        b.Filled += devices;
        if (b.Filled > b.Devices)
        {
            throw new InvalidOperationException("bid over-filled: invariant broken");
        }
        if (b.Filled == b.Devices)
        {
            Remove(bid);
        }

        ref var o = ref _slots[offer.Slot];
        if (o.Leased is null && fromSeconds == o.FromSeconds && toSeconds == o.ToSeconds)
        {
            o.Filled += devices;
            if (o.Filled > o.Devices)
            {
                throw new InvalidOperationException("offer over-leased: invariant broken");
            }
        }
        else
        {
            var hours = (int)((o.ToSeconds - o.FromSeconds) / 3600);
            if (o.Leased is null)
            {
                o.Leased = RentCalendar(hours);
                Array.Fill(o.Leased, o.Filled, 0, hours);
            }
            var end = (int)((toSeconds - o.FromSeconds) / 3600);
            for (var h = (int)((fromSeconds - o.FromSeconds) / 3600); h < end; h++)
            {
                o.Leased[h] += devices;
                if (o.Leased[h] > o.Devices)
                {
                    throw new InvalidOperationException("offer over-leased: invariant broken");
                }
            }
        }
        if (LeasedOut(ref o))
        {
            Remove(offer);
        }
    }

    /// <summary>Takes a live order out of the book (cancel, kill, fill, expiry); its slot is reused.</summary>
    public void Remove(OrderRef order)
    {
        if (!IsLive(order))
        {
            return;
        }
        ref var s = ref _slots[order.Slot];
        if (s.IsBid)
        {
            BidLadder(s.Family, s.Place, s.Tier).Unlink(-s.PriceTicks, order.Slot, _slots);
        }
        else
        {
            OfferLadder(s.Family, s.Place, s.ScuPerDevice, s.MemoryGb).Unlink(s.PriceTicks, order.Slot, _slots);
        }
        if (s.Leased is not null)
        {
            ReturnCalendar(s.Leased);
            s.Leased = null;
        }
        s.Live = false;
        s.Generation++;
        s.Next = _free;
        _free = order.Slot;
        LiveOrders--;
    }

    /// <summary>Sets a live order's total device count (time priority kept); one with nothing left leaves the book.</summary>
    public void Reduce(OrderRef order, int devices)
    {
        if (!IsLive(order))
        {
            return;
        }
        ref var s = ref _slots[order.Slot];
        s.Devices = devices;
        if (s.IsBid ? s.Filled >= s.Devices : LeasedOut(ref s))
        {
            Remove(order);
        }
    }

    /// <summary>Takes out resting bids whose window has started and offers whose window has ended by <paramref name="nowSeconds"/>.</summary>
    public void Expire(long nowSeconds)
    {
        while (_bidStarts.TryPeek(out var bid, out var from) && from <= nowSeconds)
        {
            _bidStarts.Dequeue();
            Remove(bid);
        }
        while (_offerEnds.TryPeek(out var offer, out var to) && to <= nowSeconds)
        {
            _offerEnds.Dequeue();
            Remove(offer);
        }
    }

    /// <summary>
    /// Aggregated price levels of one side of a family's book, best first: price, orders, devices (bids: still
    /// wanted; offers: the most still free in some hour), optionally only offers in one cluster. No party is named.
    /// </summary>
    public IReadOnlyList<DepthLevel> Depth(ComputeFamily family, OrderSide side, int? cluster, int maxLevels, long nowSeconds)
    {
        var byPrice = new SortedDictionary<long, (int Orders, long Devices)>();
        IEnumerable<PriceLadder?> ladders = side == OrderSide.Bid ? _bidLadders[(int)family] : (IEnumerable<PriceLadder?>)_offerLadders[(int)family];
        foreach (var ladder in ladders)
        {
            if (ladder is null || (side == OrderSide.Offer && cluster is { } c && ladder.Cluster != c))
            {
                continue;
            }
            for (var level = 0; level < ladder.Count; level++)
            {
                for (var slot = ladder.HeadAt(level); slot >= 0; slot = _slots[slot].Next)
                {
                    ref var s = ref _slots[slot];
                    if (s.IsBid ? s.FromSeconds <= nowSeconds : s.ToSeconds <= nowSeconds)
                    {
                        continue;
                    }
                    var key = ladder.KeyAt(level);
                    var (orders, devices) = byPrice.GetValueOrDefault(key);
                    byPrice[key] = (orders + 1, devices + (s.IsBid ? s.Devices - s.Filled : s.Devices - LeastLeased(ref s)));
                }
            }
        }
        return byPrice.Take(maxLevels).Select(l => new DepthLevel(side == OrderSide.Bid ? -l.Key : l.Key, l.Value.Orders, l.Value.Devices)).ToList();
    }

    private static int MinFree(ref Slot o, long fromSeconds, long toSeconds)
    {
        if (o.Leased is null)
        {
            return o.Devices - o.Filled;
        }
        var min = int.MaxValue;
        var end = (int)((toSeconds - o.FromSeconds) / 3600);
        for (var h = (int)((fromSeconds - o.FromSeconds) / 3600); h < end; h++)
        {
            min = Math.Min(min, o.Devices - o.Leased[h]);
        }
        return min == int.MaxValue ? 0 : min;
    }

    private static int LeastLeased(ref Slot o)
    {
        if (o.Leased is null)
        {
            return o.Filled;
        }
        var hours = (int)((o.ToSeconds - o.FromSeconds) / 3600);
        var least = int.MaxValue;
        for (var h = 0; h < hours; h++)
        {
            least = Math.Min(least, o.Leased[h]);
        }
        return least;
    }

    private static bool LeasedOut(ref Slot o)
    {
        if (o.Leased is null)
        {
            return o.Filled >= o.Devices;
        }
        var hours = (int)((o.ToSeconds - o.FromSeconds) / 3600);
        for (var h = 0; h < hours; h++)
        {
            if (o.Leased[h] < o.Devices)
            {
                return false;
            }
        }
        return true;
    }

    private const int Tiers = 3;

    /// <summary>
    /// Per-hour calendars of offers leased for part of their window, by power-of-two size: an offer that leaves the
    /// book gives its calendar back, so the pool never holds more than the most such offers ever live at once (the
    /// shared array pool keeps only a few arrays per size and would allocate for every offer beyond them).
    /// </summary>
    private readonly Stack<int[]>[] _calendars = Enumerable.Range(0, 15).Select(_ => new Stack<int[]>()).ToArray();

    private int[] RentCalendar(int hours)
    {
        var sizeClass = System.Numerics.BitOperations.Log2(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(hours, 1)));
        return _calendars[sizeClass].TryPop(out var calendar) ? calendar : new int[1 << sizeClass];
    }

    private void ReturnCalendar(int[] calendar) => _calendars[System.Numerics.BitOperations.Log2((uint)calendar.Length)].Push(calendar);

    /// <summary>A position in one ladder during a match: the level and the slot to visit next (-1 = done).</summary>
    private struct Cursor
    {
        public PriceLadder Ladder;
        public int Level;
        public int Slot;
        public decimal LatencyMs;
        public long Key;
        public long Seq;
    }

    private PriceLadder OfferLadder(ComputeFamily family, int cluster, decimal scu, int memoryGb)
    {
        if (!_offerLadderIndex.TryGetValue((family, cluster, scu, memoryGb), out var ladder))
        {
            ladder = new PriceLadder { Cluster = cluster, ScuPerDevice = scu, MemoryGb = memoryGb };
            _offerLadderIndex[(family, cluster, scu, memoryGb)] = ladder;
            _offerLadders[(int)family].Add(ladder);
        }
        return ladder;
    }

    private PriceLadder BidLadder(ComputeFamily family, int city, LatencyTier tier) => LadderAt(_bidLadders[(int)family], city * Tiers + (int)tier);

    private static PriceLadder LadderAt(List<PriceLadder?> ladders, int index)
    {
        while (ladders.Count <= index)
        {
            ladders.Add(null);
        }
        return ladders[index] ??= new PriceLadder();
    }

    private void AddCursor(PriceLadder ladder, decimal latencyMs)
    {
        if (_cursorCount == _cursors.Length)
        {
            Array.Resize(ref _cursors, _cursorCount * 2);
            Array.Resize(ref _heap, _cursorCount * 2);
        }
        _cursors[_cursorCount++] = new Cursor { Ladder = ladder, Level = 0, Slot = ladder.HeadAt(0), LatencyMs = latencyMs };
    }

    /// <summary>
    /// The next resting order in priority order across the visited ladders (keys ascend from the best level in
    /// every ladder: price for offers, negated price for bids; ties by engine sequence), as long as its key is at
    /// most <paramref name="limitKey"/>. The cursors form a binary min-heap on (key, sequence), built on the first
    /// call of a match: each step is O(log ladders).
    /// </summary>
    private bool Next(long limitKey, out int slot, out decimal latencyMs)
    {
        if (_heapSize < 0)
        {
            _heapSize = 0;
            for (var c = 0; c < _cursorCount; c++)
            {
                if (_cursors[c].Slot >= 0)
                {
                    _cursors[c].Key = _cursors[c].Ladder.KeyAt(0);
                    _cursors[c].Seq = _slots[_cursors[c].Slot].Seq;
                    _heap[_heapSize++] = c;
                }
            }
            for (var i = _heapSize / 2 - 1; i >= 0; i--)
            {
                SiftDown(i);
            }
        }
        if (_heapSize == 0 || _cursors[_heap[0]].Key > limitKey)
        {
            (slot, latencyMs) = (-1, 0m);
            return false;
        }
        ref var chosen = ref _cursors[_heap[0]];
        (slot, latencyMs) = (chosen.Slot, chosen.LatencyMs);
        chosen.Slot = _slots[chosen.Slot].Next;
        if (chosen.Slot < 0 && ++chosen.Level < chosen.Ladder.Count)
        {
            chosen.Slot = chosen.Ladder.HeadAt(chosen.Level);
            chosen.Key = chosen.Ladder.KeyAt(chosen.Level);
        }
        if (chosen.Slot < 0)
        {
            _heap[0] = _heap[--_heapSize];
        }
        else
        {
            chosen.Seq = _slots[chosen.Slot].Seq;
        }
        SiftDown(0);
        return true;
    }

    private bool Before(int a, int b)
    {
        ref var x = ref _cursors[a];
        ref var y = ref _cursors[b];
        return x.Key < y.Key || (x.Key == y.Key && x.Seq < y.Seq);
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var smallest = i;
            var left = 2 * i + 1;
            if (left < _heapSize && Before(_heap[left], _heap[smallest]))
            {
                smallest = left;
            }
            if (left + 1 < _heapSize && Before(_heap[left + 1], _heap[smallest]))
            {
                smallest = left + 1;
            }
            if (smallest == i)
            {
                return;
            }
            (_heap[i], _heap[smallest]) = (_heap[smallest], _heap[i]);
            i = smallest;
        }
    }

    /// <summary>
    /// The expiry queues keep an entry for every order until its time comes, also for orders that left the book long
    /// before; when they hold more than twice the live orders they are rebuilt from the live ones (amortised O(1)),
    /// so memory follows the book, not the history.
    /// </summary>
    private void CompactIfStale()
    {
        if (_bidStarts.Count + _offerEnds.Count <= 2 * LiveOrders + 4096)
        {
            return;
        }
        _bidStarts.Clear();
        _offerEnds.Clear();
        for (var slot = 0; slot < _used; slot++)
        {
            ref var s = ref _slots[slot];
            if (s.Live)
            {
                if (s.IsBid)
                {
                    _bidStarts.Enqueue(new OrderRef(slot, s.Generation), s.FromSeconds);
                }
                else
                {
                    _offerEnds.Enqueue(new OrderRef(slot, s.Generation), s.ToSeconds);
                }
            }
        }
    }

    private int Allocate()
    {
        int slot;
        if (_free >= 0)
        {
            slot = _free;
            _free = _slots[slot].Next;
        }
        else
        {
            if (_used == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }
            slot = _used++;
        }
        _slots[slot].Live = true;
        _slots[slot].Next = _slots[slot].Prev = -1;
        LiveOrders++;
        return slot;
    }
}
