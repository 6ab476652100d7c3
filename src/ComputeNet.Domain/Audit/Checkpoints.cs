using System.Security.Cryptography;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Domain.Audit;

/// <summary>
/// Event (stream <c>checkpoints</c>): what the platform commits to after a close (market-rules §11), signed with its ECDSA
/// P-256 key. <see cref="Sequence"/> counts checkpoints from 1 in close order; <see cref="PreviousHash"/> is the previous
/// checkpoint's <see cref="Hash"/> (64 zeros for the first), so checkpoints chain. <see cref="ChainHeads"/> holds the head
/// hash of every statement chain (party and kind) after this close; <see cref="LedgerLogSize"/> and
/// <see cref="LedgerLogRoot"/> are the RFC 6962 tree over every cash and reversal transaction committed so far, in
/// commit order. <see cref="Hash"/> is SHA-256 of the canonical body (every field but Hash and Signature);
/// <see cref="Signature"/> is ECDSA P-256 / SHA-256 over that body's UTF-8 bytes, IEEE P1363 (r ‖ s, 64 bytes), base64.
/// </summary>
public sealed record CheckpointSigned(
    int Sequence,
    string Period,
    Instant ClosedAt,
    string MerkleRoot,
    int TreeSize,
    int Statements,
    string StatementsHash,
    IReadOnlyDictionary<string, string> ChainHeads,
    int LedgerLogSize,
    string LedgerLogRoot,
    string PreviousHash,
    string KeyId,
    string Hash,
    string Signature);

/// <summary>Builds, hashes, signs and checks checkpoints. Pure: signing takes the signing function as a parameter.</summary>
public static class Checkpoints
{
    public const string Algorithm = "ECDSA P-256 SHA-256, IEEE P1363 (r||s), base64";
    public const string Format = "computenet-checkpoint/1";

    /// <summary>The canonical body that is hashed and signed.</summary>
    public static object Body(CheckpointSigned c) => new Dictionary<string, object?>
    {
        ["format"] = Format, ["sequence"] = c.Sequence, ["period"] = c.Period, ["closedAt"] = InstantPattern.ExtendedIso.Format(c.ClosedAt),
        ["merkleRoot"] = c.MerkleRoot, ["treeSize"] = c.TreeSize, ["statements"] = c.Statements, ["statementsHash"] = c.StatementsHash,
        ["chainHeads"] = c.ChainHeads.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal),
        ["ledgerLog"] = new Dictionary<string, object?> { ["treeSize"] = c.LedgerLogSize, ["root"] = c.LedgerLogRoot },
        ["previousHash"] = c.PreviousHash, ["keyId"] = c.KeyId,
    };

    public static byte[] BodyBytes(CheckpointSigned c) => Canonical.Utf8(Body(c));

    public static string HashOf(CheckpointSigned c) => Canonical.Sha256(Body(c));

    /// <summary>SHA-256 (hex) over the hashes of a period's statements in stream order (a JSON array of hex strings).</summary>
    public static string StatementsHash(IEnumerable<string> hashes) => Canonical.Sha256(hashes.Select(h => (object?)h).ToList());

    /// <summary>The key id: lower-case hex SHA-256 of the public key's SubjectPublicKeyInfo (DER).</summary>
    public static string KeyId(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>An unsigned checkpoint with its hash; <see cref="Sign"/> adds the signature.</summary>
    public static CheckpointSigned Create(int sequence, string period, Instant closedAt, string merkleRoot, int treeSize, IReadOnlyList<string> statementHashes,
        IReadOnlyDictionary<string, string> chainHeads, int ledgerLogSize, string ledgerLogRoot, string previousHash, string keyId)
    {
        var c = new CheckpointSigned(sequence, period, closedAt, merkleRoot, treeSize, statementHashes.Count, StatementsHash(statementHashes),
            new SortedDictionary<string, string>(chainHeads.ToDictionary(), StringComparer.Ordinal), ledgerLogSize, ledgerLogRoot, previousHash, keyId, "", "");
        return c with { Hash = HashOf(c) };
    }

    /// <summary><paramref name="sign"/> returns the IEEE P1363 ECDSA P-256 signature of the bytes it is given (SHA-256).</summary>
    public static CheckpointSigned Sign(CheckpointSigned c, Func<byte[], byte[]> sign) => c with { Signature = Convert.ToBase64String(sign(BodyBytes(c))) };

    /// <summary>Null when the checkpoint is intact and signed by one of <paramref name="publicKeys"/> (key id → SPKI DER); else why not.</summary>
    public static string? Check(CheckpointSigned c, IReadOnlyDictionary<string, byte[]> publicKeys)
    {
        var hash = HashOf(c);
        if (hash != c.Hash)
        {
            return $"its body hashes to {hash}, not to the stated {c.Hash}";
        }
        if (!publicKeys.TryGetValue(c.KeyId, out var spki))
        {
            return $"it is signed by key {c.KeyId}, which is not among the public keys given ({string.Join(", ", publicKeys.Keys)})";
        }
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(c.Signature);
        }
        catch (FormatException)
        {
            return "its signature is not base64";
        }
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        return key.VerifyData(BodyBytes(c), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : $"its signature does not verify with key {c.KeyId}";
    }

    /// <summary>Public keys by key id, from PEM texts ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo).</summary>
    public static IReadOnlyDictionary<string, byte[]> PublicKeys(IEnumerable<string> pems)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var pem in pems)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            var spki = key.ExportSubjectPublicKeyInfo();
            keys[KeyId(spki)] = spki;
        }
        return keys;
    }
}

