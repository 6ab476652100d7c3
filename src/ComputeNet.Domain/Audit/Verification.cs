using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Audit;

public sealed record PeriodVerification(string Period, string? MerkleRoot, string RecomputedRoot, int Transactions, int Statements, bool Ok);

/// <summary>The regulator's check of stored history: every statement's hash and chain link, every period's Merkle root.</summary>
public sealed record VerificationReport(bool Ok, int Periods, int Statements, int Transactions, IReadOnlyList<PeriodVerification> PeriodResults,
    IReadOnlyList<string> Failures);

/// <summary>
/// Recomputes, from the stored events alone, what each close committed to: statement hashes (RFC 8785 + SHA-256),
/// chain links per party and kind, and Merkle roots (RFC 6962) over each period's transactions; names what fails.
/// (Checking against checkpoints kept outside the platform, and their signatures, comes with the settlement issue.)
/// </summary>
public static class Verifier
{
    /// <summary><paramref name="periods"/>: each closed period's events in stream order, periods in close order.</summary>
    public static VerificationReport Verify(IReadOnlyList<IReadOnlyList<object>> periods)
    {
        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
        var failures = new List<string>();
        var results = new List<PeriodVerification>();
        int statements = 0, transactions = 0;
        foreach (var events in periods)
        {
            var closed = events.OfType<PeriodClosed>().Single();
            var before = failures.Count;
            var count = 0;
            void Check(string key, string what, string? hash, string? previous, Func<string, object> body)
            {
                count++;
                var expectedPrevious = heads.GetValueOrDefault(key, Statements.Genesis);
                if (previous != expectedPrevious)
                {
                    failures.Add($"{closed.Period} {what}: previous hash {previous} does not link to {expectedPrevious}");
                }
                var recomputed = Canonical.Sha256(body(previous ?? ""));
                if (hash != recomputed)
                {
                    failures.Add($"{closed.Period} {what}: stored hash {hash} differs from the recomputed {recomputed}");
                }
                heads[key] = hash ?? recomputed;
            }
            foreach (var e in events)
            {
                switch (e)
                {
                    case InvoiceIssued i: Check(Statements.KeyOf(i), $"invoice of {i.Buyer}", i.Hash, i.PreviousHash, p => Statements.Body(i, p)); break;
                    case StatementIssued s: Check(Statements.KeyOf(s), $"{s.Role} statement of {s.Party}", s.Hash, s.PreviousHash, p => Statements.Body(s, p)); break;
                    case IssuerClaimIssued c: Check(Statements.KeyOf(c), $"claim of {c.Issuer}", c.Hash, c.PreviousHash, p => Statements.Body(c, p)); break;
                    case RegionShareIssued r: Check(Statements.KeyOf(r), $"region statement of {r.Region}", r.Hash, r.PreviousHash, p => Statements.Body(r, p)); break;
                }
            }
            var txs = events.OfType<TransactionPosted>().ToList();
            foreach (var t in txs.Where(t => t.Sum != 0))
            {
                failures.Add($"{closed.Period} transaction {t.TxId} does not balance (off by {t.Sum} fen)");
            }
            var root = Merkle.RootHex(txs.Select(Statements.Leaf).ToList());
            if (root != closed.MerkleRoot || txs.Count != closed.TreeSize)
            {
                failures.Add($"{closed.Period}: Merkle root of {txs.Count} transactions is {root}, the close committed to {closed.MerkleRoot} over {closed.TreeSize}");
            }
            statements += count;
            transactions += txs.Count;
            results.Add(new PeriodVerification(closed.Period, closed.MerkleRoot, root, txs.Count, count, failures.Count == before));
        }
        return new VerificationReport(failures.Count == 0, periods.Count, statements, transactions, results, failures);
    }
}
