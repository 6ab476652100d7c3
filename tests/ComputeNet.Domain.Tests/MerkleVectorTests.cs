using System.Text.Json;
using ComputeNet.Domain.Audit;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// RFC 6962 trees against Certificate Transparency's reference data (Vectors/rfc6962): the eight reference leaves'
/// roots for every size 0–8, the hasher, known audit paths, and the valid and must-reject inclusion proofs of
/// transparency-dev/merkle's testdata.
/// </summary>
public class MerkleVectorTests
{
    private static string VectorPath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Vectors", "rfc6962", .. parts]);

    private static readonly JsonElement Known = JsonDocument.Parse(File.ReadAllBytes(VectorPath("known-trees.json"))).RootElement;

    private static List<byte[]> Leaves() => Known.GetProperty("leavesHex").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();

    [Fact]
    public void Roots_of_the_reference_leaves_for_every_size()
    {
        var leaves = Leaves();
        var roots = Known.GetProperty("rootsBySize").EnumerateArray().Select(e => e.GetString()).ToList();

        Assert.Equal(9, roots.Count);
        for (var n = 0; n < roots.Count; n++)
        {
            var prefix = leaves.Take(n).ToList();
            Assert.Equal(roots[n], Merkle.RootHex(prefix));
            Assert.Equal(roots[n], Convert.ToHexStringLower(Merkle.Root(Merkle.LeafHashes(prefix))));
            if (n > 0)
            {
                Assert.Equal(roots[n], Convert.ToHexStringLower(Merkle.Levels(Merkle.LeafHashes(prefix))[^1][0]));
            }
        }
    }

    [Fact]
    public void Leaf_and_node_hashes()
    {
        var hasher = Known.GetProperty("hasher");
        Assert.Equal(hasher.GetProperty("leafHash('L123456')").GetString(), Convert.ToHexStringLower(Merkle.LeafHash("L123456"u8)));
        Assert.Equal(hasher.GetProperty("nodeHash('N123','N456')").GetString(), Convert.ToHexStringLower(Merkle.NodeHash("N123"u8, "N456"u8)));
        // A leaf above the stack buffer is hashed the same way.
        var big = Enumerable.Repeat((byte)7, 5_000).ToArray();
        Assert.Equal(System.Security.Cryptography.SHA256.HashData([0x00, .. big]), Merkle.LeafHash(big));
    }

    [Fact]
    public void Known_audit_paths_and_their_verification()
    {
        var hashes = Merkle.LeafHashes(Leaves());
        foreach (var c in Known.GetProperty("inclusion").EnumerateArray())
        {
            var index = c.GetProperty("leafIndex").GetInt32();
            var size = c.GetProperty("treeSize").GetInt32();
            var expected = c.GetProperty("path").EnumerateArray().Select(e => e.GetString()).ToList();
            var tree = hashes.Take(size).ToArray();

            Assert.Equal(expected, Merkle.AuditPath(tree, index).Select(Convert.ToHexStringLower));
            Assert.Equal(expected, Merkle.AuditPath(Merkle.Levels(tree), index).Select(Convert.ToHexStringLower));
            Assert.True(Merkle.VerifyInclusion(tree[index], index, size, Merkle.AuditPath(tree, index), Merkle.Root(tree)), $"{index} of {size}");
        }
    }

