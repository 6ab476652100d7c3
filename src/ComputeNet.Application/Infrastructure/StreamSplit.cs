using JasperFx.Events;
using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Upgrades a schema written with one stream for a whole subsystem (<c>vouchers</c>, <c>parties</c>) to one stream per
/// aggregate, once, at start: under an advisory lock, every event of the old stream is appended again, unchanged, to the
/// stream of its aggregate, in its original order (one transaction per run of consecutive events of one aggregate, so the
/// global sequence keeps the original order across aggregates); the inline projections are written as they go. Then the
/// old stream is archived (kept in <c>mt_events</c>, read by nothing, skipped by projection rebuilds) and a marker records
/// it. Interrupted, it resumes: an aggregate stream already holding n events skips the first n of its events.
/// </summary>
public static class StreamSplit
{
    public sealed class Marker
    {
        public string Id { get; set; } = "";
        public long CopiedEvents { get; set; }
    }

    public static string MarkerKey(string oldStream) => $"stream-split:{oldStream}";

    /// <summary>
    /// Returns whether it copied anything. <paramref name="streamOf"/> names the new stream of an old event;
    /// <paramref name="onCopy"/> adds writes to the transaction that copies an old event (e.g. dropping documents keyed by its id);
    /// events <paramref name="alone"/> accepts are copied in a transaction of their own, as they were written (a projection
    /// that draws an order from a sequence then draws it in the original order).
    /// </summary>
    public static async Task<bool> EnsureAsync(IDocumentStore store, string oldStream, Func<object, string> streamOf, Action<IDocumentSession, IEvent>? onCopy,
        Action<string>? log, CancellationToken ct, Func<object, bool>? alone = null)
    {
        var markerKey = MarkerKey(oldStream);
        await using (var query = store.QuerySession())
        {
            // The usual start: two one-row reads, no lock.
            if (await query.LoadAsync<Marker>(markerKey, ct) is not null || await query.Events.FetchStreamStateAsync(oldStream, ct) is null)
            {
                return false;
            }
        }
        await using var session = store.LightweightSession();
        await Decider.LockAsync(session, "computenet-stream-split:" + oldStream, ct);
        if (await session.LoadAsync<Marker>(markerKey, ct) is not null)
        {
            return false;
        }
        log?.Invoke($"schema '{store.Options.DatabaseSchemaName}': copying the single '{oldStream}' stream into one stream per aggregate…");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var events = await session.Events.FetchStreamAsync(oldStream, token: ct);
        var skip = new Dictionary<string, long>(StringComparer.Ordinal);
        var copied = 0L;
        var i = 0;
        while (i < events.Count)
        {
            var key = streamOf(events[i].Data);
            var run = alone?.Invoke(events[i].Data) == true ? [events[i]]
                : events.Skip(i).TakeWhile(e => streamOf(e.Data) == key && alone?.Invoke(e.Data) != true).ToList();
            i += run.Count;
            if (!skip.TryGetValue(key, out var already))
            {
                already = (await session.Events.FetchStreamStateAsync(key, ct))?.Version ?? 0;
            }
            var toCopy = run.Skip((int)Math.Min(already, run.Count)).ToList();
            skip[key] = Math.Max(0, already - run.Count);
            if (toCopy.Count == 0)
            {
                continue;
            }
            await using var copy = store.LightweightSession();
            copy.Events.Append(key, toCopy.Select(e => e.Data).ToArray());
            foreach (var e in toCopy)
            {
                onCopy?.Invoke(copy, e);
            }
            await copy.SaveChangesAsync(ct);
            copied += toCopy.Count;
        }
        session.Events.ArchiveStream(oldStream);
        session.Store(new Marker { Id = markerKey, CopiedEvents = copied });
        await session.SaveChangesAsync(ct);
        log?.Invoke($"schema '{store.Options.DatabaseSchemaName}': {copied} events of '{oldStream}' copied in {watch.Elapsed.TotalSeconds:0.0} s; '{oldStream}' archived");
        return true;
    }
}
