using System.Security.Cryptography;
using ComputeNet.Domain.Audit;

namespace ComputeNet.Domain.Tests;

/// <summary>The ledger log's running tree: its root equals the RFC 6962 root over the same leaves at every size.</summary>
public sealed class MerkleFrontierTests
{
    [Fact]
    public void The_frontier_root_equals_the_rfc6962_root_at_every_size()
    {
        var frontier = new MerkleFrontier();
        var hashes = new List<byte[]>();
        Assert.Equal(SHA256.HashData([]), frontier.Root());
        for (var n = 1; n <= 70; n++)
        {
            var leafHash = Merkle.LeafHash([(byte)n, (byte)(n >> 8)]);
            hashes.Add(leafHash);
            frontier.Append(leafHash);
            Assert.Equal(n, frontier.Size);
            Assert.Equal(Convert.ToHexStringLower(Merkle.Root(hashes)), Convert.ToHexStringLower(frontier.Root()));
            Assert.Equal(System.Numerics.BitOperations.PopCount((ulong)n), frontier.Peaks.Count);
        }
    }

    [Fact]
    public void A_restored_frontier_continues_the_same_tree_and_a_wrong_size_is_refused()
    {
        var whole = new MerkleFrontier();
        var first = new MerkleFrontier();
        for (var n = 0; n < 11; n++)
        {
            whole.Append(Merkle.LeafHash([(byte)n]));
            first.Append(Merkle.LeafHash([(byte)n]));
        }
        var restored = MerkleFrontier.Restore(first.Size, first.Peaks);
        for (var n = 11; n < 29; n++)
        {
            whole.Append(Merkle.LeafHash([(byte)n]));
            restored.Append(Merkle.LeafHash([(byte)n]));
        }
        Assert.Equal(whole.Root(), restored.Root());
        Assert.Throws<ArgumentException>(() => MerkleFrontier.Restore(12, first.Peaks));
    }
}