    [Fact]
    public void Audit_paths_refuse_an_index_outside_the_tree()
    {
        var hashes = Merkle.LeafHashes(Leaves());
        Assert.Throws<ArgumentOutOfRangeException>(() => Merkle.AuditPath(hashes, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Merkle.AuditPath(hashes, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => Merkle.AuditPath(Merkle.Levels(hashes), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Merkle.AuditPath(Merkle.Levels(hashes), 8));
        Assert.Empty(Merkle.AuditPath(hashes.Take(1).ToArray(), 0));
    }

    public static TheoryData<string> InclusionCases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(VectorPath("inclusion"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(VectorPath("inclusion"), f));
        }
        return data;
    }

    private static byte[] Bytes(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Convert.FromBase64String(v.GetString()!) : [];

    /// <summary>The testdata's indices are uint64; one beyond a long is beyond every tree.</summary>
    private static long Index(JsonElement e) => e.TryGetInt64(out var v) ? v : long.MaxValue;

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void Inclusion_proofs_of_the_reference_testdata(string file)
    {
        var c = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(VectorPath("inclusion"), file))).RootElement;
        var proof = c.TryGetProperty("proof", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? Convert.FromBase64String(e.GetString()!) : []).ToList()
            : [];

        var verified = Merkle.VerifyInclusion(Bytes(c, "leafHash"), Index(c.GetProperty("leafIdx")), Index(c.GetProperty("treeSize")), proof, Bytes(c, "root"));

        Assert.Equal(!c.GetProperty("wantErr").GetBoolean(), verified);
    }

    [Fact]
    public void The_inclusion_testdata_has_valid_and_invalid_cases()
    {
        var cases = InclusionCases().Select(r => r.Data).ToList();
        Assert.True(cases.Count > 80, $"{cases.Count} cases");
        Assert.Contains(cases, c => c.EndsWith("happy-path.json", StringComparison.Ordinal));
    }

    /// <summary>RFC 6962 §2.1 as written, recursively: split at the largest power of two below n.</summary>
    private static byte[] Reference(IReadOnlyList<byte[]> hashes, int start, int count)
    {
        if (count == 1)
        {
            return hashes[start];
        }
        var k = 1;
        while (k * 2 < count)
        {
            k *= 2;
        }
        return Merkle.NodeHash(Reference(hashes, start, k), Reference(hashes, start + k, count - k));
    }

    [Fact]
    public void A_tree_large_enough_to_hash_its_levels_in_parallel_has_the_rfc_root_and_paths()
    {
        // Instrumented by Stryker, 65,539 leaf hashes pass its 30 s coverage-capture limit on this machine.
        Assert.SkipWhen(Stryker.IsRunning, Stryker.Reason);
        // 2 × 32,768 + 3 leaves: the first levels take the parallel paths of Root and Levels, odd nodes are carried up.
        const int n = 65_539;
        var hashes = Merkle.LeafHashes(Enumerable.Range(0, n).Select(i => BitConverter.GetBytes(i)).ToList());
        var root = Merkle.Root(hashes);

        Assert.Equal(Reference(hashes, 0, n), root);
        var levels = Merkle.Levels(hashes);
        Assert.Equal(root, levels[^1][0]);
        foreach (var i in new[] { 0, 1, 40_000, n - 2, n - 1 })
        {
            var path = Merkle.AuditPath(levels, i);
            Assert.Equal(path, Merkle.AuditPath(hashes, i));
            Assert.True(Merkle.VerifyInclusion(hashes[i], i, n, path, root), $"leaf {i}");
        }
    }

    [Fact]
    public void Verification_refuses_malformed_arguments()
    {
        var hashes = Merkle.LeafHashes(Leaves());
        var root = Merkle.Root(hashes);
        var path = Merkle.AuditPath(hashes, 3);

        Assert.True(Merkle.VerifyInclusion(hashes[3], 3, 8, path, root));
        Assert.False(Merkle.VerifyInclusion(hashes[3], -1, 8, path, root));
        Assert.False(Merkle.VerifyInclusion(hashes[3], 8, 8, path, root));
        Assert.False(Merkle.VerifyInclusion(hashes[3].AsSpan(1), 3, 8, path, root));
        Assert.False(Merkle.VerifyInclusion(hashes[3], 3, 8, path, root.AsSpan(1)));
        Assert.False(Merkle.VerifyInclusion(hashes[3], 3, 8, [path[0], path[1], path[2][1..]], root));
        Assert.False(Merkle.VerifyInclusion(hashes[3], 3, 8, [.. path, path[0]], root));
        Assert.False(Merkle.VerifyInclusion(hashes[3], 3, 8, path.Take(2).ToList(), root));
        // A path one level too long for the size runs out of tree (the size is bound only through the path's shape).
        Assert.False(Merkle.VerifyInclusion(hashes[3], 3, 4, path, root));
        Assert.True(Merkle.VerifyInclusion(hashes[0], 0, 1, [], hashes[0]));
    }
}
