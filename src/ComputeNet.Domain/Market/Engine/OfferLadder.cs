using System.Numerics;
using System.Runtime.CompilerServices;

namespace ComputeNet.Domain.Market.Engine;

/// <summary>
/// A resting offer as an incoming bid scans it: everything the bid's window and capacity checks read, in one
/// contiguous record, so that a bid walks its compatible offers through memory in order instead of chasing
/// slots. The order's other fields stay in its <see cref="Slot"/>, read only for an offer that trades.
/// </summary>
internal struct OfferEntry
{
    /// <summary>Bits of the capacity summary that live in the entry: the first hours of the offer's window.</summary>
    public const int SummaryHours = 128;

    public long Seq;
    public long FromSeconds;
    public long ToSeconds;
    /// <summary>Bit h (h &lt; 64): hour h of the offer's window has no device free. Bits are only ever set: leases only add and a reduce only lowers the devices.</summary>
    public ulong FullLo;
    /// <summary>The same for hours 64–127.</summary>
    public ulong FullHi;
    /// <summary>The offer's slot, or -1 once it left the level (a gap until the level is compacted).</summary>
    public int Slot;
    public int Party;
    /// <summary>
    /// Once the offer has a calendar (<see cref="HasCalendar"/>): the fewest devices free in any hour of its window.
    /// (Without one, every hour has the same devices free, and the slot says how many.)
    /// </summary>
    public int LeastFree;
    public bool HasCalendar;

    /// <summary>
    /// True when the summary shows an hour of [<paramref name="first"/>, <paramref name="end"/>) (hour indices in the
    /// offer's window) with no device free. Hours from <see cref="SummaryHours"/> on are not in the summary: false
    /// says only that none of the summarised hours is full.
    /// </summary>
    public readonly bool SummaryShowsFull(int first, int end)
    {
        if (first < 64)
        {
            var mask = end >= 64 ? ulong.MaxValue << first : (ulong.MaxValue << first) & ((1UL << end) - 1);
            if ((FullLo & mask) != 0)
            {
                return true;
            }
        }
        if (end > 64 && first < SummaryHours)
        {
            var lo = Math.Max(first, 64) - 64;
            var hi = Math.Min(end, SummaryHours) - 64;
            var mask = hi >= 64 ? ulong.MaxValue << lo : (ulong.MaxValue << lo) & ((1UL << hi) - 1);
            return (FullHi & mask) != 0;
        }
        return false;
    }

    /// <summary>Whether the summary marks hour <paramref name="hour"/> (below <see cref="SummaryHours"/>) of the offer's window full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool IsFull(int hour) => ((hour < 64 ? FullLo >> hour : FullHi >> (hour - 64)) & 1) != 0;

    /// <summary>Records that hour <paramref name="hour"/> of the offer's window has no device free (a no-op past the summarised hours).</summary>
    public void MarkFull(int hour)
    {
        if (hour < 64)
        {
            FullLo |= 1UL << hour;
        }
        else if (hour < SummaryHours)
        {
            FullHi |= 1UL << (hour - 64);
        }
    }
}

/// <summary>
/// Arrays by power-of-two size, handed back when a level empties or grows: in steady state a level's arrays are
/// never allocated.
/// </summary>
internal sealed class LevelArrayPool<T>
{
    private readonly Stack<T[]>[] _free = Enumerable.Range(0, 31).Select(_ => new Stack<T[]>()).ToArray();

    /// <summary>An array of exactly <paramref name="size"/> (a power of two) elements; a returned one holds old contents.</summary>
    public T[] Rent(int size)
    {
        var sizeClass = BitOperations.Log2((uint)size);
        return _free[sizeClass].TryPop(out var array) ? array : new T[1 << sizeClass];
    }

    public void Return(T[] array) => _free[BitOperations.Log2((uint)array.Length)].Push(array);
}

/// <summary>The arrays an engine's offer ladders share.</summary>
internal sealed class OfferLadderPools
{
    public readonly LevelArrayPool<OfferEntry> Entries = new();
    public readonly LevelArrayPool<byte> Summaries = new();
}

