using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Audit;

public sealed record PeriodVerification(string Period, string? MerkleRoot, string RecomputedRoot, int Transactions, int Statements, bool Ok);

/// <summary>One statement as verification found it: its chain (party and kind), the stored and recomputed hashes and the link.</summary>
public sealed record StatementCheck(string Period, string Chain, string Statement, string? StoredHash, string RecomputedHash, string? PreviousHash,
    string ExpectedPreviousHash, bool Ok);

/// <summary>What checking stored history against checkpoints kept outside the platform found.</summary>
public sealed record CheckpointVerification(bool Ok, int Checkpoints, int LatestSequence, string? LatestPeriod, IReadOnlyList<string> KeyIds,
    int LedgerTransactionsCovered, int LedgerTransactionsNotYetCovered, IReadOnlyList<string> PeriodsNotYetCovered, IReadOnlyList<string> Failures);

/// <summary>
/// The regulator's check of stored history: every statement's hash and chain link, every period's Merkle root, and —
/// when checkpoints are given — everything those signed checkpoints commit to. <see cref="Failures"/> holds them all.
/// </summary>
public sealed record VerificationReport(bool Ok, int Periods, int Statements, int Transactions, IReadOnlyList<PeriodVerification> PeriodResults,
    IReadOnlyList<string> Failures, CheckpointVerification? Checkpoints = null, int LedgerTransactions = 0, int CreditNotes = 0);

/// <summary>Checkpoints kept outside the platform, the public keys to check them with (key id → SPKI DER), and optional leaf manifests.</summary>
/// <param name="Manifests">Per period key (and <see cref="LedgerManifest"/> for the cash and reversal log): the (txId, leaf hash)
/// of every leaf a checkpoint covers. They are trusted only when their Merkle root equals the signed root; then a changed
/// root is traced to the exact transaction.</param>
public sealed record KeptCheckpoints(IReadOnlyList<CheckpointSigned> Checkpoints, IReadOnlyDictionary<string, byte[]> PublicKeys,
    IReadOnlyDictionary<string, IReadOnlyList<LeafEntry>>? Manifests = null)
{
    public const string LedgerManifest = "ledger";
}

public sealed record LeafEntry(string TxId, string LeafHash);

/// <summary>Per closed period, what verification recomputed from stored events (hashes recomputed, never taken from storage).</summary>
public sealed record PeriodWalk(string Period, PeriodClosed Closed, IReadOnlyList<TransactionPosted> Transactions, byte[][] LeafHashes, string Root,
    IReadOnlyList<string> StatementHashes, IReadOnlyDictionary<string, string> HeadsAfter, IReadOnlyDictionary<string, string> StatementByChain);

/// <summary>
/// Recomputes, from the stored events alone, what each close committed to: statement hashes (RFC 8785 + SHA-256),
/// chain links per party and kind, Merkle roots (RFC 6962) over each period's transactions, and the tree over the cash
/// and reversal log; then compares with kept checkpoints. Names what fails: the period, the statement, the transaction.
/// </summary>
public static class Verifier
{
    /// <summary><paramref name="periods"/>: each closed period's events in stream order, periods in close order.</summary>
    public static VerificationReport Verify(IReadOnlyList<IReadOnlyList<object>> periods) => Verify(periods, [], null);

    /// <param name="ledgerLog">Every cash and reversal transaction, in commit order.</param>
    /// <param name="kept">Checkpoints kept outside the platform; null checks stored history on its own.</param>
    /// <param name="creditNotes">Every credit note in issue order (market-rules §14): hashes, per-buyer chains and their transactions in the log.</param>
    public static VerificationReport Verify(IReadOnlyList<IReadOnlyList<object>> periods, IReadOnlyList<TransactionPosted> ledgerLog, KeptCheckpoints? kept,
        IReadOnlyList<Disputes.CreditNoteIssued>? creditNotes = null)
    {
        var (walks, checks, failures, results) = Walk(periods);
        failures.AddRange(CreditNoteFailures(creditNotes ?? Array.Empty<Disputes.CreditNoteIssued>(), ledgerLog));
        foreach (var t in ledgerLog.Where(t => t.Sum != 0))
        {
            failures.Add($"ledger log: transaction {t.TxId} does not balance (off by {t.Sum} fen)");
        }
        CheckpointVerification? cv = null;
        if (kept is not null)
        {
            cv = AgainstCheckpoints(walks, ledgerLog, kept);
            failures.AddRange(cv.Failures);
        }
        return new VerificationReport(failures.Count == 0, periods.Count, checks.Count, walks.Sum(w => w.Transactions.Count), results, failures, cv, ledgerLog.Count,
            creditNotes?.Count ?? 0);
    }

