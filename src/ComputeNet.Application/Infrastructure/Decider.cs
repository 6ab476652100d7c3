using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The state of one aggregate stream as a decision sees it: folded from the stream's events by Marten
/// (<see cref="LiveAggregation{T}"/>, registered with <see cref="JasperFx.Events.Projections.ProjectionLifecycle.Live"/>),
/// and evolved by the runner with the events it has just decided, so the answer reads the state after them.
/// </summary>
public interface IAggregateState
{
    /// <summary>The stream key (Marten sets it).</summary>
    string Id { get; set; }

    /// <summary>Applies one event; <paramref name="sequence"/> is its global sequence (<c>long.MaxValue</c> for one not stored yet).</summary>
    void Apply(object data, long sequence);
}

/// <summary>
/// Marten's live aggregation of an <see cref="IAggregateState"/>: <c>FetchForWriting</c> folds the stream through it. The
/// state is rebuilt from its own stream only (one aggregate instance), so its cost is that aggregate's, not the platform's.
/// </summary>
public sealed class LiveAggregation<T> : SingleStreamProjection<T, string> where T : class, IAggregateState, new()
{
    public override T? Evolve(T? snapshot, string id, IEvent e)
    {
        snapshot ??= new T { Id = id };
        snapshot.Apply(e.Data, e.Sequence);
        return snapshot;
    }
}

/// <summary>What one attempt decided: the answer, and whether anything was appended (false: nothing to save).</summary>
public readonly record struct Decided<TResult>(TResult Result, bool Save);

/// <summary>
/// The one decider runner: fetch the aggregate(s) for writing (Marten's <c>FetchForWriting</c>, which remembers each
/// stream's version), decide with a pure function, append, save — and when the save meets a concurrency conflict (another
/// writer appended to a stream since it was read), back off (<see cref="ExpectedVersion.BackOffAsync"/>) and run the whole
/// attempt again on fresh state. No other writer has a retry loop of its own.
/// </summary>
public static class Decider
{
    /// <summary>
    /// Runs <paramref name="attempt"/> in a fresh lightweight session until its save succeeds or fails for a reason other
    /// than a lost race. The attempt fetches what it decides on, appends, and says whether there is anything to save.
    /// </summary>
    public static async Task<TResult> RunAsync<TResult>(IDocumentStore store, Func<IDocumentSession, CancellationToken, Task<Decided<TResult>>> attempt,
        CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            await using var session = store.LightweightSession();
            var decided = await attempt(session, ct);
            if (!decided.Save)
            {
                return decided.Result;
            }
            try
            {
                await session.SaveChangesAsync(ct);
                return decided.Result;
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, n))
            {
                await ExpectedVersion.BackOffAsync(n, ct);
            }
        }
    }

    /// <summary>
    /// One aggregate: fetch <paramref name="key"/> for writing, <paramref name="decide"/> (pure, on the state or a new one
    /// if the stream does not exist), append what it decided with the version read, save; <paramref name="answer"/> reads the
    /// state after the decided events (none: an exact repeat, nothing written). <paramref name="begin"/> runs first in the
    /// attempt's session (e.g. a lock that must be held before reading).
    /// </summary>
    public static Task<TResult> DecideAsync<T, TResult>(IDocumentStore store, string key, Func<T, IReadOnlyList<object>> decide,
        Func<T, IReadOnlyList<object>, TResult> answer, CancellationToken ct, Func<IDocumentSession, CancellationToken, Task>? begin = null)
        where T : class, IAggregateState, new() =>
        RunAsync(store, async (session, token) =>
        {
            if (begin is not null)
            {
                await begin(session, token);
            }
            var stream = await session.Events.FetchForWriting<T>(key, token);
            var state = stream.Aggregate ?? new T { Id = key };
            var events = decide(state);
            if (events.Count == 0)
            {
                return new Decided<TResult>(answer(state, events), false);
            }
            stream.AppendMany(events.ToArray());
            foreach (var e in events)
            {
                state.Apply(e, long.MaxValue);
            }
            return new Decided<TResult>(answer(state, events), true);
        }, ct);

    /// <summary>
    /// Several aggregates of one kind fetched for writing in one session (one round trip per stream), for a decision over
    /// several streams in one transaction: append to each returned stream what it decided, and the save checks every
    /// stream's version at once.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, JasperFx.Events.IEventStream<T>>> FetchManyForWritingAsync<T>(IDocumentSession session,
        IEnumerable<string> keys, CancellationToken ct) where T : class, IAggregateState, new()
    {
        var streams = new Dictionary<string, JasperFx.Events.IEventStream<T>>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            streams[key] = await session.Events.FetchForWriting<T>(key, ct);
        }
        return streams;
    }

    /// <summary>
    /// Opens the session's transaction and takes a transaction-level advisory lock named <paramref name="name"/> in this
    /// schema (64-bit FNV-1a of name + schema), released at commit or rollback: for a rule that spans aggregates (an id
    /// unique across streams), serialising only the writers of that one name.
    /// </summary>
    /// <summary>The advisory lock key of <paramref name="name"/> in <paramref name="schema"/> (64-bit FNV-1a of name + schema).</summary>
    public static long LockKey(string name, string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name + ":" + schema))
        {
            hash = unchecked((hash ^ b) * 1099511628211UL);
        }
        return unchecked((long)hash);
    }

    public static async Task LockAsync(IDocumentSession session, string name, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = session.Connection!.CreateCommand();
        command.CommandText = "select pg_advisory_xact_lock(@key)";
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = LockKey(name, session.DocumentStore.Options.DatabaseSchemaName);
        command.Parameters.Add(key);
        await command.ExecuteNonQueryAsync(ct);
    }
}
