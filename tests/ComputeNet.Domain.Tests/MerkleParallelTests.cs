using System.Security.Cryptography;
using System.Text;
using ComputeNet.Domain.Audit;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// RFC 6962 over a tree just large enough (2 × 32,768 + 3 leaves) for <see cref="Merkle.Root"/> and <see cref="Merkle.Levels"/> to
/// hash their first level in parallel, checked against the split of §2.1 computed from two 32,768-leaf halves (which hash level by
/// level). Lean enough to run inside mutation runs: the leaf hashes are made here, each tree is built once.
/// </summary>
public sealed class MerkleParallelTests
{
    private const int Half = 32_768;

    [Fact]
    public void A_tree_whose_first_level_is_hashed_in_parallel_has_the_rfc_6962_root_and_paths()
    {
        // 32,769 pairs: not a whole number of chunks, so the last parallel chunk is a partial one.
        const int n = 2 * Half + 3;
        var hashes = Enumerable.Range(0, n).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToArray();

        // MTH(D[n]) = H(0x01 ‖ MTH(D[0:65536]) ‖ MTH(D[65536:n])), and MTH(D[0:65536]) splits into the two halves.
        var left = Merkle.NodeHash(Merkle.Root(hashes[..Half]), Merkle.Root(hashes[Half..(2 * Half)]));
        var lastPair = Merkle.NodeHash(hashes[2 * Half], hashes[2 * Half + 1]);
        var expected = Merkle.NodeHash(left, Merkle.NodeHash(lastPair, hashes[^1]));

        var root = Merkle.Root(hashes);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(root));
        var levels = Merkle.Levels(hashes);
        Assert.Equal(18, levels.Length);
        Assert.Equal([Half + 2, 1], new[] { levels[1].Length, levels[^1].Length });
        Assert.Equal(root, levels[^1][0]);
        foreach (var i in new[] { 0, 40_001, n - 1 })
        {
            var path = Merkle.AuditPath(levels, i);
            Assert.True(Merkle.VerifyInclusion(hashes[i], i, n, path, root), $"leaf {i}");
        }
        // The last leaf is carried up alone until it meets the last pair, then the left subtree.
        Assert.Equal([lastPair, left], Merkle.AuditPath(levels, n - 1));
    }

    [Fact]
    public void A_path_hash_of_the_wrong_length_is_refused_not_hashed()
    {
        var hashes = Enumerable.Range(0, 2).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToArray();
        var root = Merkle.Root(hashes);

        Assert.True(Merkle.VerifyInclusion(hashes[0], 0, 2, [hashes[1]], root));
        Assert.False(Merkle.VerifyInclusion(hashes[0], 0, 2, [new byte[64]], root));
        Assert.False(Merkle.VerifyInclusion(hashes[1], 1, 2, [new byte[31]], root));
        Assert.False(Merkle.VerifyInclusion(hashes[0], 0, 1, [hashes[1]], root));
    }

    [Fact]
    public void A_leaf_larger_than_the_stack_buffer_hashes_as_rfc_6962_says()
    {
        var leaf = Encoding.UTF8.GetBytes(new string('x', 5000));
        Assert.Equal(SHA256.HashData([0x00, .. leaf]), Merkle.LeafHash(leaf));
        Assert.Equal(SHA256.HashData([0x00, .. leaf.AsSpan(0, 4096)]), Merkle.LeafHash(leaf.AsSpan(0, 4096)));
    }
}
