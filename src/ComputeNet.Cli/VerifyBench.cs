using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// Verification at scale, in memory (no HTTP, no database): a generated period of N balanced ledger transactions is
/// closed (Merkle root) and checkpointed (signed with a throw-away P-256 key), then verified against the checkpoint the
/// way <c>verify --checkpoints</c> does — canonical JSON of every leaf, balance, RFC 6962 root, signature — and
/// inclusion proofs are taken and checked.
/// </summary>
internal static class VerifyBench
{
    public static Command Create()
    {
        var transactions = new Option<int>("--transactions") { Description = "ledger transactions in the period", DefaultValueFactory = _ => 1_000_000 };
        var proofs = new Option<int>("--proofs") { Description = "inclusion proofs to take and check", DefaultValueFactory = _ => 10_000 };
        var verify = new Command("verify", "verify a generated period of N ledger transactions against its signed checkpoint; time inclusion-proof checks") { transactions, proofs };
        verify.SetAction((parse, ct) => Task.FromResult(Run(Math.Max(1, parse.GetValue(transactions)), Math.Max(1, parse.GetValue(proofs)))));
        return verify;
    }

    private static int Run(int n, int proofCount)
    {
        var watch = Stopwatch.StartNew();
        var start = Instant.FromUtc(2026, 11, 30, 16, 0);
        var txs = new TransactionPosted[n];
        for (var i = 0; i < n; i++)
        {
            var amount = 10_000L + i % 9_973 * 7;
            var fee = (amount * 300 + 5_000) / 10_000;
            txs[i] = new TransactionPosted($"2026-12-01/lease-{i:D7}/compute", "2026-12-01", "compute", $"compute line {i + 1}",
                [new Posting($"buyer:sme-{i % 5_000:D4}", amount), new Posting($"provider:prov-{i % 200:D3}", fee - amount), new Posting("platform:fees", -fee)],
                start.Plus(Duration.FromSeconds(i % 86_400)));
        }
        var generated = watch.Elapsed;

        watch.Restart();
        var root = Convert.ToHexStringLower(Merkle.Root(Verifier.LeafHashes(txs)));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keys = Checkpoints.PublicKeys([key.ExportSubjectPublicKeyInfoPem()]);
        var closed = new PeriodClosed("2026-12-01", start, start.Plus(Duration.FromDays(1)), 300, 100, 0, n, n, 0, start.Plus(Duration.FromDays(1)), root, n);
        var checkpoint = Checkpoints.Sign(Checkpoints.Create(1, closed.Period, closed.At, root, n, [], new Dictionary<string, string>(), 0, Merkle.RootHex([]),
            Statements.Genesis, keys.Keys.Single()), data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var committed = watch.Elapsed;

        List<object> period = [closed, .. txs];
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var report = Verifier.Verify([period], [], new KeptCheckpoints([checkpoint], keys));
        var verified = watch.Elapsed;
        var verifiedCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (!report.Ok)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]verification failed:[/] {string.Join("; ", report.Failures.Take(5))}");
            return 1;
        }

        // Where the time goes: leaf hashing (canonical JSON + SHA-256, in parallel) and the tree.
        var cpuParts = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var leafHashes = Verifier.LeafHashes(txs);
        var leafTime = watch.Elapsed;
        watch.Restart();
        _ = Merkle.Root(leafHashes);
        var treeTime = watch.Elapsed;
        var partsCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuParts;

        // Proofs: the tree's levels once, then paths and offline checks (audit path + checkpoint signature + leaf).
        var levels = Merkle.Levels(Verifier.LeafHashes(txs));
        var random = new Random(7);
        var taken = Enumerable.Range(0, proofCount).Select(_ => random.Next(n)).Select(i => new InclusionProof(txs[i].TxId, Proofs.PeriodLog, "2026-12-01", i, n,
            System.Text.Encoding.UTF8.GetString(Statements.Leaf(txs[i])), Convert.ToHexStringLower(levels[0][i]),
            Merkle.AuditPath(levels, i).Select(Convert.ToHexStringLower).ToList(), root, checkpoint)).ToList();
        var maxBytes = taken.Max(p => p.ProofBytes);
        var bound = 32 * (int)Math.Ceiling(Math.Log2(n));
        watch.Restart();
        var pathOk = taken.All(p => Merkle.VerifyInclusion(Convert.FromHexString(p.LeafHash), p.LeafIndex, p.TreeSize,
            p.AuditPath.Select(Convert.FromHexString).ToArray(), Convert.FromHexString(p.Root)));
        var pathOnly = watch.Elapsed;
        var cpuProofs = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var fullOk = taken.All(p => Proofs.Verify(p, keys).Ok);
        var full = watch.Elapsed;
        var fullCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuProofs;
        watch.Restart();
        var signatures = taken.Take(1_000).Count(p => Checkpoints.Check(p.Checkpoint, keys) is null);
        var signatureTime = watch.Elapsed / Math.Min(1_000, taken.Count);

        AnsiConsole.MarkupLineInterpolated($"[bold]verify[/]: {n:N0} ledger transactions generated in memory in {generated.TotalSeconds:0.00} s; close-time root + signed checkpoint {committed.TotalSeconds:0.00} s");
        AnsiConsole.MarkupLineInterpolated($"  verified against the signed checkpoint (canonical JSON of every leaf, balances, RFC 6962 root, signature) in [bold]{verified.TotalSeconds:0.000} s[/] wall ({verifiedCpu.TotalSeconds:0.000} s CPU over {Environment.ProcessorCount} cores; machine load {LoadAverage()})");
        AnsiConsole.MarkupLineInterpolated($"  of which: leaf hashing {leafTime.TotalSeconds:0.000} s, tree {treeTime.TotalSeconds:0.000} s (again: {partsCpu.TotalSeconds:0.000} s CPU)");
        AnsiConsole.MarkupLineInterpolated($"  inclusion proofs: {proofCount:N0} taken, audit path ≤ {maxBytes} bytes (bound 32·⌈log₂ n⌉ = {bound}); audit-path check [bold]{pathOnly.TotalMicroseconds / proofCount:0.0} µs[/] each; whole offline check (leaf, path, root, checkpoint hash and ECDSA signature) {full.TotalMicroseconds / proofCount:0.0} µs each wall, {fullCpu.TotalMicroseconds / proofCount:0.0} µs CPU; the checkpoint's signature alone {signatureTime.TotalMicroseconds:0.0} µs");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            bench = "verify", transactions = n, verify_s = Math.Round(verified.TotalSeconds, 3), verify_cpu_s = Math.Round(verifiedCpu.TotalSeconds, 3), proof_bytes_max = maxBytes, proof_bytes_bound = bound,
            proof_check_path_us = Math.Round(pathOnly.TotalMicroseconds / proofCount, 1), proof_check_offline_us = Math.Round(full.TotalMicroseconds / proofCount, 1),
            proof_check_offline_cpu_us = Math.Round(fullCpu.TotalMicroseconds / proofCount, 1), checkpoint_signature_us = Math.Round(signatureTime.TotalMicroseconds, 1),
        }));
        return pathOk && fullOk && signatures == Math.Min(1_000, taken.Count) && maxBytes <= bound ? 0 : 1;
    }

    /// <summary>The 1-minute load average (Linux), so figures taken on a shared machine can be read in context.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
