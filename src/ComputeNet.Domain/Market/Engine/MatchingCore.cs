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

/// <summary>The engine's time (<see cref="MatchingCore.Expire"/>) and the base hour of its offers' window index.</summary>
public readonly record struct EngineClock(long NowSeconds, long IndexBaseHour, bool IndexBaseSet);

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
    /// <summary>Bid: the next and previous bid of its price level. A free slot: the next free one.</summary>
    public int Next;
    public int Prev;
    /// <summary>Offer: its position in its price level (shares <see cref="Next"/>: a slot is a bid or an offer).</summary>
    public int Pos
    {
        readonly get => Next;
        set => Next = value;
    }
    /// <summary>Offer: where its ladder keeps its price level (shares <see cref="Prev"/>).</summary>
    public int Store
    {
        readonly get => Prev;
        set => Prev = value;
    }
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
    /// <summary>The ladder it rests in: a <see cref="PriceLadder"/> for a bid, an <see cref="OfferLadder"/> for an offer.</summary>
    public object? Ladder;
    public readonly OfferLadder? Offers => (OfferLadder?)Ladder;
    public readonly PriceLadder? Bids => (PriceLadder?)Ladder;
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
    private readonly List<OfferLadder>[] _offerLadders = [[], [], []];
    private readonly BestKeys[] _offerBests = [new(), new(), new()];
    private readonly Dictionary<(ComputeFamily, int Cluster, decimal Scu, int MemoryGb), OfferLadder> _offerLadderIndex = new();
    private readonly OfferLadderPools _ladderPools = new();
    /// <summary>The hour the offer ladders' window index counts from: moved forward with the engine's time (<see cref="Expire"/>).</summary>
    private long _indexBaseHour;
    private bool _indexBaseSet;
    /// <summary>The latest time <see cref="Expire"/> was given.</summary>
    private long _nowSeconds = long.MinValue;
    /// <summary>How far the engine's time may run ahead of the index's base hour before the base follows it.</summary>
    private const int IndexRebaseHours = 32;
    /// <summary>
    /// Bid ladders per family, by city × tier, and in each by the bids' green minimum (ascending): an incoming offer
    /// visits only those its cluster is within and its green share meets.
    /// </summary>
    private readonly List<List<PriceLadder>?>[] _bidLadders = [[], [], []];
    /// <summary>Per family, the best key of each city × tier's bid ladders (the lowest over its green minimums).</summary>
    private readonly BestKeys[] _bidBests = [new(), new(), new()];
    private Cursor[] _cursors = new Cursor[16];
    private int[] _heap = new int[16];
    private int _cursorCount;
    /// <summary>Cursors in the heap.</summary>
    private int _heapSize;
    private readonly PriorityQueue<OrderRef, long> _bidStarts = new();
    private readonly PriorityQueue<OrderRef, long> _offerEnds = new();
    private readonly int[] _calendar = new int[MarketLimits.MaxWindowHours];

    /// <summary>Orders resting in the book now.</summary>
    public int LiveOrders { get; private set; }

    /// <summary>
    /// When set, the tag of every order that leaves the book (filled, leased out, cancelled, killed, expired) is added
    /// here, in the order they leave: the caller's own records of them can then be let go. Reused, never reallocated
    /// in steady state.
    /// </summary>
    public List<int>? Departed { get; set; }

    /// <summary>The engine's clock: the latest time it was given and the hour its window index counts from (for snapshots).</summary>
    public EngineClock Clock => new(_nowSeconds, _indexBaseHour, _indexBaseSet);

    /// <summary>Sets the clock of an empty engine to a snapshot's, so the restored engine indexes offers as the original did.</summary>
    public void RestoreClock(EngineClock clock)
    {
        if (_used != 0)
        {
            throw new InvalidOperationException("the clock is restored into an empty engine only");
        }
        (_nowSeconds, _indexBaseHour, _indexBaseSet) = (clock.NowSeconds, clock.IndexBaseHour, clock.IndexBaseSet);
    }

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
        var ladder = BidLadder(b.Family, b.City, b.Tier, b.MinGreen);
        s.Ladder = ladder;
        ladder.Append(-b.PriceTicks, slot, _slots);
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
        ladder.NoteGreenShare(o.GreenShare);
        s.Ladder = ladder;
        ladder.Append(o.PriceTicks, new OfferEntry
        {
            Seq = o.Seq, FromSeconds = o.FromSeconds, ToSeconds = o.ToSeconds, Slot = slot, Party = o.Party,
        }, _slots, _indexBaseHour);
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
        var ladders = _offerLadders[(int)b.Family];
        var bests = _offerBests[(int)b.Family];
        for (var i = 0; i < ladders.Count; i++)
        {
            if (bests[i] > b.PriceTicks)
            {
                continue; // no offer here at the bid's price: the ladder itself is not read
            }
            var ladder = ladders[i];
            if (ladder.ScuPerDevice >= b.MinScuPerDevice && ladder.MemoryGb >= b.MinMemoryGb && ladder.MaxGreenShare >= b.MinGreen
                && latency.LatencyMs(b.City, ladder.Cluster) is { } ms && Latency.Within(b.Tier, ms))
            {
                AddCursor(ladder, b, ms);
            }
        }
        BuildHeap();
        var wanted = b.Devices;
        // The resting offers in price-time order across the cursors' ladders: the heap's top is the next one. An offer
        // that cannot trade is passed over (the order of those that can is unchanged): the window index passes over
        // whole blocks of them, and an entry tells for almost every other one without touching its slot.
        while (wanted > 0 && _heapSize > 0)
        {
            ref var c = ref _cursors[_heap[0]];
            ref var e = ref c.Offers!.LevelAt(c.Level).Entries[c.Pos];
            // SCU per device and memory are the ladder's own (checked when the cursor opened); so is green, unless some offer here is below the bid's minimum.
            var take = e.FromSeconds <= b.FromSeconds && e.ToSeconds >= b.ToSeconds && e.Party != b.Party
                && (!c.CheckGreen || _slots[e.Slot].GreenShare >= b.MinGreen)
                ? Take(ref e, b, wanted)
                : 0;
            if (take > 0)
            {
                ref var o = ref _slots[e.Slot];
                fills.Add(new Fill(new OrderRef(e.Slot, o.Generation), o.Tag, take, o.PriceTicks, c.LatencyMs));
                wanted -= take;
            }
            c.Pos++;
            if (c.Offers.Seek(ref c.Level, ref c.Pos, b.PriceTicks, c.FromHour, c.ToHour))
            {
                c.Key = c.Offers.KeyAt(c.Level);
                c.Seq = c.Offers.LevelAt(c.Level).Entries[c.Pos].Seq;
            }
            else
            {
                _heap[0] = _heap[--_heapSize];
            }
            SiftDown(0);
            if (take > 0 && (!b.Split || fills.Count >= MarketLimits.MaxFillsPerOrder))
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
    /// The devices bid <paramref name="b"/> takes from the offer of <paramref name="e"/> (window and party already
    /// checked), <paramref name="wanted"/> still wanted: split, the fewest free in any hour of its window (capped);
    /// all from one offer, all or none. The entry decides without the calendar when its least free devices suffice,
    /// or when its summary shows a full hour in the bid's window.
    /// </summary>
    private int Take(ref OfferEntry e, in BidOrder b, int wanted)
    {
        var need = b.Split ? 1 : wanted;
        int free;
        if (!e.HasCalendar)
        {
            free = _slots[e.Slot].Devices - _slots[e.Slot].Filled;
        }
        else
        {
            if (e.LeastFree < need)
            {
                var first = (int)((b.FromSeconds - e.FromSeconds) / 3600);
                var end = (int)((b.ToSeconds - e.FromSeconds) / 3600);
                if (e.SummaryShowsFull(first, end))
                {
                    return 0;
                }
            }
            free = MinFree(ref _slots[e.Slot], b.FromSeconds, b.ToSeconds);
        }
        return b.Split ? Math.Min(wanted, free) : (free >= wanted ? wanted : 0);
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
        var ladders = _bidLadders[(int)o.Family];
        var bests = _bidBests[(int)o.Family];
        decimal? ms = null;
        var msCity = -1;
        for (var i = 0; i < ladders.Count; i++)
        {
            if (-bests[i] < o.PriceTicks)
            {
                continue; // no bid of this city and tier at the offer's price: its ladders are not read
            }
            if (i / Tiers != msCity)
            {
                msCity = i / Tiers;
                ms = latency.LatencyMs(msCity, o.Cluster);
            }
            if (ladders[i] is not { } byGreen || ms is not { } m || !Latency.Within((LatencyTier)(i % Tiers), m))
            {
                continue;
            }
            for (var g = 0; g < byGreen.Count; g++)
            {
                var ladder = byGreen[g];
                if (-ladder.BestKey >= o.PriceTicks && (!ladder.AsksGreen || ladder.MinGreen <= o.GreenShare))
                {
                    AddCursor(ladder, m);
                }
            }
        }
        BuildHeap();
        while (fills.Count < MarketLimits.MaxFillsPerOrder && fullHours < hours && NextBid(-o.PriceTicks, out var slot, out var latencyMs))
        {
            ref var b = ref _slots[slot];
            // The green minimum is the ladder's own (checked when the cursor opened).
            if (b.Party == o.Party || b.FromSeconds <= nowSeconds || o.ScuPerDevice < b.ScuPerDevice || o.MemoryGb < b.MemoryGb
                || o.FromSeconds > b.FromSeconds || o.ToSeconds < b.ToSeconds)
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
        LeaseLive(offer, fromSeconds, toSeconds, devices);
    }

    /// <summary>
    /// Restores a live bid's fills from a snapshot (no trade is matched: the bid's devices already traded elsewhere);
    /// a bid filled whole leaves the book.
    /// </summary>
    public void RestoreFilled(OrderRef bid, int filled)
    {
        if (!IsLive(bid) || !_slots[bid.Slot].IsBid)
        {
            throw new InvalidOperationException("a restored fill names an order that is not a live bid");
        }
        ref var b = ref _slots[bid.Slot];
        b.Filled = filled;
        if (b.Filled >= b.Devices)
        {
            Remove(bid);
        }
    }

    /// <summary>
    /// Leases <paramref name="devices"/> of a live offer over <c>[fromSeconds, toSeconds)</c> (whole hours inside its
    /// window): the offer's half of a trade, and how a snapshot restores an offer's calendar run by run.
    /// </summary>
    public void Lease(OrderRef offer, long fromSeconds, long toSeconds, int devices)
    {
        if (!IsLive(offer) || _slots[offer.Slot].IsBid)
        {
            throw new InvalidOperationException("a lease names an order that is not a live offer: invariant broken");
        }
        LeaseLive(offer, fromSeconds, toSeconds, devices);
    }

    /// <summary>The offer's half of a trade, on an offer known to be live (the hot path of <see cref="Fill(OrderRef, OrderRef, int)"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void LeaseLive(OrderRef offer, long fromSeconds, long toSeconds, int devices)
    {
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
            // The entry keeps the calendar's summary: least free devices and full hours.
            ref var e = ref o.Offers!.EntryOf(offer.Slot, _slots);
            var hours = (int)((o.ToSeconds - o.FromSeconds) / 3600);
            if (o.Leased is null)
            {
                o.Leased = RentCalendar(hours);
                Array.Fill(o.Leased, o.Filled, 0, hours);
                e.HasCalendar = true;
                e.LeastFree = o.Devices - o.Filled;
            }
            var first = (int)((fromSeconds - o.FromSeconds) / 3600);
            var end = (int)((toSeconds - o.FromSeconds) / 3600);
            // The run of hours with a device free that holds the lease: the only hours whose run ends a full hour can change.
            var (runFirst, runEnd) = (first, end);
            while (runFirst > 0 && o.Leased[runFirst - 1] < o.Devices)
            {
                runFirst--;
            }
            while (runEnd < hours && o.Leased[runEnd] < o.Devices)
            {
                runEnd++;
            }
            var filledAnHour = false;
            for (var h = first; h < end; h++)
            {
                o.Leased[h] += devices;
                var free = o.Devices - o.Leased[h];
                if (free < 0)
                {
                    throw new InvalidOperationException("offer over-leased: invariant broken");
                }
                if (free < e.LeastFree)
                {
                    e.LeastFree = free;
                }
                if (free == 0)
                {
                    e.MarkFull(h);
                    filledAnHour = true;
                }
            }
            if (filledAnHour && !LeasedOut(ref o))
            {
                o.Offers!.FreeHoursChanged(offer.Slot, _slots, _indexBaseHour, o.FromSeconds + 3600L * runFirst, o.FromSeconds + 3600L * runEnd);
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
        Departed?.Add(s.Tag);
        if (s.IsBid)
        {
            s.Bids!.Unlink(-s.PriceTicks, order.Slot, _slots);
        }
        else
        {
            s.Offers!.Remove(s.PriceTicks, s.Pos, order.Slot, _slots, windowEnded: s.ToSeconds <= _nowSeconds);
        }
        if (s.Leased is not null)
        {
            ReturnCalendar(s.Leased);
            s.Leased = null;
        }
        s.Ladder = null;
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
        else if (!s.IsBid && s.Leased is not null)
        {
            // Fewer devices: the least free and the full hours are read again from the calendar.
            ref var e = ref s.Offers!.EntryOf(order.Slot, _slots);
            e.LeastFree = s.Devices - MostLeased(ref s);
            var hours = (int)((s.ToSeconds - s.FromSeconds) / 3600);
            for (var h = 0; h < Math.Min(hours, OfferEntry.SummaryHours); h++)
            {
                if (s.Leased![h] >= s.Devices)
                {
                    e.MarkFull(h);
                }
            }
            s.Offers!.FreeHoursChanged(order.Slot, _slots, _indexBaseHour, s.FromSeconds, s.ToSeconds);
        }
    }

    /// <summary>Takes out resting bids whose window has started and offers whose window has ended by <paramref name="nowSeconds"/>.</summary>
    public void Expire(long nowSeconds)
    {
        _nowSeconds = Math.Max(_nowSeconds, nowSeconds);
        var nowHour = nowSeconds / 3600;
        if (!_indexBaseSet || nowHour >= _indexBaseHour + IndexRebaseHours)
        {
            (_indexBaseHour, _indexBaseSet) = (nowHour, true);
            foreach (var ladders in _offerLadders)
            {
                foreach (var ladder in ladders)
                {
                    ladder.Rebase(nowHour, _slots);
                }
            }
        }
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
    /// Checks the ladders' invariants (for tests; see <see cref="Engine.OfferLadder.Validate"/>): window index summaries
    /// exact from the current hour on, never below what the offers have; best keys kept side by side as the ladders have them.
    /// </summary>
    internal void Validate()
    {
        var exactFrom = _nowSeconds == long.MinValue ? 0 : (int)Math.Clamp(_nowSeconds / 3600 - _indexBaseHour, 0, Engine.OfferLadder.IndexHours);
        var offers = 0;
        foreach (var ladders in _offerLadders)
        {
            foreach (var ladder in ladders)
            {
                ladder.Validate(_slots, exactFrom);
                for (var level = 0; level < ladder.Count; level++)
                {
                    offers += ladder.LevelAt(level).Live;
                }
            }
        }
        for (var family = 0; family < _offerLadders.Length; family++)
        {
            for (var i = 0; i < _offerLadders[family].Count; i++)
            {
                var ladder = _offerLadders[family][i];
                if (_offerBests[family][i] != ladder.BestKey || ladder.BestKey != (ladder.Count > 0 ? ladder.KeyAt(0) : long.MaxValue))
                {
                    throw new InvalidOperationException($"offer ladder {i}: best key {ladder.BestKey} kept as {_offerBests[family][i]}");
                }
            }
            for (var i = 0; i < _bidLadders[family].Count; i++)
            {
                var best = _bidLadders[family][i]?.Select(l => l.Count > 0 ? l.KeyAt(0) : long.MaxValue).DefaultIfEmpty(long.MaxValue).Min() ?? long.MaxValue;
                if (_bidBests[family][i] != best)
                {
                    throw new InvalidOperationException($"bid ladders {i}: best key {best} kept as {_bidBests[family][i]}");
                }
            }
        }
        var live = 0;
        for (var slot = 0; slot < _used; slot++)
        {
            live += _slots[slot].Live && !_slots[slot].IsBid ? 1 : 0;
        }
        if (live != offers)
        {
            throw new InvalidOperationException($"{live} live offers, {offers} in the ladders");
        }
    }

    /// <summary>
    /// Aggregated price levels of one side of a family's book, best first: price, orders, devices (bids: still
    /// wanted; offers: the most still free in some hour), optionally only offers in one cluster. No party is named.
    /// </summary>
    public IReadOnlyList<DepthLevel> Depth(ComputeFamily family, OrderSide side, int? cluster, int maxLevels, long nowSeconds)
    {
        var byPrice = new SortedDictionary<long, (int Orders, long Devices)>();
        void Count(long key, ref Slot s)
        {
            if (s.IsBid ? s.FromSeconds <= nowSeconds : s.ToSeconds <= nowSeconds)
            {
                return;
            }
            var (orders, devices) = byPrice.GetValueOrDefault(key);
            byPrice[key] = (orders + 1, devices + (s.IsBid ? s.Devices - s.Filled : s.Devices - LeastLeased(ref s)));
        }
        if (side == OrderSide.Bid)
        {
            foreach (var ladder in _bidLadders[(int)family].Where(g => g is not null).SelectMany(g => g!))
            {
                for (var level = 0; level < ladder.Count; level++)
                {
                    for (var slot = ladder.HeadAt(level); slot >= 0; slot = _slots[slot].Next)
                    {
                        Count(ladder.KeyAt(level), ref _slots[slot]);
                    }
                }
            }
        }
        else
        {
            foreach (var ladder in _offerLadders[(int)family])
            {
                if (cluster is { } c && ladder.Cluster != c)
                {
                    continue;
                }
                for (var level = 0; level < ladder.Count; level++)
                {
                    ref var l = ref ladder.LevelAt(level);
                    for (var pos = l.Head; pos < l.Tail; pos++)
                    {
                        if (l.Entries[pos].Slot >= 0)
                        {
                            Count(ladder.KeyAt(level), ref _slots[l.Entries[pos].Slot]);
                        }
                    }
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

    private static int MostLeased(ref Slot o)
    {
        if (o.Leased is null)
        {
            return o.Filled;
        }
        var hours = (int)((o.ToSeconds - o.FromSeconds) / 3600);
        var most = 0;
        for (var h = 0; h < hours; h++)
        {
            most = Math.Max(most, o.Leased[h]);
        }
        return most;
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
        /// <summary>Bid side: the ladder and the slot to visit next (-1 = done).</summary>
        public PriceLadder? Ladder;
        public int Slot;
        /// <summary>Offer side: the ladder and the position of the entry to visit next; the bid's hours in the ladder's window index (-1: not used).</summary>
        public OfferLadder? Offers;
        public int Pos;
        public int FromHour;
        public int ToHour;
        public int Level;
        public bool CheckGreen;
        public decimal LatencyMs;
        /// <summary>The visited order's price key and sequence: the heap's order.</summary>
        public long Key;
        public long Seq;
    }

    private OfferLadder OfferLadder(ComputeFamily family, int cluster, decimal scu, int memoryGb)
    {
        if (!_offerLadderIndex.TryGetValue((family, cluster, scu, memoryGb), out var ladder))
        {
            var bests = _offerBests[(int)family];
            ladder = new OfferLadder(_ladderPools) { Cluster = cluster, ScuPerDevice = scu, MemoryGb = memoryGb, Bests = bests, BestIndex = bests.Add() };
            _offerLadderIndex[(family, cluster, scu, memoryGb)] = ladder;
            _offerLadders[(int)family].Add(ladder);
        }
        return ladder;
    }

    private PriceLadder BidLadder(ComputeFamily family, int city, LatencyTier tier, decimal minGreen)
    {
        var ladders = _bidLadders[(int)family];
        var bests = _bidBests[(int)family];
        var index = city * Tiers + (int)tier;
        while (ladders.Count <= index)
        {
            ladders.Add(null);
            bests.Add();
        }
        var byGreen = ladders[index] ??= [];
        var at = 0;
        while (at < byGreen.Count && byGreen[at].MinGreen < minGreen)
        {
            at++;
        }
        if (at == byGreen.Count || byGreen[at].MinGreen != minGreen)
        {
            byGreen.Insert(at, new PriceLadder { MinGreen = minGreen, Bests = bests, BestIndex = index, Group = byGreen });
        }
        return byGreen[at];
    }

    private ref Cursor NewCursor()
    {
        if (_cursorCount == _cursors.Length)
        {
            Array.Resize(ref _cursors, _cursorCount * 2);
            Array.Resize(ref _heap, _cursorCount * 2);
        }
        return ref _cursors[_cursorCount++];
    }

    /// <summary>A cursor at the best bid of a (non-empty) bid ladder.</summary>
    private void AddCursor(PriceLadder ladder, decimal latencyMs)
    {
        // Field by field: a struct literal would be a zeroed temporary in every caller's frame.
        var slot = ladder.HeadAt(0);
        ref var c = ref NewCursor();
        c.Ladder = ladder;
        c.Slot = slot;
        c.Level = 0;
        c.LatencyMs = latencyMs;
        c.Key = ladder.KeyAt(0);
        c.Seq = _slots[slot].Seq;
    }

    /// <summary>A cursor at the first offer of a ladder that bid <paramref name="b"/> may take from (none: no cursor).</summary>
    private void AddCursor(OfferLadder ladder, in BidOrder b, decimal latencyMs)
    {
        var (fromHour, toHour) = ladder.IndexHoursOf(b.FromSeconds, b.ToSeconds);
        int level = 0, pos = 0;
        if (ladder.Seek(ref level, ref pos, b.PriceTicks, fromHour, toHour))
        {
            ref var c = ref NewCursor();
            c.Offers = ladder;
            c.Level = level;
            c.Pos = pos;
            c.FromHour = fromHour;
            c.ToHour = toHour;
            c.LatencyMs = latencyMs;
            c.CheckGreen = !ladder.SameGreen && ladder.MinGreenShare < b.MinGreen;
            c.Key = ladder.KeyAt(level);
            c.Seq = ladder.LevelAt(level).Entries[pos].Seq;
        }
    }

    /// <summary>
    /// Makes the cursors a binary min-heap on (key, sequence): keys ascend from the best level in every ladder (price
    /// for offers, negated price for bids), so the top is the next order in price-time priority across the ladders
    /// and each step costs O(log ladders).
    /// </summary>
    private void BuildHeap()
    {
        _heapSize = _cursorCount;
        for (var c = 0; c < _cursorCount; c++)
        {
            _heap[c] = c;
        }
        for (var i = _heapSize / 2 - 1; i >= 0; i--)
        {
            SiftDown(i);
        }
    }

    /// <summary>The next resting bid in priority order across the visited bid ladders, as long as its key is at most <paramref name="limitKey"/>.</summary>
    private bool NextBid(long limitKey, out int slot, out decimal latencyMs)
    {
        if (_heapSize == 0 || _cursors[_heap[0]].Key > limitKey)
        {
            (slot, latencyMs) = (-1, 0m);
            return false;
        }
        ref var chosen = ref _cursors[_heap[0]];
        (slot, latencyMs) = (chosen.Slot, chosen.LatencyMs);
        chosen.Slot = _slots[chosen.Slot].Next;
        if (chosen.Slot < 0 && ++chosen.Level < chosen.Ladder!.Count)
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
