using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// A read cache of one small event stream (the platform's settings): a read catches up with the events appended since
/// (by this or any other process), or answers from memory when it caught up less than <see cref="MaxStaleness"/> ago.
/// Writes do not go through it: they go through the <see cref="Decider"/>, and the writer invalidates the cache.
/// </summary>
/// <typeparam name="TState">Mutable state evolved by <see cref="_evolve"/>; decisions never mutate it.</typeparam>
public sealed class StreamCache<TState>(IDocumentStore store, string streamKey, Func<TState> create, Action<TState, object> evolve)
    where TState : class
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Action<TState, object> _evolve = evolve;
    private TState _state = create();
    private long _version;

    public string StreamKey => streamKey;

    /// <summary>How old the state may be for a read that accepts what it found without asking the database.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When the state last caught up with the stream (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), or null
    /// before the first catch-up: a cache that has never read its stream is never fresh, so the first read of every
    /// process loads the stream — a restarted host never answers from the defaults of an empty state.
    /// </summary>
    private long? _caughtUpAt;

    public Task<TResult> ReadAsync<TResult>(Func<TState, TResult> read, CancellationToken ct) => ReadAsync(read, null, ct);

    /// <summary>
    /// Reads the state. With <paramref name="goodEnough"/>, a result it accepts is answered from memory when the state
    /// caught up less than <see cref="MaxStaleness"/> ago (writes through this cache are always seen at once; writes by
    /// other processes within that time) — the hot path of every request (API keys, parties, settings) then costs no
    /// database round trip. Anything else (e.g. a party not found) catches up first.
    /// </summary>
    public async Task<TResult> ReadAsync<TResult>(Func<TState, TResult> read, Func<TResult, bool>? goodEnough, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (goodEnough is not null && IsFresh)
            {
                var cached = read(_state);
                if (goodEnough(cached))
                {
                    return cached;
                }
            }
            await using var session = store.QuerySession();
            await CatchUpAsync(session, ct);
            return read(_state);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The next read catches up with the stream (after a write made through the <see cref="Decider"/>).</summary>
    public void Invalidate() => Interlocked.Exchange(ref _stale, 1);

    /// <summary>1 when a write was made since the last catch-up started.</summary>
    private int _stale;

    /// <summary>True when the state caught up with the stream less than <see cref="MaxStaleness"/> ago.</summary>
    private bool IsFresh => Volatile.Read(ref _stale) == 0 && _caughtUpAt is { } at && System.Diagnostics.Stopwatch.GetElapsedTime(at) < MaxStaleness;

    private async Task CatchUpAsync(IQuerySession session, CancellationToken ct)
    {
        // Taken before the read: whatever another process appends after this instant is seen by the next catch-up, and an
        // invalidation from now on makes the next read catch up again.
        Interlocked.Exchange(ref _stale, 0);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var events = await session.Events.FetchStreamAsync(streamKey, fromVersion: _version + 1, token: ct);
        foreach (var e in events)
        {
            if (e.Version <= _version)
            {
                continue;
            }
            _evolve(_state, e.Data);
            _version = e.Version;
        }
        _caughtUpAt = started;
    }
}
