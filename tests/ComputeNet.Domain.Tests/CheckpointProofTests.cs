using System.Security.Cryptography;
using System.Text;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §11: the signed checkpoint's canonical body, field by field, and the offline check of an inclusion proof —
/// every failure it names, for the period log and the ledger log.
/// </summary>
public sealed class CheckpointProofTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
    }

    private IReadOnlyDictionary<string, byte[]> Keys => Checkpoints.PublicKeys([_key.ExportSubjectPublicKeyInfoPem()]);

    private byte[] SignWith(ECDsa key, byte[] data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static readonly Instant ClosedAt = Instant.FromUtc(2026, 12, 1, 17, 0, 5);

    private static TransactionPosted Tx(int i) => new($"2026-12-01/lease-{i}/compute", "2026-12-01", "charge", $"compute line of lease lease-{i} for buyer-sh",
        [new Posting("buyer:buyer-sh", 100 + i), new Posting("provider:prov-a", -(100 + i))], ClosedAt);

    /// <summary>A period tree of <paramref name="n"/> transactions, its signed checkpoint, and a proof of leaf <paramref name="index"/>.</summary>
    private InclusionProof PeriodProof(int n, int index, string log = Proofs.PeriodLog)
    {
        var txs = Enumerable.Range(0, n).Select(Tx).ToList();
        var leaves = txs.Select(Statements.Leaf).ToList();
        var hashes = Merkle.LeafHashes(leaves);
        var root = Merkle.RootHex(leaves);
        var keyId = Keys.Keys.Single();
        var c = log == Proofs.LedgerLog
            ? Checkpoints.Create(4, "2026-12-01", ClosedAt, Merkle.RootHex([]), 0, [], new Dictionary<string, string>(), n, root, Statements.Genesis, keyId)
            : Checkpoints.Create(4, "2026-12-01", ClosedAt, root, n, [], new Dictionary<string, string>(), 0, Merkle.RootHex([]), Statements.Genesis, keyId);
        var signed = Checkpoints.Sign(c, d => SignWith(_key, d));
        return new InclusionProof(txs[index].TxId, log, log == Proofs.PeriodLog ? "2026-12-01" : null, index, n, Encoding.UTF8.GetString(leaves[index]),
            Convert.ToHexStringLower(hashes[index]), Merkle.AuditPath(hashes, index).Select(Convert.ToHexStringLower).ToList(), root, signed);
    }

    [Fact]
    public void The_canonical_body_holds_every_field_but_hash_and_signature_in_rfc_8785_order()
    {
        var keyId = Keys.Keys.Single();
        var c = Checkpoints.Create(7, "2026-12-03", ClosedAt, new string('b', 64), 12, ["h1", "h2", "h3"],
            new Dictionary<string, string> { ["provider/p"] = "x2", ["invoice/b"] = "x1" }, 40, new string('c', 64), new string('d', 64), keyId);

        var statementsHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("[\"h1\",\"h2\",\"h3\"]")));
        var body = "{\"chainHeads\":{\"invoice/b\":\"x1\",\"provider/p\":\"x2\"},\"closedAt\":\"2026-12-01T17:00:05Z\",\"format\":\"computenet-checkpoint/1\","
                   + $"\"keyId\":\"{keyId}\",\"ledgerLog\":{{\"root\":\"{new string('c', 64)}\",\"treeSize\":40}},\"merkleRoot\":\"{new string('b', 64)}\","
                   + $"\"period\":\"2026-12-03\",\"previousHash\":\"{new string('d', 64)}\",\"sequence\":7,\"statements\":3,\"statementsHash\":\"{statementsHash}\","
                   + "\"treeSize\":12}";
        Assert.Equal(body, Encoding.UTF8.GetString(Checkpoints.BodyBytes(c)));
        Assert.Equal(body, Canonical.Json(Checkpoints.Body(c)));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), c.Hash);
        Assert.Equal(c.Hash, Checkpoints.HashOf(c));
        Assert.Equal(statementsHash, Checkpoints.StatementsHash(["h1", "h2", "h3"]));
        Assert.Equal((7, "2026-12-03", ClosedAt, 12, 3, 40, ""), (c.Sequence, c.Period, c.ClosedAt, c.TreeSize, c.Statements, c.LedgerLogSize, c.Signature));
        Assert.Equal(["invoice/b", "provider/p"], c.ChainHeads.Keys);
        Assert.Equal("computenet-checkpoint/1", Checkpoints.Format);
        Assert.StartsWith("ECDSA P-256 SHA-256", Checkpoints.Algorithm);
    }

    [Fact]
    public void The_key_id_is_the_sha256_of_the_public_key_info()
    {
        var spki = _key.ExportSubjectPublicKeyInfo();
        var id = Checkpoints.KeyId(spki);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(spki)), id);
        Assert.Equal(spki, Keys[id]);
        var both = Checkpoints.PublicKeys([_key.ExportSubjectPublicKeyInfoPem(), _other.ExportSubjectPublicKeyInfoPem(), _key.ExportSubjectPublicKeyInfoPem()]);
        Assert.Equal(2, both.Count);
    }

    [Fact]
    public void A_signature_that_is_not_base64_is_named()
    {
        var p = PeriodProof(3, 1);
        Assert.Equal("its signature is not base64", Checkpoints.Check(p.Checkpoint with { Signature = "not base64!" }, Keys));
        Assert.Equal($"its signature does not verify with key {p.Checkpoint.KeyId}",
            Checkpoints.Check(Checkpoints.Sign(p.Checkpoint, d => SignWith(_other, d)), Keys));
        Assert.Equal($"it is signed by key {p.Checkpoint.KeyId}, which is not among the public keys given ()",
            Checkpoints.Check(p.Checkpoint, new Dictionary<string, byte[]>()));
    }

    [Fact]
    public void An_unknown_key_is_named_with_every_key_given()
    {
        var p = PeriodProof(3, 1);
        using var third = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var given = Checkpoints.PublicKeys([_other.ExportSubjectPublicKeyInfoPem(), third.ExportSubjectPublicKeyInfoPem()]);

        Assert.Equal($"it is signed by key {p.Checkpoint.KeyId}, which is not among the public keys given ({string.Join(", ", given.Keys)})",
            Checkpoints.Check(p.Checkpoint, given));
        Assert.Equal(2, given.Count);
    }

    [Fact]
    public void A_proof_in_an_empty_tree_fails_only_its_path_and_the_commitment()
    {
        var p = PeriodProof(3, 1);
        var empty = p with { TreeSize = 0, LeafIndex = 0, AuditPath = [] };

        Assert.Equal([
            $"the audit path does not lead from leaf 0 to root {p.Root} of a tree of 0",
            $"checkpoint #4 (2026-12-01) commits to root {p.Root} over 3, not to {p.Root} over 0",
        ], Proofs.Verify(empty, Keys).Failures);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(5, 4)]
    [InlineData(8, 3)]
    public void A_proof_of_the_period_log_verifies_offline(int n, int index)
    {
        var check = Proofs.Verify(PeriodProof(n, index), Keys);
        Assert.Equal((true, 0), (check.Ok, check.Failures.Count));
    }

    [Fact]
    public void A_proof_of_the_ledger_log_verifies_against_the_ledger_root_and_size()
    {
        var proof = PeriodProof(6, 5, Proofs.LedgerLog);
        Assert.True(Proofs.Verify(proof, Keys).Ok);
        Assert.Equal(2 * Merkle.HashBytes, proof.ProofBytes);   // leaf 4, then the root of leaves 0–3

        // The ledger log is checked against LedgerLogRoot/Size, never MerkleRoot/TreeSize, and has no period.
        var failure = Assert.Single(Proofs.Verify(proof with { TreeSize = 7 }, Keys).Failures, f => f.StartsWith("checkpoint", StringComparison.Ordinal));
        Assert.Equal($"checkpoint #4 (2026-12-01) commits to root {proof.Root} over 6, not to {proof.Root} over 7", failure);
        Assert.True(Proofs.Verify(proof with { Period = "2026-12-09" }, Keys).Ok);
    }

    [Fact]
    public void A_stated_leaf_hash_that_is_not_the_leaf_s_is_named()
    {
        var p = PeriodProof(4, 2);
        var check = Proofs.Verify(p with { LeafHash = new string('0', 64) }, Keys);
        Assert.False(check.Ok);
        Assert.Equal([$"the leaf hashes to {p.LeafHash}, not to the stated {new string('0', 64)}"], check.Failures);
    }

    [Fact]
    public void A_leaf_of_another_transaction_or_not_json_is_named()
    {
        var p = PeriodProof(4, 2);
        Assert.Equal(["the leaf is not transaction other-tx"], Proofs.Verify(p with { TxId = "other-tx" }, Keys).Failures);

        var notJson = Proofs.Verify(p with { Leaf = "not json", LeafHash = Convert.ToHexStringLower(Merkle.LeafHash("not json"u8)) }, Keys);
        Assert.Equal("the leaf is not JSON", notJson.Failures[0]);
        Assert.StartsWith("the audit path does not lead from leaf 2 to root", notJson.Failures[1]);

        var noTxId = "{\"id\":\"2026-12-01/lease-2/compute\"}";
        var without = Proofs.Verify(p with { Leaf = noTxId, LeafHash = Convert.ToHexStringLower(Merkle.LeafHash(Encoding.UTF8.GetBytes(noTxId))) }, Keys);
        Assert.Equal($"the leaf is not transaction {p.TxId}", without.Failures[0]);
    }

    [Fact]
    public void An_audit_path_or_root_that_is_not_hex_stops_the_check()
    {
        var p = PeriodProof(4, 2);
        var badPath = Proofs.Verify(p with { AuditPath = ["zz"] }, Keys);
        Assert.False(badPath.Ok);
        Assert.Equal(["the audit path or root is not hex"], badPath.Failures);
        var badRoot = Proofs.Verify(p with { Root = "xyz", TxId = "t" }, Keys);
        Assert.Equal(["the leaf is not transaction t", "the audit path or root is not hex"], badRoot.Failures);
    }

    [Fact]
    public void An_audit_path_longer_than_the_tree_needs_is_named()
    {
        var p = PeriodProof(4, 2);
        var longer = Proofs.Verify(p with { AuditPath = [.. p.AuditPath, p.AuditPath[0]] }, Keys);
        Assert.Equal("the audit path has 3 hashes; a tree of 4 needs at most 2", longer.Failures[0]);
        Assert.Equal($"the audit path does not lead from leaf 2 to root {p.Root} of a tree of 4", longer.Failures[1]);

        // A one-leaf tree needs no path at all; five leaves need at most three hashes.
        var single = PeriodProof(1, 0);
        Assert.Equal("the audit path has 1 hashes; a tree of 1 needs at most 0",
            Proofs.Verify(single with { AuditPath = [single.LeafHash] }, Keys).Failures[0]);
        var five = PeriodProof(5, 0);
        Assert.Equal(3, five.AuditPath.Count);
        Assert.True(Proofs.Verify(five, Keys).Ok);
    }

    [Fact]
    public void A_wrong_index_is_an_audit_path_that_does_not_lead_to_the_root()
    {
        var p = PeriodProof(4, 2);
        Assert.Equal([$"the audit path does not lead from leaf 3 to root {p.Root} of a tree of 4"], Proofs.Verify(p with { LeafIndex = 3 }, Keys).Failures);
    }

    [Fact]
    public void The_checkpoint_must_commit_to_the_root_size_and_period_of_the_proof()
    {
        var p = PeriodProof(4, 2);
        var otherPeriod = Proofs.Verify(p with { Period = "2026-12-02" }, Keys);
        Assert.Equal([$"checkpoint #4 (2026-12-01) commits to root {p.Root} over 4, not to {p.Root} over 4"], otherPeriod.Failures);

        // Another (valid) tree: its path leads to its own root, which the checkpoint does not commit to.
        var q = PeriodProof(5, 2);
        var mixed = Proofs.Verify(q with { Checkpoint = p.Checkpoint }, Keys);
        Assert.Equal([$"checkpoint #4 (2026-12-01) commits to root {p.Root} over 4, not to {q.Root} over 5"], mixed.Failures);
        var sameSizeOtherRoot = Proofs.Verify(q with { Checkpoint = p.Checkpoint with { TreeSize = 5 } }, Keys);
        Assert.Contains($"checkpoint #4 (2026-12-01) commits to root {p.Root} over 5, not to {q.Root} over 5", sameSizeOtherRoot.Failures);
    }

    [Fact]
    public void An_unknown_log_is_named()
    {
        var p = PeriodProof(4, 2);
        Assert.Equal(["unknown log 'cash'"], Proofs.Verify(p with { Log = "cash" }, Keys).Failures);
    }

    [Fact]
    public void A_checkpoint_that_fails_its_own_check_is_named_with_its_number_and_period()
    {
        var p = PeriodProof(4, 2);
        var check = Proofs.Verify(p, Checkpoints.PublicKeys([_other.ExportSubjectPublicKeyInfoPem()]));
        Assert.False(check.Ok);
        Assert.StartsWith($"checkpoint #4 (2026-12-01): it is signed by key {p.Checkpoint.KeyId}", Assert.Single(check.Failures));
    }
}
