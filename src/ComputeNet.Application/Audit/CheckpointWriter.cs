using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using Marten;

namespace ComputeNet.Application.Audit;

/// <summary>
/// Writes the signed checkpoint of every closed period that has none yet, in close order (market-rules §11). Runs after a
/// close commits, in its own transaction under the exclusive settlement lock; a close that committed but crashed before
/// this step gets its checkpoint when the close is run again. Deterministic: the same stored history gives the same
/// checkpoint body (ECDSA signatures are randomised, so a re-signed body carries a different, equally valid signature).
/// </summary>
public sealed class CheckpointWriter(IDocumentStore store, ICheckpointSigner signer)
{
    public async Task<IReadOnlyList<CheckpointSigned>> EnsureAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ExclusiveAsync(session, ct);
            var inputs = await InputsAsync(session, ct);
            if (inputs is null)
            {
                return [];
            }
            var created = Build(inputs.Periods, inputs.Signed, inputs.ExistingCount, inputs.LedgerSize, inputs.LedgerRoot, signer, inputs.HeadsBefore);
            if (created.Count == 0)
            {
                return [];
            }
            ExpectedVersion.Append(session, MartenSetup.Streams.Checkpoints, inputs.ExistingCount, created.ToArray());
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
            {
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            return created;
        }
    }

    /// <param name="Periods">The closed periods to read, in close order (their events).</param>
    /// <param name="HeadsBefore">Every chain's head before the first of <paramref name="Periods"/>.</param>
    private sealed record Inputs(IReadOnlyList<IReadOnlyList<object>> Periods, IReadOnlyDictionary<string, CheckpointSigned> Signed, int ExistingCount,
        int LedgerSize, string LedgerRoot, IReadOnlyDictionary<string, string> HeadsBefore);

    /// <summary>
    /// What the checkpoints to write need, or null when every closed period has one. Checkpoints are written for every
    /// period without one, in close order, so those periods always follow the last checkpoint's: they are found by the
    /// index of <c>ClosedPeriodView.Checkpointed</c> and put in close order by their streams' first events, the chain
    /// heads before them are the last checkpoint's, and the ledger log's size and root come from its running frontier
    /// (<c>LedgerLogView</c>). When that does not hold (a store edited by hand, a checkpoint deleted) every period and the
    /// whole log are read as before.
    /// </summary>
    private static async Task<Inputs?> InputsAsync(IDocumentSession session, CancellationToken ct)
    {
        var existingCount = (int)((await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Checkpoints, ct))?.Version ?? 0);
        CheckpointSigned? last = null;
        if (existingCount > 0)
        {
            last = (await session.Events.FetchStreamAsync(MartenSetup.Streams.Checkpoints, version: existingCount, fromVersion: existingCount, token: ct))
                .Select(e => e.Data).OfType<CheckpointSigned>().SingleOrDefault();
        }
        var missing = await session.Query<ClosedPeriodView>().Where(p => !p.Checkpointed).Select(p => p.Id).ToListAsync(ct);
        var closed = await session.Query<ClosedPeriodView>().CountAsync(ct);
        if ((last is not null || existingCount == 0) && closed == existingCount + missing.Count)
        {
            if (missing.Count == 0)
            {
                return null;
            }
            var lastClosedAt = last is null ? 0
                : (await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(last.Period), version: 1, token: ct)).FirstOrDefault()?.Sequence ?? long.MaxValue;
            var streams = new List<IReadOnlyList<JasperFx.Events.IEvent>>();
            foreach (var id in missing)
            {
                var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(id), token: ct);
                if (events.Count > 0 && events[0].Data is PeriodClosed)
                {
                    streams.Add(events);
                }
            }
            if (streams.All(events => events[0].Sequence > lastClosedAt))
            {
                var log = await session.LoadAsync<Ledger.LedgerLogView>(Ledger.LedgerLogView.Key, ct) ?? new Ledger.LedgerLogView();
                var signed = last is null ? new Dictionary<string, CheckpointSigned>() : new Dictionary<string, CheckpointSigned> { [last.Period] = last };
                return new Inputs(streams.OrderBy(events => events[0].Sequence).Select(events => (IReadOnlyList<object>)events.Select(e => e.Data).ToList()).ToList(),
                    signed, existingCount, checked((int)log.LogSize), log.LogRoot(), last?.ChainHeads ?? new Dictionary<string, string>(StringComparer.Ordinal));
            }
        }

        // The whole history, as before the read models: every period and checkpoint, the whole ledger log.
        var existing = await session.Events.FetchStreamAsync(MartenSetup.Streams.Checkpoints, token: ct);
        var all = existing.Select(e => e.Data).OfType<CheckpointSigned>().ToDictionary(c => c.Period, StringComparer.Ordinal);
        var every = await AuditReader.PeriodsAsync(session, ct);
        if (every.All(p => all.ContainsKey(((PeriodClosed)p[0]).Period)))
        {
            return null;
        }
        var ledger = await AuditReader.LedgerLogAsync(session, ct);
        return new Inputs(every, all, existing.Count, ledger.Count, Convert.ToHexStringLower(Merkle.Root(Verifier.LeafHashes(ledger))),
            new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <summary>Checkpoints for the periods (in close order) that have none, chained after the last existing one.</summary>
    internal static List<CheckpointSigned> Build(IReadOnlyList<IReadOnlyList<object>> periods, IReadOnlyDictionary<string, CheckpointSigned> signed,
        int existingCount, int ledgerSize, string ledgerRoot, ICheckpointSigner signer, IReadOnlyDictionary<string, string> headsBefore)
    {
        var created = new List<CheckpointSigned>();
        var heads = new Dictionary<string, string>(headsBefore, StringComparer.Ordinal);
        var last = signed.Values.OrderBy(c => c.Sequence).LastOrDefault();
        var previous = last?.Hash ?? Domain.Audit.Statements.Genesis;
        var sequence = existingCount;
        foreach (var events in periods)
        {
            var closed = (PeriodClosed)events[0];
            var hashes = new List<string>();
            foreach (var e in events)
            {
                var (key, hash) = e switch
                {
                    InvoiceIssued i => (Domain.Audit.Statements.KeyOf(i), i.Hash),
                    StatementIssued s => (Domain.Audit.Statements.KeyOf(s), s.Hash),
                    IssuerClaimIssued c => (Domain.Audit.Statements.KeyOf(c), c.Hash),
                    RegionShareIssued r => (Domain.Audit.Statements.KeyOf(r), r.Hash),
                    _ => (null, null),
                };
                if (key is not null && hash is not null)
                {
                    heads[key] = hash;
                    hashes.Add(hash);
                }
            }
            if (signed.ContainsKey(closed.Period))
            {
                continue;
            }
            var checkpoint = Checkpoints.Create(++sequence, closed.Period, closed.At, closed.MerkleRoot ?? "", closed.TreeSize, hashes, heads,
                ledgerSize, ledgerRoot, previous, signer.KeyId);
            checkpoint = Checkpoints.Sign(checkpoint, signer.Sign);
            created.Add(checkpoint);
            previous = checkpoint.Hash;
        }
        return created;
    }
}
