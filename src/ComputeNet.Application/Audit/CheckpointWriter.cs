using ComputeNet.Application.Infrastructure;
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
            var existing = await session.Events.FetchStreamAsync(MartenSetup.Streams.Checkpoints, token: ct);
            var signed = existing.Select(e => e.Data).OfType<CheckpointSigned>().ToDictionary(c => c.Period, StringComparer.Ordinal);
            var periods = await AuditReader.PeriodsAsync(session, ct);
            if (periods.All(p => signed.ContainsKey(((PeriodClosed)p[0]).Period)))
            {
                return [];
            }
            var ledger = await AuditReader.LedgerLogAsync(session, ct);
            var ledgerRoot = Convert.ToHexStringLower(Merkle.Root(Verifier.LeafHashes(ledger)));
            var created = Build(periods, signed, existing.Count, ledger.Count, ledgerRoot, signer);
            ExpectedVersion.Append(session, MartenSetup.Streams.Checkpoints, existing.Count == 0 ? 0 : existing[^1].Version, created.ToArray());
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

    /// <summary>Checkpoints for the periods (in close order) that have none, chained after the last existing one.</summary>
    internal static List<CheckpointSigned> Build(IReadOnlyList<IReadOnlyList<object>> periods, IReadOnlyDictionary<string, CheckpointSigned> signed,
        int existingCount, int ledgerSize, string ledgerRoot, ICheckpointSigner signer)
    {
        var created = new List<CheckpointSigned>();
        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
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
