using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Pairings;
using Marten;

namespace ComputeNet.Application.Pairings;

/// <summary>Pairing agreements (结对子): one stream, so overlap checks see every agreement.</summary>
public sealed class PairingService(IDocumentStore store)
{
    private readonly StreamCache<PairingBook> _cache = new(store, MartenSetup.Streams.Pairings, () => new PairingBook(), (s, e) => s.Evolve(e));

    public Task<TResult> DecideAsync<TResult>(Func<PairingBook, IReadOnlyList<object>> decide, Func<PairingBook, TResult> answer, CancellationToken ct) =>
        _cache.WriteAsync(decide, e => e, null, (book, _) => answer(book), ct);

    public Task<TResult> ReadAsync<TResult>(Func<PairingBook, TResult> read, CancellationToken ct) => _cache.ReadAsync(read, ct);

    public static async Task<PairingBook> LoadAsync(IQuerySession session, CancellationToken ct)
    {
        var book = new PairingBook();
        foreach (var e in await session.Events.FetchStreamAsync(MartenSetup.Streams.Pairings, token: ct))
        {
            book.Evolve(e.Data);
        }
        return book;
    }
}
