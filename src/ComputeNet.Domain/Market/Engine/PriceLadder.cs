namespace ComputeNet.Domain.Market.Engine;

/// <summary>
/// The bid side of one sub-market (family, city, latency tier, green minimum): its price levels sorted best first, each a FIFO of order slots in arrival order
/// (linked through <see cref="Slot.Next"/>/<see cref="Slot.Prev"/>). Levels are kept in parallel arrays sorted by
/// key (the price for offers, the negated price for bids, so that index 0 is always the best level); a level is
/// found by binary search. Books have few levels near the touch, so inserting a level by shifting is cheap, and
/// nothing is allocated per order once the arrays have grown.
/// </summary>
internal sealed class PriceLadder
{
    private long[] _keys = new long[64];
    private int[] _heads = new int[64];
    private int[] _tails = new int[64];

    public int Count { get; private set; }

    /// <summary>The key of the best level, <see cref="long.MaxValue"/> when empty: a match looks at it before anything else of the ladder.</summary>
    public long BestKey { get; private set; } = long.MaxValue;

    /// <summary>Where the engine keeps the best key of this ladder's group (the ladders of one city and tier), updated as it changes.</summary>
    public BestKeys? Bests { get; init; }
    public int BestIndex { get; init; }
    public List<PriceLadder>? Group { get; init; }

    private void SetBest(long key)
    {
        if (key == BestKey)
        {
            return;
        }
        BestKey = key;
        if (Bests is not null)
        {
            var best = long.MaxValue;
            foreach (var ladder in Group!)
            {
                best = Math.Min(best, ladder.BestKey);
            }
            Bests.Set(BestIndex, best);
        }
    }

    /// <summary>The green share every bid in it asks for at least (<see cref="AsksGreen"/>: more than none).</summary>
    public decimal MinGreen
    {
        get;
        init
        {
            field = value;
            AsksGreen = value > 0m;
        }
    }

    public bool AsksGreen { get; private init; }

    public long KeyAt(int level) => _keys[level];

    /// <summary>The index of <paramref name="key"/> among the first <paramref name="count"/> ascending <paramref name="keys"/>, or the complement of where it would go (as <see cref="Array.BinarySearch(Array, object)"/>).</summary>
    public static int Search(long[] keys, int count, long key)
    {
        int lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            var k = keys[mid];
            if (k == key)
            {
                return mid;
            }
            if (k < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }

    public int HeadAt(int level) => _heads[level];

    /// <summary>Appends <paramref name="slot"/> at the back of the level with <paramref name="key"/>, creating the level if needed.</summary>
    public void Append(long key, int slot, Slot[] slots)
    {
        var level = Search(_keys, Count, key);
        if (level < 0)
        {
            level = ~level;
            InsertLevel(level, key);
        }
        ref var s = ref slots[slot];
        s.Next = -1;
        s.Prev = _tails[level];
        if (_tails[level] >= 0)
        {
            slots[_tails[level]].Next = slot;
        }
        else
        {
            _heads[level] = slot;
        }
        _tails[level] = slot;
    }

    /// <summary>Takes <paramref name="slot"/> out of its level (which must hold it); an emptied level disappears.</summary>
    public void Unlink(long key, int slot, Slot[] slots)
    {
        var level = Search(_keys, Count, key);
        if (level < 0)
        {
            throw new InvalidOperationException($"no price level {key} for slot {slot}: invariant broken");
        }
        ref var s = ref slots[slot];
        if (s.Prev >= 0)
        {
            slots[s.Prev].Next = s.Next;
        }
        else
        {
            _heads[level] = s.Next;
        }
        if (s.Next >= 0)
        {
            slots[s.Next].Prev = s.Prev;
        }
        else
        {
            _tails[level] = s.Prev;
        }
        s.Next = s.Prev = -1;
        if (_heads[level] < 0)
        {
            RemoveLevel(level);
        }
    }

    private void InsertLevel(int level, long key)
    {
        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
            Array.Resize(ref _heads, Count * 2);
            Array.Resize(ref _tails, Count * 2);
        }
        var after = Count - level;
        Array.Copy(_keys, level, _keys, level + 1, after);
        Array.Copy(_heads, level, _heads, level + 1, after);
        Array.Copy(_tails, level, _tails, level + 1, after);
        _keys[level] = key;
        _heads[level] = _tails[level] = -1;
        Count++;
        SetBest(_keys[0]);
    }

    private void RemoveLevel(int level)
    {
        var after = Count - level - 1;
        Array.Copy(_keys, level + 1, _keys, level, after);
        Array.Copy(_heads, level + 1, _heads, level, after);
        Array.Copy(_tails, level + 1, _tails, level, after);
        Count--;
        SetBest(Count > 0 ? _keys[0] : long.MaxValue);
    }
}

/// <summary>
/// The best key of each ladder (or group of ladders) of a family side by side, <see cref="long.MaxValue"/> for none: a
/// match reads this array and touches only the ladders whose best price it can trade with.
/// </summary>
internal sealed class BestKeys
{
    private long[] _keys = new long[16];

    public int Count { get; private set; }

    public long this[int index] => _keys[index];

    /// <summary>A new entry (no best yet); returns its index.</summary>
    public int Add()
    {
        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
        }
        _keys[Count] = long.MaxValue;
        return Count++;
    }

    public void Set(int index, long key) => _keys[index] = key;
}
