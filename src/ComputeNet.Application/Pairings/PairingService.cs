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

    /// <summary>Runs <paramref name="use"/> on the cached pairing book caught up to the stream's tail.</summary>
    public Task<TResult> UseAsync<TResult>(Func<PairingBook, Task<TResult>> use, CancellationToken ct) => _cache.UseAsync((book, _) => use(book), ct);
}