/// <summary>
/// The offer side of one sub-market (family, cluster, SCU per device, memory): price levels sorted lowest price
/// first (keys and level ids, binary search; the levels themselves stay in place in a store), and in each level the
/// offers in arrival order as a contiguous array of <see cref="OfferEntry"/> records. An offer that leaves turns its
/// entry into a gap; the ends of a level are trimmed at once, and a level whose gaps outnumber its offers is
/// compacted, so a scan crosses at most about one gap per offer and every operation is amortised O(1) after the
/// level's binary search. Each offer's slot holds its level's place in the store and its position
/// (<see cref="Slot.Store"/>, <see cref="Slot.Pos"/>), kept up to date when entries move.
/// <para>
/// <b>Window index.</b> Once the ladder holds offers of different windows, or an offer with a full hour, it is
/// <see cref="Indexed"/>: each level keeps, per block of <see cref="BlockSize"/> positions and per hour <c>h</c> of
/// the next <see cref="IndexHours"/> hours from the engine's base hour, the latest end of a run of hours with a
/// device free that contains <c>h</c>, over the block's offers (0: none free at <c>h</c>). A bid that starts at
/// hour <c>f</c> and ends at <c>t</c> can take a device from some offer of the block exactly when that value at
/// <c>f</c> is at least <c>t</c>; a scan skips every other block whole. The summary is exact from the engine's
/// current hour on: it is recomputed for a block (in the hours that changed) whenever one of its offers leaves or
/// gets a full hour, and for the whole level when its entries move or the base hour moves. (An offer whose window
/// ended leaves its past hours as they were: they may claim more than the block has, which costs a look, never a
/// trade.) Bids outside the horizon scan every offer, as without the index.
/// </para>
/// </summary>
internal sealed class OfferLadder(OfferLadderPools pools)
{
    /// <summary>Hours the window index covers from its base hour (a bid must start within them to use it).</summary>
    public const int IndexHours = 128;
    /// <summary>Run ends are stored in a byte relative to the base hour; this value means "this hour or later".</summary>
    public const int EndBeyond = byte.MaxValue;
    public const int BlockShift = 3;
    public const int BlockSize = 1 << BlockShift;
    private const int MinEntries = BlockSize;

    /// <summary>
    /// A level: entries [<see cref="Head"/>, <see cref="Tail"/>) of <see cref="Entries"/> in arrival order, the first
    /// and last of them live; when indexed, <see cref="Summary"/>[h × blocks + block] is the block's latest free-run
    /// end (relative to the base hour) through hour h.
    /// </summary>
    internal struct Level
    {
        public OfferEntry[] Entries;
        public byte[]? Summary;
        public int Head;
        public int Tail;
        public int Live;
    }

    private long[] _keys = new long[16];
    /// <summary>The level at each price, by its place in <see cref="_store"/>: only these two arrays shift when a level comes or goes.</summary>
    private int[] _ids = new int[16];
    /// <summary>Levels where they stay while they live (a slot's <see cref="Slot.Store"/>); free places are stacked in <see cref="_freeIds"/>.</summary>
    private Level[] _store = new Level[16];
    private int[] _freeIds = new int[16];
    private int _freeCount;
    private int _storeUsed;
    private bool _hasWindow;
    private long _windowFrom;
    private long _windowTo;
    /// <summary>The hour (Unix seconds / 3600) the index's hours count from.</summary>
    private long _baseHour;

    public int Count { get; private set; }

    /// <summary>The key of the best level, <see cref="long.MaxValue"/> when empty: a match looks at it before anything else of the ladder.</summary>
    public long BestKey { get; private set; } = long.MaxValue;

    /// <summary>Where the engine keeps this ladder's best key next to its family's others, updated as it changes.</summary>
    public BestKeys? Bests { get; init; }
    public int BestIndex { get; init; }

    private void SetBest(long key)
    {
        BestKey = key;
        Bests?.Set(BestIndex, key);
    }

    /// <summary>The cluster, SCU per device and memory every offer in it has.</summary>
    public int Cluster { get; init; }
    public decimal ScuPerDevice { get; init; }
    public int MemoryGb { get; init; }
    /// <summary>The greenest and the least green share ever listed here: a bid whose minimum is at most the least needs no check per offer.</summary>
    public decimal MaxGreenShare { get; private set; }
    public decimal MinGreenShare { get; private set; }
    /// <summary>Every offer ever listed here had the same green share (as offers of one cluster usually do).</summary>
    public bool SameGreen { get; private set; } = true;
    private bool _anyGreen;

