using System.Security.Cryptography;
using System.Text;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>RFC 6962 trees and audit paths, the fast transaction leaf, and signed checkpoints.</summary>
public sealed class MerkleProofTests
{
    /// <summary>RFC 6962 §2.1 as written: split at the largest power of two below n.</summary>
    private static byte[] Reference(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 0)
        {
            return SHA256.HashData([]);
        }
        if (count == 1)
        {
            return SHA256.HashData([0x00, .. leaves[start]]);
        }
        var k = 1;
        while (k * 2 < count)
        {
            k *= 2;
        }
        return SHA256.HashData([0x01, .. Reference(leaves, start, k), .. Reference(leaves, start + k, count - k)]);
    }

    private static List<byte[]> Leaves(int n) => Enumerable.Range(0, n).Select(i => Encoding.UTF8.GetBytes($"leaf {i}")).ToList();

    [Fact]
    public void Bottom_up_root_equals_the_rfc_6962_definition_and_every_audit_path_verifies()
    {
        for (var n = 0; n <= 70; n++)
        {
            var leaves = Leaves(n);
            var hashes = Merkle.LeafHashes(leaves);
            var root = Merkle.Root(hashes);
            Assert.Equal(Convert.ToHexStringLower(Reference(leaves, 0, n)), Convert.ToHexStringLower(root));
            for (var i = 0; i < n; i++)
            {
                var path = Merkle.AuditPath(hashes, i);
                Assert.True(path.Count <= (n <= 1 ? 0 : (int)Math.Ceiling(Math.Log2(n))), $"n={n} i={i}: {path.Count} hashes");
                Assert.True(Merkle.VerifyInclusion(hashes[i], i, n, path, root), $"n={n} i={i}");
                Assert.False(Merkle.VerifyInclusion(hashes[i], (i + 1) % n == i ? i + 1 : (i + 1) % n, n, path, root), $"n={n} i={i}: another index");
                Assert.False(Merkle.VerifyInclusion(Merkle.LeafHash("other"u8), i, n, path, root), $"n={n} i={i}: another leaf");
            }
        }
    }

    [Fact]
    public void Large_trees_hashed_in_parallel_give_the_same_root_as_level_by_level()
    {
        Assert.SkipWhen(Stryker.IsRunning, Stryker.Reason);
        foreach (var n in new[] { 65_536, 70_001, 131_075 })
        {
            var hashes = Merkle.LeafHashes(Leaves(n));
            var levels = Merkle.Levels(hashes);
            Assert.Equal(Convert.ToHexStringLower(levels[^1][0]), Convert.ToHexStringLower(Merkle.Root(hashes)));
            foreach (var i in new[] { 0, 1, n / 2, n - 2, n - 1 })
            {
                Assert.True(Merkle.VerifyInclusion(hashes[i], i, n, Merkle.AuditPath(levels, i), Merkle.Root(hashes)), $"n={n} i={i}");
            }
        }
    }

    [Fact]
    public void The_rfc_6962_empty_and_known_roots()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Merkle.RootHex([]));
        // Leaf hash of the empty leaf: SHA-256(0x00).
        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", Merkle.RootHex([[]]));
    }

    [Fact]
    public void The_fast_transaction_leaf_is_the_canonical_json_of_the_transaction()
    {
        var t = new TransactionPosted("2026-12-01/lease-000001/compute", "2026-12-01", "compute", "line \"1\" \\ 中卫\n\u0001",
            [new Posting("buyer:sme-sh-1", 101_338), new Posting("issuer:sh", 43_430), new Posting("provider:prov-nx", -140_425), new Posting("platform:fees", -4_343)],
            Instant.FromUtc(2026, 12, 1, 16, 0, 0).PlusNanoseconds(1_500));
        Assert.Equal(Canonical.Json(Statements.LeafObject(t)), Encoding.UTF8.GetString(Statements.Leaf(t)));
        Assert.Equal(Merkle.LeafHash(Canonical.Utf8(Statements.LeafObject(t))), Statements.LeafHash(t));
        foreach (var at in new[] { Instant.FromUtc(2026, 1, 2, 3, 4, 5), Instant.FromUtc(2026, 12, 31, 23, 59, 59).PlusNanoseconds(123_456_789),
                     Instant.FromUtc(1999, 7, 1, 0, 0).PlusNanoseconds(100), Instant.FromUtc(2030, 2, 3, 4, 5, 6).PlusNanoseconds(120_000_000) })
        {
            var u = t with { At = at };
            Assert.Equal(Canonical.Json(Statements.LeafObject(u)), Encoding.UTF8.GetString(Statements.Leaf(u)));
        }
    }

    [Fact]
    public void A_signed_checkpoint_verifies_with_its_key_only_and_any_edit_breaks_it()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keys = Checkpoints.PublicKeys([key.ExportSubjectPublicKeyInfoPem()]);
        var keyId = keys.Keys.Single();
        var c = Checkpoints.Create(1, "2026-12-01", Instant.FromUtc(2026, 12, 1, 17, 0), new string('a', 64), 3, ["h1", "h2"],
            new Dictionary<string, string> { ["provider/p"] = "h2", ["invoice/b"] = "h1" }, 0, Merkle.RootHex([]), Statements.Genesis, keyId);
        var signed = Checkpoints.Sign(c, data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        Assert.Null(Checkpoints.Check(signed, keys));
        Assert.Equal(64, Convert.FromBase64String(signed.Signature).Length);
        Assert.Contains("\"chainHeads\":{\"invoice/b\":\"h1\",\"provider/p\":\"h2\"}", Encoding.UTF8.GetString(Checkpoints.BodyBytes(signed)));
        Assert.StartsWith("its body hashes to", Checkpoints.Check(signed with { TreeSize = 4 }, keys));
        var forged = signed with { TreeSize = 4 };
        forged = Checkpoints.Sign(forged with { Hash = Checkpoints.HashOf(forged) },
            data => other.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.StartsWith("its signature does not verify", Checkpoints.Check(forged, keys));
        Assert.StartsWith("it is signed by key", Checkpoints.Check(signed, Checkpoints.PublicKeys([other.ExportSubjectPublicKeyInfoPem()])));
    }
}