/// <summary>
/// An RFC 6962 inclusion proof of one ledger transaction: its leaf (canonical JSON), index and audit path in the tree
/// of a closed period (<c>log</c> "period") or of the cash and reversal log (<c>log</c> "ledger"), with the signed
/// checkpoint that commits to that tree's root and size — checkable offline with the platform's public key.
/// </summary>
public sealed record InclusionProof(string TxId, string Log, string? Period, long LeafIndex, long TreeSize, string Leaf, string LeafHash,
    IReadOnlyList<string> AuditPath, string Root, CheckpointSigned Checkpoint)
{
    /// <summary>The audit path in bytes: 32 per hash, at most 32·⌈log₂ n⌉.</summary>
    public int ProofBytes => AuditPath.Count * Merkle.HashBytes;
}

public sealed record ProofCheck(bool Ok, IReadOnlyList<string> Failures);

public static class Proofs
{
    public const string PeriodLog = "period";
    public const string LedgerLog = "ledger";

    /// <summary>Checks a proof with no database: leaf hash, audit path to the root, root and size against the checkpoint, the checkpoint's signature.</summary>
    public static ProofCheck Verify(InclusionProof p, IReadOnlyDictionary<string, byte[]> publicKeys)
    {
        var failures = new List<string>();
        var leafHash = Merkle.LeafHash(System.Text.Encoding.UTF8.GetBytes(p.Leaf));
        if (Convert.ToHexStringLower(leafHash) != p.LeafHash)
        {
            failures.Add($"the leaf hashes to {Convert.ToHexStringLower(leafHash)}, not to the stated {p.LeafHash}");
        }
        try
        {
            using var leaf = System.Text.Json.JsonDocument.Parse(p.Leaf);
            if (!leaf.RootElement.TryGetProperty("txId", out var txId) || txId.GetString() != p.TxId)
            {
                failures.Add($"the leaf is not transaction {p.TxId}");
            }
        }
        catch (System.Text.Json.JsonException)
        {
            failures.Add("the leaf is not JSON");
        }
        byte[][] path;
        byte[] root;
        try
        {
            path = p.AuditPath.Select(Convert.FromHexString).ToArray();
            root = Convert.FromHexString(p.Root);
        }
        catch (FormatException)
        {
            return new ProofCheck(false, [.. failures, "the audit path or root is not hex"]);
        }
        var maxPath = p.TreeSize <= 1 ? 0 : (int)Math.Ceiling(Math.Log2(p.TreeSize));
        if (path.Length > maxPath)
        {
            failures.Add($"the audit path has {path.Length} hashes; a tree of {p.TreeSize} needs at most {maxPath}");
        }
        if (!Merkle.VerifyInclusion(leafHash, p.LeafIndex, p.TreeSize, path, root))
        {
            failures.Add($"the audit path does not lead from leaf {p.LeafIndex} to root {p.Root} of a tree of {p.TreeSize}");
        }
        var c = p.Checkpoint;
        var (signedRoot, signedSize) = p.Log == LedgerLog ? (c.LedgerLogRoot, (long)c.LedgerLogSize) : (c.MerkleRoot, (long)c.TreeSize);
        if (p.Log != LedgerLog && p.Log != PeriodLog)
        {
            failures.Add($"unknown log '{p.Log}'");
        }
        else if (signedRoot != p.Root || signedSize != p.TreeSize || (p.Log == PeriodLog && c.Period != p.Period))
        {
            failures.Add($"checkpoint #{c.Sequence} ({c.Period}) commits to root {signedRoot} over {signedSize}, not to {p.Root} over {p.TreeSize}");
        }
        if (Checkpoints.Check(c, publicKeys) is { } why)
        {
            failures.Add($"checkpoint #{c.Sequence} ({c.Period}): {why}");
        }
        return new ProofCheck(failures.Count == 0, failures);
    }
}
