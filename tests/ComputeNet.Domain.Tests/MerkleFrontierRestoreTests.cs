using ComputeNet.Domain.Audit;

namespace ComputeNet.Domain.Tests;

/// <summary>The ledger log's frontier restored from its stored peaks: the size it reports, and the refusal of peaks that do not add up.</summary>
public sealed class MerkleFrontierRestoreTests
{
    [Fact]
    public void A_restored_frontier_reports_its_size_and_peaks()
    {
        var frontier = new MerkleFrontier();
        for (var n = 0; n < 11; n++)
        {
            frontier.Append(Merkle.LeafHash([(byte)n]));
        }

        var restored = MerkleFrontier.Restore(11, frontier.Peaks);

        Assert.Equal(11, restored.Size);
        Assert.Equal([3, 1, 0], restored.Peaks.Select(p => p.Level));   // 11 = 8 + 2 + 1
        Assert.Equal(frontier.Root(), restored.Root());
        restored.Append(Merkle.LeafHash([11]));
        Assert.Equal(12, restored.Size);
        Assert.Equal([3, 2], restored.Peaks.Select(p => p.Level));
    }

    [Fact]
    public void Peaks_that_do_not_add_up_to_the_size_are_refused_with_the_size()
    {
        var frontier = new MerkleFrontier();
        frontier.Append(Merkle.LeafHash([1]));

        var e = Assert.Throws<ArgumentException>(() => MerkleFrontier.Restore(2, frontier.Peaks));

        Assert.Equal("peaks", e.ParamName);
        Assert.StartsWith("the frontier's subtrees do not add up to 2 leaves", e.Message);
        Assert.Equal(0, MerkleFrontier.Restore(0, []).Size);
    }
}
