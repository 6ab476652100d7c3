using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The state of one event stream held in memory and kept current: every read or write first catches up
/// with events appended since (by this or any other process), so the state is never stale when a decision
/// is made. Writes are serialised per stream (one writer) and appended with the expected stream version,
/// so a concurrent writer elsewhere causes a retry, never a lost or doubled event.
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

    /// <summary>
    /// Runs <paramref name="use"/> on the state caught up to the stream's tail, with the stream version it reflects (for an
    /// expected-version append elsewhere), holding the cache's gate so no write through this cache changes the state
    /// meanwhile. The state must not be kept after <paramref name="use"/> returns.
    /// </summary>
    public async Task<TResult> UseAsync<TResult>(Func<TState, long, Task<TResult>> use, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using (var session = store.QuerySession())
            {
                await CatchUpAsync(session, ct);
            }
            return await use(_state, _version);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Decides against the current state and appends the decided events (none = no-op). <paramref name="alsoWrite"/>
    /// adds other writes to the same transaction. <paramref name="answer"/> reads the state after the events applied.
    /// </summary>
    public async Task<TResult> WriteAsync<TDecision, TResult>(
        Func<TState, TDecision> decide,
        Func<TDecision, IReadOnlyList<object>> eventsOf,
        Action<IDocumentSession, IReadOnlyList<object>>? alsoWrite,
        Func<TState, TDecision, TResult> answer,
        CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var session = store.LightweightSession();
                await CatchUpAsync(session, ct);
                var decision = decide(_state);
                var events = eventsOf(decision);
                if (events.Count == 0)
                {
                    return answer(_state, decision);
                }
                ExpectedVersion.Append(session, streamKey, _version, events.ToArray());
                alsoWrite?.Invoke(session, events);
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
                {
                    await ExpectedVersion.BackOffAsync(attempt, ct);
                    continue;
                }
                foreach (var e in events)
                {
                    _evolve(_state, e);
                }
                _version += events.Count;
                return answer(_state, decision);
            }
        }
        finally
        {
            _gate.Release();
        }
    }


    /// <summary>True when the state caught up with the stream less than <see cref="MaxStaleness"/> ago.</summary>
    private bool IsFresh => _caughtUpAt is { } at && System.Diagnostics.Stopwatch.GetElapsedTime(at) < MaxStaleness;

    private async Task CatchUpAsync(IQuerySession session, CancellationToken ct)
    {
        // Taken before the read: whatever another process appends after this instant is seen by the next catch-up.
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