    /// <summary>
    /// Each credit note's hash recomputed (RFC 8785 + SHA-256), its link to the buyer's previous credit note, and its
    /// transaction in the ledger log: the same postings, and a memo naming the recomputed hash — the log is what signed
    /// checkpoints commit to, so a note rewritten together with its stored hash no longer matches what was signed.
    /// </summary>
    public static IEnumerable<string> CreditNoteFailures(IReadOnlyList<Disputes.CreditNoteIssued> notes, IReadOnlyList<TransactionPosted> ledgerLog)
    {
        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
        var byTx = new Dictionary<string, TransactionPosted>(StringComparer.Ordinal);
        foreach (var t in ledgerLog)
        {
            byTx.TryAdd(t.TxId, t);
        }
        foreach (var n in notes)
        {
            var key = Audit.Statements.KeyOf(n);
            var expectedPrevious = heads.GetValueOrDefault(key, Audit.Statements.Genesis);
            if (n.PreviousHash != expectedPrevious)
            {
                yield return $"credit note {n.Id} of {n.Buyer}: previous hash {n.PreviousHash} does not link to {expectedPrevious}";
            }
            var recomputed = Canonical.Sha256(Audit.Statements.Body(n, n.PreviousHash ?? ""));
            if (n.Hash != recomputed)
            {
                yield return $"credit note {n.Id} of {n.Buyer}: stored hash {n.Hash} differs from the recomputed {recomputed}";
            }
            heads[key] = n.Hash ?? recomputed;
            if (!byTx.TryGetValue(Disputes.CreditNoteIssued.TxIdOf(n.Dispute), out var tx))
            {
                yield return $"credit note {n.Id} of {n.Buyer}: its transaction {Disputes.CreditNoteIssued.TxIdOf(n.Dispute)} is missing from the ledger log";
            }
            else if (!tx.Memo.EndsWith(": " + recomputed, StringComparison.Ordinal) || !tx.Postings.SequenceEqual(n.Postings))
            {
                yield return $"credit note {n.Id} of {n.Buyer}: differs from its transaction {tx.TxId} in the ledger log (hash or postings)";
            }
        }
    }

    /// <summary>Every statement's check, for verifying one statement or one party's chain.</summary>
    public static IReadOnlyList<StatementCheck> Statements(IReadOnlyList<IReadOnlyList<object>> periods) => Walk(periods).Checks;

    public static IReadOnlyList<PeriodWalk> Periods(IReadOnlyList<IReadOnlyList<object>> periods) => Walk(periods).Walks;

    /// <summary>Leaf hashes of transactions, computed in parallel (canonical JSON, then SHA-256(0x00 ‖ leaf)).</summary>
    public static byte[][] LeafHashes(IReadOnlyList<TransactionPosted> transactions)
    {
        var hashes = new byte[transactions.Count][];
        if (transactions.Count < 2048)
        {
            for (var i = 0; i < hashes.Length; i++)
            {
                hashes[i] = Audit.Statements.LeafHash(transactions[i]);
            }
        }
        else
        {
            Parallel.For(0, hashes.Length, i => hashes[i] = Audit.Statements.LeafHash(transactions[i]));
        }
        return hashes;
    }

