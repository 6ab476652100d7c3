using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Vouchers;
using Marten;

namespace ComputeNet.Application.Vouchers;

/// <summary>
/// Programmes and vouchers: one stream written with its expected version, so grants racing each other and a
/// running close are serialised by the store — a conflict retries against the fresh state, and no decision ever
/// sees a stale balance, budget or cap.
/// </summary>
public sealed class VoucherService(IDocumentStore store)
{
    private readonly StreamCache<VoucherBook> _cache = new(store, MartenSetup.Streams.Vouchers, () => new VoucherBook(), (s, e) => s.Evolve(e));

    public Task<TResult> ReadAsync<TResult>(Func<VoucherBook, TResult> read, CancellationToken ct) => _cache.ReadAsync(read, ct);

    public Task<TResult> DecideAsync<TResult>(Func<VoucherBook, IReadOnlyList<object>> decide, Func<VoucherBook, TResult> answer, CancellationToken ct) =>
        _cache.WriteAsync(decide, e => e, null, (book, _) => answer(book), ct);

    /// <summary>As <see cref="DecideAsync{TResult}"/>, telling the answer whether anything was written (false: an exact repeat).</summary>
    public Task<TResult> DecideAsync<TResult>(Func<VoucherBook, IReadOnlyList<object>> decide, Func<VoucherBook, bool, TResult> answer, CancellationToken ct) =>
        _cache.WriteAsync(decide, e => e, null, (book, events) => answer(book, events.Count > 0), ct);

    /// <summary>
    /// Runs <paramref name="use"/> on the cached voucher book caught up to the stream's tail and the version it reflects
    /// (a close appends its redemptions with that expected version); grants through this service wait until it returns.
    /// </summary>
    public Task<TResult> UseAsync<TResult>(Func<VoucherBook, long, Task<TResult>> use, CancellationToken ct) => _cache.UseAsync(use, ct);

    /// <summary>The voucher book as stored now and the stream version it was read at, folded from the whole stream.</summary>
    public static async Task<(VoucherBook Book, long Version)> LoadAsync(IQuerySession session, CancellationToken ct)
    {
        var book = new VoucherBook();
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Vouchers, token: ct);
        foreach (var e in events)
        {
            book.Evolve(e.Data);
        }
        return (book, events.Count == 0 ? 0 : events[^1].Version);
    }
}
