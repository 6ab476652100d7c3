namespace ComputeNet.Api.Endpoints;

/// <summary>One page of a list: at most <see cref="Limit"/> items from <see cref="Offset"/>; <see cref="NextOffset"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Offset, int Limit, int? NextOffset);

public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    /// <summary>
    /// The largest offset: offset + limit + 1 (the look-ahead row) must stay within an int, so no store or page
    /// computes a negative LIMIT from an offset near int.MaxValue.
    /// </summary>
    public const int MaxOffset = int.MaxValue - MaxLimit - 1;

    /// <summary>Pages an in-memory list; limit and offset are checked (limit 1–1000, offset ≥ 0).</summary>
    public static Page<T> Of<T>(IReadOnlyList<T> all, int? offset, int? limit)
    {
        var (o, l) = Check(offset, limit);
        var items = all.Skip(o).Take(l).ToList();
        return new Page<T>(items, o, l, o + items.Count < all.Count ? o + items.Count : null);
    }

    /// <summary>
    /// Pages a list the store pages: asks <paramref name="read"/> for limit + 1 items from offset (so the page knows
    /// whether another follows) and answers the first limit of them.
    /// </summary>
    public static async Task<Page<T>> FromStoreAsync<T>(int? offset, int? limit, Func<int, int, ValueTask<IReadOnlyList<T>>> read)
    {
        var (o, l) = Check(offset, limit);
        var items = await read(o, l + 1);
        return new Page<T>(items.Take(l).ToList(), o, l, items.Count > l ? o + l : null);
    }

    public static (int Offset, int Limit) Check(int? offset, int? limit)
    {
        var l = limit ?? DefaultLimit;
        var o = offset ?? 0;
        if (l is < 1 or > MaxLimit)
        {
            throw Domain.RejectedException.Of(Domain.Codes.Invalid, $"limit must be between 1 and {MaxLimit}", "limit");
        }
        if (o is < 0 or > MaxOffset)
        {
            throw Domain.RejectedException.Of(Domain.Codes.Invalid, $"offset must be between 0 and {MaxOffset}", "offset");
        }
        return (o, l);
    }
}