    private static (List<PeriodWalk> Walks, List<StatementCheck> Checks, List<string> Failures, List<PeriodVerification> Results) Walk(
        IReadOnlyList<IReadOnlyList<object>> periods)
    {
        var storedHeads = new Dictionary<string, string>(StringComparer.Ordinal);
        var recomputedHeads = new Dictionary<string, string>(StringComparer.Ordinal);
        var failures = new List<string>();
        var results = new List<PeriodVerification>();
        var checks = new List<StatementCheck>();
        var walks = new List<PeriodWalk>();
        foreach (var events in periods)
        {
            var closed = events.OfType<PeriodClosed>().Single();
            var before = failures.Count;
            var statementHashes = new List<string>();
            var byChain = new Dictionary<string, string>(StringComparer.Ordinal);
            void Check(string key, string what, string? hash, string? previous, Func<string, object> body)
            {
                var expectedPrevious = storedHeads.GetValueOrDefault(key, Audit.Statements.Genesis);
                if (previous != expectedPrevious)
                {
                    failures.Add($"{closed.Period} {what}: previous hash {previous} does not link to {expectedPrevious}");
                }
                var recomputed = Canonical.Sha256(body(previous ?? ""));
                if (hash != recomputed)
                {
                    failures.Add($"{closed.Period} {what}: stored hash {hash} differs from the recomputed {recomputed}");
                }
                checks.Add(new StatementCheck(closed.Period, key, what, hash, recomputed, previous, expectedPrevious, previous == expectedPrevious && hash == recomputed));
                storedHeads[key] = hash ?? recomputed;
                recomputedHeads[key] = recomputed;
                statementHashes.Add(recomputed);
                byChain[key] = what;
            }
            foreach (var e in events)
            {
                switch (e)
                {
                    case InvoiceIssued i: Check(Audit.Statements.KeyOf(i), $"invoice of {i.Buyer}", i.Hash, i.PreviousHash, p => Audit.Statements.Body(i, p)); break;
                    case StatementIssued s: Check(Audit.Statements.KeyOf(s), $"{s.Role} statement of {s.Party}", s.Hash, s.PreviousHash, p => Audit.Statements.Body(s, p)); break;
                    case IssuerClaimIssued c: Check(Audit.Statements.KeyOf(c), $"claim of {c.Issuer}", c.Hash, c.PreviousHash, p => Audit.Statements.Body(c, p)); break;
                    case RegionShareIssued r: Check(Audit.Statements.KeyOf(r), $"region statement of {r.Region}", r.Hash, r.PreviousHash, p => Audit.Statements.Body(r, p)); break;
                }
            }
            var txs = events.OfType<TransactionPosted>().ToList();
            foreach (var t in txs.Where(t => t.Sum != 0))
            {
                failures.Add($"{closed.Period} transaction {t.TxId} does not balance (off by {t.Sum} fen)");
            }
            var leafHashes = LeafHashes(txs);
            var root = Convert.ToHexStringLower(Merkle.Root(leafHashes));
            if (root != closed.MerkleRoot || txs.Count != closed.TreeSize)
            {
                failures.Add($"{closed.Period}: Merkle root of {txs.Count} transactions is {root}, the close committed to {closed.MerkleRoot} over {closed.TreeSize}");
            }
            results.Add(new PeriodVerification(closed.Period, closed.MerkleRoot, root, txs.Count, statementHashes.Count, failures.Count == before));
            walks.Add(new PeriodWalk(closed.Period, closed, txs, leafHashes, root, statementHashes,
                new Dictionary<string, string>(recomputedHeads, StringComparer.Ordinal), byChain));
        }
        return (walks, checks, failures, results);
    }