    /// <summary>Takes note of the green share of an offer listed here.</summary>
    public void NoteGreenShare(decimal green)
    {
        if (!_anyGreen)
        {
            (_anyGreen, MaxGreenShare, MinGreenShare) = (true, green, green);
        }
        else if (!SameGreen || green != MaxGreenShare)
        {
            SameGreen = false;
            MaxGreenShare = Math.Max(MaxGreenShare, green);
            MinGreenShare = Math.Min(MinGreenShare, green);
        }
    }

    /// <summary>Whether the levels keep the window index (see the class summary).</summary>
    public bool Indexed { get; private set; }

    public long KeyAt(int level) => _keys[level];

    public ref Level LevelAt(int level) => ref _store[_ids[level]];

    /// <summary>
    /// Appends <paramref name="entry"/> at the back of the level with <paramref name="key"/>, creating the level if
    /// needed. An offer whose window differs from the ones before turns the index on (from <paramref name="baseHour"/>).
    /// </summary>
    public void Append(long key, in OfferEntry entry, Slot[] slots, long baseHour)
    {
        if (!_hasWindow)
        {
            (_hasWindow, _windowFrom, _windowTo) = (true, entry.FromSeconds, entry.ToSeconds);
        }
        var level = PriceLadder.Search(_keys, Count, key);
        if (level < 0)
        {
            level = ~level;
            InsertLevel(level, key);
        }
        ref var l = ref _store[_ids[level]];
        var moved = false;
        if (l.Tail == l.Entries.Length)
        {
            moved = true;
            if (2 * l.Live <= l.Entries.Length)
            {
                Compact(ref l, l.Entries, slots);
            }
            else
            {
                var old = l.Entries;
                Compact(ref l, pools.Entries.Rent(2 * old.Length), slots);
                pools.Entries.Return(old);
                if (l.Summary is not null)
                {
                    pools.Summaries.Return(l.Summary);
                    l.Summary = pools.Summaries.Rent(IndexHours * (l.Entries.Length >> BlockShift));
                }
            }
        }
        var pos = l.Tail;
        l.Entries[pos] = entry;
        slots[entry.Slot].Pos = pos;
        slots[entry.Slot].Store = _ids[level];
        l.Tail++;
        l.Live++;
        if (Indexed)
        {
            if (moved)
            {
                Summarise(ref l, slots);
            }
            else
            {
                AddToSummary(ref l, pos, slots, 0, IndexHours);
            }
        }
        else if (entry.FromSeconds != _windowFrom || entry.ToSeconds != _windowTo)
        {
            Index(slots, baseHour);
        }
    }

    /// <summary>The entry of the live offer in <paramref name="slot"/> of this ladder (its slot knows the level and the position).</summary>
    public ref OfferEntry EntryOf(int slot, Slot[] slots)
    {
        ref var e = ref _store[slots[slot].Store].Entries[slots[slot].Pos];
        if (e.Slot != slot)
        {
            throw new InvalidOperationException($"slot {slot} is not at position {slots[slot].Pos} of its level: invariant broken");
        }
        return ref e;
    }

    /// <summary>
    /// Hours of the offer in <paramref name="slot"/> within [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>)
    /// became full (a lease, or a reduce), so the ends of free runs changed there and nowhere else: its block's summary is
    /// read again for those hours. The first such change turns the index on.
    /// </summary>
    public void FreeHoursChanged(int slot, Slot[] slots, long baseHour, long fromSeconds, long toSeconds)
    {
        if (!Indexed)
        {
            Index(slots, baseHour);
            return;
        }
        ref var l = ref _store[slots[slot].Store];
        var pos = slots[slot].Pos;
        var (first, end) = Covered(ref l.Entries[pos]);
        var baseSeconds = _baseHour * 3600;
        first = (int)Math.Max(first, (fromSeconds - baseSeconds) / 3600);
        end = (int)Math.Min(end, (toSeconds - baseSeconds) / 3600);
        SummariseBlock(ref l, pos >> BlockShift, slots, first, end);
    }

