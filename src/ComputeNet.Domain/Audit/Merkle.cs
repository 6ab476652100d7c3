using System.Security.Cryptography;

namespace ComputeNet.Domain.Audit;

/// <summary>
/// RFC 6962 Merkle tree (§2.1): leaf hash SHA-256(0x00 ‖ leaf), node hash SHA-256(0x01 ‖ left ‖ right), the tree split at
/// the largest power of two below n; the empty tree's root is SHA-256(""). Built bottom-up: pair neighbours level by
/// level, a last odd node is carried up unchanged — which gives the same root and audit paths as the recursive
/// definition. Hashes are 32 bytes; hex is lower case.
/// </summary>
public static class Merkle
{
    public const int HashBytes = 32;

    public static string RootHex(IReadOnlyList<byte[]> leaves) => Convert.ToHexStringLower(Root(LeafHashes(leaves)));

    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        var buffer = leaf.Length <= 4096 ? stackalloc byte[leaf.Length + 1] : new byte[leaf.Length + 1];
        buffer[0] = 0x00;
        leaf.CopyTo(buffer[1..]);
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = Hasher();
        hash.AppendData(NodePrefix);
        hash.AppendData(left);
        hash.AppendData(right);
        var result = new byte[HashBytes];
        hash.GetHashAndReset(result);
        return result;
    }

    private static readonly byte[] NodePrefix = [0x01];

    [ThreadStatic] private static IncrementalHash? _hasher;

    /// <summary>A SHA-256 context per thread, reused: one-shot hashing creates a native context per call, which dominates for 65-byte inputs.</summary>
    internal static IncrementalHash Hasher() => _hasher ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public static byte[][] LeafHashes(IReadOnlyList<byte[]> leaves)
    {
        var hashes = new byte[leaves.Count][];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = LeafHash(leaves[i]);
        }
        return hashes;
    }

    /// <summary>The root over leaf hashes (not leaves). Each level is one contiguous buffer, hashed in place without allocations.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes)
    {
        var n = leafHashes.Count;
        if (n == 0)
        {
            return SHA256.HashData([]);
        }
        if (n == 1)
        {
            return leafHashes[0];
        }
        // Level 1 straight from the leaf hashes, then each level halves in place over the same buffer.
        var pairs = n / 2;
        var count = (n + 1) / 2;
        var buffer = new byte[count * HashBytes];
        void FirstLevel(int from, int to)
        {
            Span<byte> input = stackalloc byte[1 + 2 * HashBytes];
            input[0] = 0x01;
            for (var j = from; j < to; j++)
            {
                leafHashes[2 * j].CopyTo(input[1..]);
                leafHashes[2 * j + 1].CopyTo(input[(1 + HashBytes)..]);
                SHA256.HashData(input, buffer.AsSpan(j * HashBytes, HashBytes));
            }
        }
        Chunked(pairs, FirstLevel);
        if (n % 2 == 1)
        {
            leafHashes[n - 1].CopyTo(buffer, (count - 1) * HashBytes);
        }
        while (count > 1)
        {
            var nextPairs = count / 2;
            var next = new byte[(count + 1) / 2 * HashBytes];
            var level = buffer;
            void Level(int from, int to)
            {
                Span<byte> input = stackalloc byte[1 + 2 * HashBytes];
                input[0] = 0x01;
                for (var j = from; j < to; j++)
                {
                    level.AsSpan(2 * j * HashBytes, 2 * HashBytes).CopyTo(input[1..]);
                    SHA256.HashData(input, next.AsSpan(j * HashBytes, HashBytes));
                }
            }
            Chunked(nextPairs, Level);
            if (count % 2 == 1)
            {
                Array.Copy(level, (count - 1) * HashBytes, next, nextPairs * HashBytes, HashBytes);
            }
            buffer = next;
            count = (count + 1) / 2;
        }
        return buffer[..HashBytes];
    }

    /// <summary>Runs <paramref name="body"/>(from, to) over [0, n): on every core for large n, each chunk independent.</summary>
    private static void Chunked(int n, Action<int, int> body)
    {
        const int chunk = 8192;
        if (n < 4 * chunk)
        {
            body(0, n);
            return;
        }
        Parallel.For(0, (n + chunk - 1) / chunk, c => body(c * chunk, Math.Min(n, (c + 1) * chunk)));
    }

    /// <summary>
    /// The RFC 6962 audit path (PATH(m, D[n]), §2.1.1) of leaf <paramref name="index"/> among <paramref name="leafHashes"/>,
    /// from the leaf's sibling up to the root's child: at most ⌈log₂ n⌉ hashes.
    /// </summary>
    public static IReadOnlyList<byte[]> AuditPath(IReadOnlyList<byte[]> leafHashes, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leafHashes.Count);
        var path = new List<byte[]>();
        var level = leafHashes as byte[][] ?? leafHashes.ToArray();
        while (level.Length > 1)
        {
            var sibling = index ^ 1;
            if (sibling < level.Length)
            {
                path.Add(level[sibling]);
            }
            level = Up(level);
            index >>= 1;
        }
        return path;
    }

    /// <summary>Every level of the tree, leaves first, root last: build once, then take many audit paths in O(log n) each.</summary>
    public static byte[][][] Levels(IReadOnlyList<byte[]> leafHashes)
    {
        var levels = new List<byte[][]> { leafHashes as byte[][] ?? leafHashes.ToArray() };
        while (levels[^1].Length > 1)
        {
            levels.Add(Up(levels[^1]));
        }
        return levels.ToArray();
    }

    /// <summary>The audit path of leaf <paramref name="index"/> from precomputed <see cref="Levels"/>.</summary>
    public static IReadOnlyList<byte[]> AuditPath(byte[][][] levels, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, levels[0].Length);
        var path = new List<byte[]>();
        for (var l = 0; l < levels.Length - 1; l++, index >>= 1)
        {
            if ((index ^ 1) < levels[l].Length)
            {
                path.Add(levels[l][index ^ 1]);
            }
        }
        return path;
    }

    /// <summary>
    /// Checks an audit path (RFC 9162 §2.1.3.2): that the leaf with hash <paramref name="leafHash"/> is leaf
    /// <paramref name="index"/> of the tree of <paramref name="treeSize"/> leaves whose root is <paramref name="root"/>.
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long treeSize, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= treeSize || leafHash.Length != HashBytes || root.Length != HashBytes)
        {
            return false;
        }
        long fn = index, sn = treeSize - 1;
        Span<byte> r = stackalloc byte[HashBytes];
        Span<byte> buffer = stackalloc byte[1 + 2 * HashBytes];
        leafHash.CopyTo(r);
        buffer[0] = 0x01;
        foreach (var p in path)
        {
            if (sn == 0 || p.Length != HashBytes)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                p.CopyTo(buffer[1..]);
                r.CopyTo(buffer[(1 + HashBytes)..]);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r.CopyTo(buffer[1..]);
                p.CopyTo(buffer[(1 + HashBytes)..]);
            }
            SHA256.HashData(buffer, r);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.SequenceEqual(root);
    }

    private static byte[][] Up(byte[][] level)
    {
        var next = new byte[(level.Length + 1) / 2][];
        var pairs = level.Length / 2;
        if (pairs >= 1 << 15)
        {
            // Large levels (a million leaves) are hashed on every core; each pair is independent.
            Parallel.For(0, (pairs + 4095) / 4096, chunk =>
            {
                for (var j = chunk * 4096; j < Math.Min(pairs, (chunk + 1) * 4096); j++)
                {
                    next[j] = NodeHash(level[2 * j], level[2 * j + 1]);
                }
            });
        }
        else
        {
            for (var j = 0; j < pairs; j++)
            {
                next[j] = NodeHash(level[2 * j], level[2 * j + 1]);
            }
        }
        if (level.Length % 2 == 1)
        {
            next[^1] = level[^1];
        }
        return next;
    }
}
