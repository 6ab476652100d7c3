using System.Security.Cryptography;

namespace ComputeNet.Domain.Audit;

/// <summary>
/// An RFC 6962 Merkle tree kept by its frontier: the roots of the perfect subtrees its leaves form, largest first, one
/// per set bit of the size (at most 64 hashes). Appending a leaf merges equal-sized subtrees; the root of the whole tree
/// folds the frontier from the right, which is exactly MTH(D[n]) because RFC 6962 splits at the largest power of two
/// below n. So a log's root costs O(log n) per append and O(log n) to read, whatever its age.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<(int Level, byte[] Hash)> _peaks = [];

    public long Size { get; private set; }

    /// <summary>Subtree roots, largest first: (height, hash). A frontier restored from them continues the same tree.</summary>
    public IReadOnlyList<(int Level, byte[] Hash)> Peaks => _peaks;

    public static MerkleFrontier Restore(long size, IEnumerable<(int Level, byte[] Hash)> peaks)
    {
        var frontier = new MerkleFrontier { Size = size };
        frontier._peaks.AddRange(peaks);
        if (frontier._peaks.Sum(p => 1L << p.Level) != size)
        {
            throw new ArgumentException($"the frontier's subtrees do not add up to {size} leaves", nameof(peaks));
        }
        return frontier;
    }

    /// <summary>Appends a leaf by its leaf hash (SHA-256(0x00 ‖ leaf), <see cref="Merkle.LeafHash"/>).</summary>
    public void Append(byte[] leafHash)
    {
        var level = 0;
        var hash = leafHash;
        while (_peaks.Count > 0 && _peaks[^1].Level == level)
        {
            hash = Merkle.NodeHash(_peaks[^1].Hash, hash);
            _peaks.RemoveAt(_peaks.Count - 1);
            level++;
        }
        _peaks.Add((level, hash));
        Size++;
    }

    /// <summary>The tree's root: SHA-256("") when empty.</summary>
    public byte[] Root()
    {
        if (_peaks.Count == 0)
        {
            return SHA256.HashData([]);
        }
        var root = _peaks[^1].Hash;
        for (var i = _peaks.Count - 2; i >= 0; i--)
        {
            root = Merkle.NodeHash(_peaks[i].Hash, root);
        }
        return root;
    }
}