    /// <summary>
    /// Takes the offer in <paramref name="slot"/> out of its level; an emptied level disappears and gives its arrays
    /// back. <paramref name="windowEnded"/>: the offer's window ended, so its hours are all before any bid's and its
    /// block's summary is left as it is (it may claim more than its offers have in those past hours, which only
    /// costs a look at the block, never a trade).
    /// </summary>
    public void Remove(long key, int pos, int slot, Slot[] slots, bool windowEnded)
    {
        // The slot knows where its level is kept; the level's place among the prices is looked up only if it empties.
        var id = slots[slot].Store;
        ref var l = ref _store[id];
        if (id >= _storeUsed || l.Entries is null || pos < l.Head || pos >= l.Tail || l.Entries[pos].Slot != slot)
        {
            throw new InvalidOperationException($"slot {slot} is not at position {pos} of level {key}: invariant broken");
        }
        var (first, end) = Indexed ? Covered(ref l.Entries[pos]) : (0, 0);
        l.Entries[pos].Slot = -1;
        if (--l.Live == 0)
        {
            pools.Entries.Return(l.Entries);
            if (l.Summary is not null)
            {
                pools.Summaries.Return(l.Summary);
            }
            var level = Find(key, slot);
            if (_ids[level] != id)
            {
                throw new InvalidOperationException($"slot {slot}: level {key} is not where the slot says: invariant broken");
            }
            RemoveLevel(level);
            return;
        }
        if (pos == l.Head)
        {
            while (l.Entries[l.Head].Slot < 0)
            {
                l.Head++;
            }
        }
        else if (pos == l.Tail - 1)
        {
            while (l.Entries[l.Tail - 1].Slot < 0)
            {
                l.Tail--;
            }
        }
        var span = l.Tail - l.Head;
        if (span >= 16 && span > 2 * l.Live)
        {
            Compact(ref l, l.Entries, slots);
            if (Indexed)
            {
                Summarise(ref l, slots);
            }
        }
        else if (Indexed && !windowEnded)
        {
            SummariseBlock(ref l, pos >> BlockShift, slots, first, end);
        }
    }

    /// <summary>Counts the index's hours from <paramref name="baseHour"/> from now on (every summary is computed again).</summary>
    public void Rebase(long baseHour, Slot[] slots)
    {
        _baseHour = baseHour;
        if (Indexed)
        {
            for (var level = 0; level < Count; level++)
            {
                Summarise(ref _store[_ids[level]], slots);
            }
        }
    }

    /// <summary>
    /// The hours a bid of window [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>) looks up in the index,
    /// relative to its base: (-1, 0) when the ladder is not indexed or the bid lies outside the horizon.
    /// </summary>
    public (int From, int To) IndexHoursOf(long fromSeconds, long toSeconds)
    {
        if (!Indexed)
        {
            return (-1, 0);
        }
        var from = fromSeconds / 3600 - _baseHour;
        var to = (toSeconds + 3599) / 3600 - _baseHour;
        return from >= 0 && from < IndexHours && to < EndBeyond ? ((int)from, (int)to) : (-1, 0);
    }

