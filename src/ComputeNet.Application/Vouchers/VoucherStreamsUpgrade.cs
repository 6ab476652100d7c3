using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Vouchers;
using Marten;

namespace ComputeNet.Application.Vouchers;

/// <summary>
/// Upgrades a schema written with the single <c>vouchers</c> stream (ADR 0008) to one stream per programme, once, at start:
/// under an advisory lock, every event of <c>vouchers</c> is appended again, unchanged, to <c>programme:{id}</c> in its
/// original order (one transaction per run of consecutive events of one programme, so the global sequence keeps the
/// original order, and with it the grant order across programmes); the inline programme and voucher documents are written
/// as they go. Then the old stream is archived (kept in <c>mt_events</c>, read by nothing, skipped by projection rebuilds)
/// and a marker records it. Interrupted, it resumes: a programme stream already holding n events skips the first n.
/// </summary>
public static class VoucherStreamsUpgrade
{
    public const string OldStream = "vouchers";

    /// <summary>Returns whether it copied anything.</summary>
    public static async Task<bool> EnsureAsync(IDocumentStore store, Action<string>? log, CancellationToken ct)
    {
        await using (var query = store.QuerySession())
        {
            // The usual start: two one-row reads, no lock.
            if (await query.LoadAsync<VoucherStreamsMarker>(VoucherStreamsMarker.Key, ct) is not null
                || await query.Events.FetchStreamStateAsync(OldStream, ct) is null)
            {
                return false;
            }
        }
        await using var session = store.LightweightSession();
        await Decider.LockAsync(session, "computenet-voucher-streams-upgrade", ct);
        if (await session.LoadAsync<VoucherStreamsMarker>(VoucherStreamsMarker.Key, ct) is not null)
        {
            return false;
        }
        log?.Invoke($"schema '{store.Options.DatabaseSchemaName}': copying the single 'vouchers' stream into one stream per programme…");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var events = await session.Events.FetchStreamAsync(OldStream, token: ct);
        var skip = new Dictionary<string, long>(StringComparer.Ordinal);
        var copied = 0L;
        var i = 0;
        while (i < events.Count)
        {
            var programme = ProgrammeOf(events[i].Data);
            var run = events.Skip(i).TakeWhile(e => ProgrammeOf(e.Data) == programme).ToList();
            i += run.Count;
            var key = VoucherProjections.StreamOf(programme);
            if (!skip.TryGetValue(programme, out var already))
            {
                already = (await session.Events.FetchStreamStateAsync(key, ct))?.Version ?? 0;
            }
            var toCopy = run.Skip((int)Math.Min(already, run.Count)).ToList();
            skip[programme] = Math.Max(0, already - run.Count);
            if (toCopy.Count == 0)
            {
                continue;
            }
            await using var copy = store.LightweightSession();
            copy.Events.Append(key, toCopy.Select(e => e.Data).ToArray());
            // The copies' redemptions get their own settlement documents; those of the originals go.
            foreach (var e in toCopy.Where(e => e.Data is VoucherRedeemed))
            {
                copy.Delete<RedemptionDocument>(e.Id.ToString());
            }
            await copy.SaveChangesAsync(ct);
            copied += toCopy.Count;
        }
        session.Events.ArchiveStream(OldStream);
        session.Store(new VoucherStreamsMarker { CopiedEvents = copied });
        await session.SaveChangesAsync(ct);
        log?.Invoke($"schema '{store.Options.DatabaseSchemaName}': {copied} voucher events copied in {watch.Elapsed.TotalSeconds:0.0} s; 'vouchers' archived");
        return true;
    }

    private static string ProgrammeOf(object e) => e switch
    {
        ProgrammeCreated p => p.ProgrammeId,
        ProgrammeClosed c => c.ProgrammeId,
        VoucherGranted g => g.ProgrammeId,
        VoucherRedeemed r => r.ProgrammeId,
        VoucherLapsed l => l.ProgrammeId,
        _ => throw new InvalidOperationException($"unexpected {e.GetType().Name} in the vouchers stream"),
    };
}