    private static CheckpointVerification AgainstCheckpoints(IReadOnlyList<PeriodWalk> walks, IReadOnlyList<TransactionPosted> ledgerLog, KeptCheckpoints kept)
    {
        var failures = new List<string>();
        var ordered = kept.Checkpoints.OrderBy(c => c.Sequence).ToList();
        var byPeriod = walks.ToDictionary(w => w.Period, StringComparer.Ordinal);
        var ledgerHashes = LeafHashes(ledgerLog);
        var previous = Audit.Statements.Genesis;
        for (var i = 0; i < ordered.Count; i++)
        {
            var c = ordered[i];
            var name = $"checkpoint #{c.Sequence} ({c.Period})";
            if (Checkpoints.Check(c, kept.PublicKeys) is { } why)
            {
                failures.Add($"{name}: {why}");
            }
            if (c.PreviousHash != previous || c.Sequence != i + 1)
            {
                failures.Add($"{name}: previous checkpoint hash {c.PreviousHash} does not link to {previous} (a checkpoint is missing or was replaced)");
            }
            previous = c.Hash;

            if (!byPeriod.TryGetValue(c.Period, out var w))
            {
                failures.Add($"{name}: period {c.Period} is missing from stored history");
            }
            else
            {
                if (w.Root != c.MerkleRoot || w.Transactions.Count != c.TreeSize)
                {
                    failures.Add($"{c.Period}: stored transactions give Merkle root {w.Root} over {w.Transactions.Count}, {name} signed {c.MerkleRoot} over {c.TreeSize}");
                    failures.AddRange(Trace(c.Period, w.Transactions, w.LeafHashes, c.MerkleRoot, c.TreeSize, kept.Manifests?.GetValueOrDefault(c.Period)));
                }
                foreach (var key in c.ChainHeads.Keys.Union(w.HeadsAfter.Keys).Order(StringComparer.Ordinal))
                {
                    var signed = c.ChainHeads.GetValueOrDefault(key);
                    var stored = w.HeadsAfter.GetValueOrDefault(key);
                    if (signed != stored)
                    {
                        var what = w.StatementByChain.TryGetValue(key, out var s) ? $"{c.Period} {s}" : $"chain {key} (last statement before {c.Period})";
                        failures.Add($"{what}: recomputed hash {stored ?? "(none: missing)"} differs from the head {signed ?? "(none)"} that {name} signed for chain {key}");
                    }
                }
                var statementsHash = Checkpoints.StatementsHash(w.StatementHashes);
                if (statementsHash != c.StatementsHash || w.StatementHashes.Count != c.Statements)
                {
                    failures.Add($"{c.Period}: the {w.StatementHashes.Count} stored statements hash to {statementsHash}, {name} signed {c.StatementsHash} over {c.Statements}");
                }
            }

            if (c.LedgerLogSize > ledgerLog.Count)
            {
                failures.Add($"ledger log: {ledgerLog.Count} cash and reversal transactions are stored, {name} covers {c.LedgerLogSize} (some were deleted)");
            }
            var root = Convert.ToHexStringLower(Merkle.Root(ledgerHashes.Take(Math.Min(c.LedgerLogSize, ledgerHashes.Length)).ToArray()));
            if (root != c.LedgerLogRoot)
            {
                failures.Add($"ledger log: the first {Math.Min(c.LedgerLogSize, ledgerLog.Count)} cash and reversal transactions give root {root}, {name} signed {c.LedgerLogRoot} over {c.LedgerLogSize}");
                if (i == ordered.Count - 1)
                {
                    failures.AddRange(Trace("ledger log", ledgerLog, ledgerHashes, c.LedgerLogRoot, c.LedgerLogSize, kept.Manifests?.GetValueOrDefault(KeptCheckpoints.LedgerManifest)));
                }
            }
        }
        var covered = ordered.Select(c => c.Period).ToHashSet(StringComparer.Ordinal);
        var ledgerCovered = ordered.Count == 0 ? 0 : ordered[^1].LedgerLogSize;
        return new CheckpointVerification(failures.Count == 0, ordered.Count, ordered.Count == 0 ? 0 : ordered[^1].Sequence, ordered.LastOrDefault()?.Period,
            ordered.Select(c => c.KeyId).Distinct().ToList(), ledgerCovered, Math.Max(0, ledgerLog.Count - ledgerCovered),
            walks.Select(w => w.Period).Where(p => !covered.Contains(p)).ToList(), failures);
    }

    /// <summary>
    /// Names the transactions behind a changed root, from a kept manifest whose own root equals the signed root (so it is
    /// as trustworthy as the signature): changed, missing and unexpected transactions by id.
    /// </summary>
    private static IEnumerable<string> Trace(string where, IReadOnlyList<TransactionPosted> stored, byte[][] storedHashes, string signedRoot, int signedSize,
        IReadOnlyList<LeafEntry>? manifest)
    {
        if (manifest is null)
        {
            yield break;
        }
        var manifestRoot = Convert.ToHexStringLower(Merkle.Root(manifest.Select(e => Convert.FromHexString(e.LeafHash)).ToArray()));
        if (manifestRoot != signedRoot || manifest.Count != signedSize)
        {
            yield return $"{where}: the kept leaf manifest does not match the signed root, so it cannot name the transactions";
            yield break;
        }
        var storedById = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < stored.Count; i++)
        {
            storedById.TryAdd(stored[i].TxId, Convert.ToHexStringLower(storedHashes[i]));
        }
        var keptIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Count; i++)
        {
            var e = manifest[i];
            keptIds.Add(e.TxId);
            if (!storedById.TryGetValue(e.TxId, out var hash))
            {
                yield return $"{where}: transaction {e.TxId} (leaf {i}) is missing from stored history";
            }
            else if (hash != e.LeafHash)
            {
                yield return $"{where}: transaction {e.TxId} (leaf {i}) was changed: its leaf hash is {hash}, the checkpoint's is {e.LeafHash}";
            }
            else if (i >= stored.Count || stored[i].TxId != e.TxId)
            {
                yield return $"{where}: transaction {e.TxId} is no longer leaf {i}";
            }
        }
        foreach (var t in where == "ledger log" ? stored.Take(signedSize) : stored)
        {
            if (!keptIds.Contains(t.TxId))
            {
                yield return $"{where}: transaction {t.TxId} is not in the checkpoint";
            }
        }
    }
}