    /// <summary>
    /// From (<paramref name="level"/>, <paramref name="pos"/>) on, the first live entry at a price key of at most
    /// <paramref name="limitKey"/> that is not in a block the index rules out for a bid starting at index hour
    /// <paramref name="fromHour"/> and ending at <paramref name="toHour"/> (<paramref name="fromHour"/> &lt; 0: no
    /// index). False when there is none. The order of what it finds is the ladder's: price, then arrival.
    /// </summary>
    public bool Seek(ref int level, ref int pos, long limitKey, int fromHour, int toHour)
    {
        for (; level < Count && _keys[level] <= limitKey; level++, pos = 0)
        {
            ref var l = ref _store[_ids[level]];
            var entries = l.Entries;
            if (pos < l.Head)
            {
                pos = l.Head;
            }
            if (fromHour >= 0)
            {
                var summary = l.Summary!;
                var row = fromHour * (entries.Length >> BlockShift);
                while (pos < l.Tail)
                {
                    if (summary[row + (pos >> BlockShift)] < toHour)
                    {
                        pos = ((pos >> BlockShift) + 1) << BlockShift;
                    }
                    else if (entries[pos].Slot >= 0)
                    {
                        return true;
                    }
                    else
                    {
                        pos++;
                    }
                }
            }
            else
            {
                for (; pos < l.Tail; pos++)
                {
                    if (entries[pos].Slot >= 0)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Checks the invariants (for tests): keys ascend, every level non-empty with live ends, live counts and positions
    /// right, arrival order kept, gaps bounded, entries agree with their slots and calendars, and, when indexed, every
    /// block summary at least the one computed afresh from its offers' windows and calendars (never ruling out an offer
    /// that could trade), and equal to it from index hour <paramref name="exactFromHour"/> on (the hours bids can ask for).
    /// </summary>
    internal void Validate(Slot[] slots, int exactFromHour)
    {
        Span<byte> expected = stackalloc byte[IndexHours];
        for (var level = 0; level < Count; level++)
        {
            if (level > 0 && _keys[level - 1] >= _keys[level])
            {
                throw new InvalidOperationException($"levels out of order at {level}");
            }
            ref var l = ref _store[_ids[level]];
            if (l.Live <= 0 || l.Head >= l.Tail || l.Entries[l.Head].Slot < 0 || l.Entries[l.Tail - 1].Slot < 0)
            {
                throw new InvalidOperationException($"level {_keys[level]}: empty, or an end is a gap");
            }
            var live = 0;
            var lastSeq = long.MinValue;
            for (var pos = l.Head; pos < l.Tail; pos++)
            {
                ref var e = ref l.Entries[pos];
                if (e.Slot < 0)
                {
                    continue;
                }
                live++;
                if (e.Seq <= lastSeq)
                {
                    throw new InvalidOperationException($"level {_keys[level]}: arrival order broken at {pos}");
                }
                lastSeq = e.Seq;
                ref var s = ref slots[e.Slot];
                if (s.Pos != pos || s.Store != _ids[level] || !s.Live || s.IsBid || s.Seq != e.Seq || s.PriceTicks != _keys[level] || s.FromSeconds != e.FromSeconds
                    || s.ToSeconds != e.ToSeconds || s.Party != e.Party || e.HasCalendar != s.Leased is not null)
                {
                    throw new InvalidOperationException($"level {_keys[level]}: entry {pos} and slot {e.Slot} disagree");
                }
                var hours = (int)((s.ToSeconds - s.FromSeconds) / 3600);
                var leastFree = int.MaxValue;
                for (var h = 0; h < hours; h++)
                {
                    var free = s.Devices - (s.Leased?[h] ?? s.Filled);
                    leastFree = Math.Min(leastFree, free);
                    if ((free == 0) != e.SummaryShowsFull(h, h + 1) && h < OfferEntry.SummaryHours)
                    {
                        throw new InvalidOperationException($"level {_keys[level]}: entry {pos}: full-hour summary wrong at hour {h}");
                    }
                }
                if (e.HasCalendar && e.LeastFree != leastFree)
                {
                    throw new InvalidOperationException($"level {_keys[level]}: entry {pos}: least free {e.LeastFree}, calendar says {leastFree}");
                }
            }
            var span = l.Tail - l.Head;
            if (live != l.Live || (span >= 16 && span > 2 * l.Live))
            {
                throw new InvalidOperationException($"level {_keys[level]}: {live} live entries counted, {l.Live} recorded, span {span}");
            }
            if (Indexed != l.Summary is not null || (l.Summary is { } summary && summary.Length != IndexHours * (l.Entries.Length >> BlockShift)))
            {
                throw new InvalidOperationException($"level {_keys[level]}: summary missing or of the wrong size");
            }
            if (!Indexed)
            {
                continue;
            }
            var blocks = l.Entries.Length >> BlockShift;
            for (var block = 0; block < blocks; block++)
            {
                expected.Clear();
                for (var pos = Math.Max(l.Head, block << BlockShift); pos < Math.Min(l.Tail, (block + 1) << BlockShift); pos++)
                {
                    if (l.Entries[pos].Slot >= 0)
                    {
                        RaiseToRunEnds(ref slots[l.Entries[pos].Slot], expected);
                    }
                }
                for (var h = 0; h < IndexHours; h++)
                {
                    var cell = l.Summary![h * blocks + block];
                    if (cell < expected[h] || (h >= exactFromHour && cell != expected[h]))
                    {
                        throw new InvalidOperationException($"level {_keys[level]}: block {block} hour {h}: summary {l.Summary[h * blocks + block]}, offers say {expected[h]}");
                    }
                }
            }
        }
    }

    /// <summary>Turns the index on: every level gets its summary.</summary>
    private void Index(Slot[] slots, long baseHour)
    {
        Indexed = true;
        _baseHour = baseHour;
        for (var level = 0; level < Count; level++)
        {
            ref var l = ref _store[_ids[level]];
            l.Summary = pools.Summaries.Rent(IndexHours * (l.Entries.Length >> BlockShift));
            Summarise(ref l, slots);
        }
    }

    /// <summary>Computes every block summary of a level afresh.</summary>
    private void Summarise(ref Level l, Slot[] slots)
    {
        Array.Clear(l.Summary!);
        for (var pos = l.Head; pos < l.Tail; pos++)
        {
            if (l.Entries[pos].Slot >= 0)
            {
                AddToSummary(ref l, pos, slots, 0, IndexHours);
            }
        }
    }

    /// <summary>Computes one block's summary afresh from its live offers, for index hours [<paramref name="from"/>, <paramref name="to"/>) (the others are unchanged).</summary>
    private void SummariseBlock(ref Level l, int block, Slot[] slots, int from, int to)
    {
        if (from >= to)
        {
            return;
        }
        var blocks = l.Entries.Length >> BlockShift;
        var summary = l.Summary!;
        for (var h = from; h < to; h++)
        {
            summary[h * blocks + block] = 0;
        }
        var end = Math.Min(l.Tail, (block + 1) << BlockShift);
        for (var pos = Math.Max(l.Head, block << BlockShift); pos < end; pos++)
        {
            if (l.Entries[pos].Slot >= 0)
            {
                AddToSummary(ref l, pos, slots, from, to);
            }
        }
    }

    /// <summary>Raises the summary of the block holding <paramref name="pos"/> to the run ends of its offer, in index hours [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private void AddToSummary(ref Level l, int pos, Slot[] slots, int from, int to)
    {
        ref var e = ref l.Entries[pos];
        var (first, end) = Covered(ref e);
        first = Math.Max(first, from);
        end = Math.Min(end, to);
        if (first >= end)
        {
            return;
        }
        Span<byte> ends = stackalloc byte[IndexHours];
        RunEnds(ref e, slots, ends, first, end);
        var blocks = l.Entries.Length >> BlockShift;
        var summary = l.Summary!;
        var block = pos >> BlockShift;
        for (var h = first; h < end; h++)
        {
            ref var cell = ref summary[h * blocks + block];
            if (ends[h] > cell)
            {
                cell = ends[h];
            }
        }
    }

    /// <summary>The index hours [first, end) inside the horizon that offer <paramref name="o"/>'s window covers (first ≥ end: none).</summary>
    private (int First, int End) Covered(ref OfferEntry o)
    {
        var baseSeconds = _baseHour * 3600;
        return ((int)Math.Clamp((o.FromSeconds - baseSeconds) / 3600, 0, IndexHours), (int)Math.Clamp((o.ToSeconds - baseSeconds) / 3600, 0, IndexHours));
    }

    /// <summary>
    /// Sets <paramref name="ends"/>[h], for index hours h in [<paramref name="first"/>, <paramref name="end"/>) (inside
    /// the offer's window), to the end (index hours, at most <see cref="EndBeyond"/>) of the run of hours with a device
    /// free of offer <paramref name="o"/> that contains h, or 0 when h is full.
    /// </summary>
    private void RunEnds(ref OfferEntry e, Slot[] slots, Span<byte> ends, int first, int end)
    {
        var baseSeconds = _baseHour * 3600;
        var from = (e.FromSeconds - baseSeconds) / 3600;
        var to = (e.ToSeconds - baseSeconds) / 3600;
        if (!e.HasCalendar)
        {
            // The same devices free in every hour (a live offer has at least one): one run, the window.
            ends[first..end].Fill((byte)Math.Min(to, EndBeyond));
            return;
        }
        // Full hours from the entry's summary when it covers the window, else from the calendar.
        ref var o = ref slots[e.Slot];
        var fromSummary = to - from <= OfferEntry.SummaryHours;
        // Where the run holding the last hour asked for ends: the first full hour after it, or the window's end.
        var next = (int)Math.Min(to, EndBeyond);
        for (var h = end; h < next; h++)
        {
            if (fromSummary ? e.IsFull((int)(h - from)) : o.Leased![(int)(h - from)] >= o.Devices)
            {
                next = h;
                break;
            }
        }
        for (var h = end - 1; h >= first; h--)
        {
            if (fromSummary ? e.IsFull((int)(h - from)) : o.Leased![(int)(h - from)] >= o.Devices)
            {
                next = h;
                ends[h] = 0;
            }
            else
            {
                ends[h] = (byte)next;
            }
        }
    }

    /// <summary>The run ends of offer <paramref name="o"/> over its whole part of the horizon (for <see cref="Validate"/>), raised into <paramref name="ends"/>.</summary>
    private void RaiseToRunEnds(ref Slot o, Span<byte> ends)
    {
        // Straight from the slot's calendar, not from the entry the index is computed from.
        var baseSeconds = _baseHour * 3600;
        var from = (o.FromSeconds - baseSeconds) / 3600;
        var to = (o.ToSeconds - baseSeconds) / 3600;
        var first = (int)Math.Clamp(from, 0, IndexHours);
        var end = (int)Math.Clamp(to, 0, IndexHours);
        if (first >= end)
        {
            return;
        }
        Span<byte> own = stackalloc byte[IndexHours];
        var next = (int)Math.Min(to, EndBeyond);
        for (var h = next - 1; h >= first; h--)
        {
            if ((o.Leased?[(int)(h - from)] ?? o.Filled) >= o.Devices)
            {
                next = h;
            }
            else if (h < end)
            {
                own[h] = (byte)next;
            }
        }
        for (var h = first; h < end; h++)
        {
            ends[h] = Math.Max(ends[h], own[h]);
        }
    }

    private int Find(long key, int slot)
    {
        var level = PriceLadder.Search(_keys, Count, key);
        return level >= 0 ? level : throw new InvalidOperationException($"no price level {key} for slot {slot}: invariant broken");
    }

    /// <summary>Moves the live entries of <paramref name="l"/> to the front of <paramref name="into"/> (the same array or a bigger one), in order.</summary>
    private static void Compact(ref Level l, OfferEntry[] into, Slot[] slots)
    {
        var from = l.Entries;
        var write = 0;
        for (var read = l.Head; read < l.Tail; read++)
        {
            if (from[read].Slot < 0)
            {
                continue;
            }
            if (write != read || !ReferenceEquals(from, into))
            {
                into[write] = from[read];
                slots[into[write].Slot].Pos = write;
            }
            write++;
        }
        l.Entries = into;
        l.Head = 0;
        l.Tail = write;
    }

    private void InsertLevel(int level, long key)
    {
        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
            Array.Resize(ref _ids, Count * 2);
        }
        int id;
        if (_freeCount > 0)
        {
            id = _freeIds[--_freeCount];
        }
        else
        {
            if (_storeUsed == _store.Length)
            {
                Array.Resize(ref _store, _storeUsed * 2);
                Array.Resize(ref _freeIds, _storeUsed * 2);
            }
            id = _storeUsed++;
        }
        var after = Count - level;
        Array.Copy(_keys, level, _keys, level + 1, after);
        Array.Copy(_ids, level, _ids, level + 1, after);
        _keys[level] = key;
        _ids[level] = id;
        _store[id] = new Level
        {
            Entries = pools.Entries.Rent(MinEntries),
            Summary = Indexed ? pools.Summaries.Rent(IndexHours * (MinEntries >> BlockShift)) : null,
        };
        if (Indexed)
        {
            Array.Clear(_store[id].Summary!);
        }
        Count++;
        SetBest(_keys[0]);
    }

    private void RemoveLevel(int level)
    {
        var id = _ids[level];
        _store[id] = default;
        _freeIds[_freeCount++] = id;
        var after = Count - level - 1;
        Array.Copy(_keys, level + 1, _keys, level, after);
        Array.Copy(_ids, level + 1, _ids, level, after);
        Count--;
        SetBest(Count > 0 ? _keys[0] : long.MaxValue);
    }
}
