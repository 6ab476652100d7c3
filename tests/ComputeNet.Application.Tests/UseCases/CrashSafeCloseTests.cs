using System.Diagnostics;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Benchmarks;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Domain.Settlement;
using Marten;
using NodaTime.Text;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// A close killed with SIGKILL at any point, then run again, ends with the same statements and postings as a close that
/// was never interrupted: the CLI closes a large generated period in its own process and is killed at 10 %, 50 % and 90 % of
/// a measured close, and right after it reports the commit; then the period is closed again in-process and compared with a
/// reference close of an identical fixture in another schema.
/// </summary>
public sealed class CrashSafeCloseTests
{
    private static readonly LargePeriodSpec Spec = new(Records: 80_000, Leases: 800);

    [Fact]
    public async Task A_close_killed_at_any_point_and_run_again_gives_the_reference_statements_and_no_duplicate_postings()
    {
        var ct = TestContext.Current.CancellationToken;
        var total = Stopwatch.StartNew();
        await using var reference = await TestPlatform.StartAsync(LargePeriodSpec.RecordedAt);
        await using var crashed = await TestPlatform.StartAsync(LargePeriodSpec.RecordedAt);
        await Task.WhenAll(
            LargePeriodFixture.GenerateAsync(reference.Sender, reference.Store, Spec, ct),
            LargePeriodFixture.GenerateAsync(crashed.Sender, crashed.Store, Spec, ct));

        var generated = total.Elapsed;
        reference.Clock.Set(LargePeriodSpec.CloseAt);
        var watch = Stopwatch.StartNew();
        var expected = await reference.Sender.Send(new ClosePeriodRequest(LargePeriodSpec.Period), ct);
        var closeTime = watch.Elapsed;
        Assert.False(expected.AlreadyClosed);
        var expectedStream = await PeriodStreamAsync(reference.Store, ct);

        var kills = new List<string>();
        var interrupted = 0;
        foreach (var fraction in new[] { 0.1, 0.5, 0.9 })
        {
            kills.Add(await CloseInChildAndKillAsync(crashed, afterReady: closeTime * fraction, ct));
            // Whatever the moment of the kill, the period is either untouched or closed whole.
            var stream = await PeriodStreamAsync(crashed.Store, ct);
            Assert.True(stream.Count == 0 || stream.Count == expectedStream.Count,
                $"after a kill at {fraction:P0} the period stream holds {stream.Count} events; a close writes {expectedStream.Count} or none");
            interrupted += stream.Count == 0 ? 1 : 0;
        }
        // The test means something only if a kill landed inside a running close (the fixture is large enough for that on a
        // fast machine too); how long the close takes is not asserted, since it gets faster as the close does.
        Assert.True(interrupted > 0, $"no kill interrupted a running close (reference close {closeTime}): {string.Join("; ", kills)}");
        kills.Add(await CloseInChildAndKillAsync(crashed, afterReady: null, ct));
        Assert.Equal(expectedStream.Count, (await PeriodStreamAsync(crashed.Store, ct)).Count);

        crashed.Clock.Set(LargePeriodSpec.CloseAt);
        var again = await crashed.Sender.Send(new ClosePeriodRequest(LargePeriodSpec.Period), ct);
        Assert.True(again.AlreadyClosed);
        Assert.Equal((expected.Invoices, expected.Lines, expected.Transactions, expected.PlatformFeeFen),
            (again.Invoices, again.Lines, again.Transactions, again.PlatformFeeFen));

        // Same statements, hashes, chain links, postings and Merkle root as the uninterrupted reference.
        var actualStream = await PeriodStreamAsync(crashed.Store, ct);
        Assert.Equal(expectedStream.Select(Fingerprint), actualStream.Select(Fingerprint));
        var closed = (PeriodClosed)actualStream[0];
        Assert.Equal(((PeriodClosed)expectedStream[0]).MerkleRoot, closed.MerkleRoot);
        Assert.Equal(expected.Transactions, closed.TreeSize);

        // No transaction posted twice anywhere in the store, the trial balance is 0 and the history verifies.
        await using (var session = crashed.Store.QuerySession())
        {
            var txIds = (await session.Events.QueryRawEventDataOnly<TransactionPosted>().ToListAsync(ct)).Select(t => t.TxId).ToList();
            Assert.Equal(expected.Transactions, txIds.Count);
            Assert.Equal(txIds.Count, txIds.Distinct(StringComparer.Ordinal).Count());
        }
        Assert.Equal(0, (await crashed.Sender.Send(new GetLedgerRequest(), ct)).TrialBalanceFen);
        Assert.Equal((await reference.Sender.Send(new GetLedgerRequest(), ct)).Balances, (await crashed.Sender.Send(new GetLedgerRequest(), ct)).Balances);
        var verified = await crashed.Sender.Send(new VerifyHistoryRequest(), ct);
        Assert.True(verified.Ok, string.Join("\n", verified.Failures));

        // A kill after the commit may also come before the checkpoint: closing again wrote it, once, committing to what the reference's does.
        var checkpoint = Assert.Single(await crashed.Sender.Send(new Audit.ListCheckpoints.ListCheckpointsRequest(), ct));
        var referenceCheckpoint = Assert.Single(await reference.Sender.Send(new Audit.ListCheckpoints.ListCheckpointsRequest(), ct));
        Assert.Equal((referenceCheckpoint.MerkleRoot, referenceCheckpoint.TreeSize, referenceCheckpoint.StatementsHash, referenceCheckpoint.Statements),
            (checkpoint.MerkleRoot, checkpoint.TreeSize, checkpoint.StatementsHash, checkpoint.Statements));
        Assert.Equal(referenceCheckpoint.ChainHeads.OrderBy(h => h.Key, StringComparer.Ordinal), checkpoint.ChainHeads.OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.Equal(again.Checkpoint, checkpoint.Hash);
        Assert.Empty(verified.Checkpoints!.PeriodsNotYetCovered);
        TestContext.Current.TestOutputHelper?.WriteLine($"generated both in {generated.TotalSeconds:0.00} s; reference close {closeTime.TotalSeconds:0.00} s; kills: {string.Join("; ", kills)}; total {total.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Fingerprint(object e) => e switch
    {
        PeriodClosed c => $"closed {c.Period} {c.Invoices} {c.Lines} {c.Transactions} {c.PlatformFeeFen} {c.MerkleRoot} {c.TreeSize} {c.At}",
        InvoiceIssued i => $"invoice {i.Buyer} {i.AmountFen} {i.VoucherFen} {i.DueFen} {i.Lines.Count} {i.Hash} {i.PreviousHash}",
        StatementIssued s => $"statement {s.Role} {s.Party} {s.GrossFen} {s.FeeFen} {s.NetFen} {s.Hash} {s.PreviousHash}",
        IssuerClaimIssued c => $"claim {c.Hash} {c.PreviousHash}",
        RegionShareIssued r => $"region {r.Region} {r.ShareFen} {r.Hash} {r.PreviousHash}",
        TransactionPosted t => $"tx {t.TxId} {string.Join(",", t.Postings.Select(p => $"{p.Account}={p.AmountFen}"))} {t.At}",
        _ => e.GetType().Name,
    };

    private static async Task<IReadOnlyList<object>> PeriodStreamAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(LargePeriodSpec.Period), token: ct)).Select(e => e.Data).ToList();
    }

    /// <summary>
    /// Runs <c>computenet close</c> on the platform's schema in a child process and kills it (SIGKILL, the whole tree)
    /// <paramref name="afterReady"/> after it reports it is ready to close, or, when null, as soon as it reports the commit.
    /// </summary>
    private static async Task<string> CloseInChildAndKillAsync(TestPlatform platform, TimeSpan? afterReady, CancellationToken ct)
    {
        using var child = Cli.Start(platform.ConnectionString, new Dictionary<string, string>(),
            "close", "--period", LargePeriodSpec.Period, "--schema", platform.Schema, "--at", InstantPattern.ExtendedIso.Format(LargePeriodSpec.CloseAt));
        _ = child.StandardError.ReadToEndAsync(ct);
        var ready = false;
        string? line;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while ((line = await child.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
        {
            if (line.StartsWith("closing", StringComparison.Ordinal))
            {
                ready = true;
                if (afterReady is { } delay)
                {
                    await Task.Delay(delay, ct);
                    break;
                }
            }
            else if (ready && (line.StartsWith("closed", StringComparison.Ordinal) || line.StartsWith("already closed", StringComparison.Ordinal)))
            {
                break;
            }
        }
        Assert.True(ready, "the CLI never reported that it was ready to close");
        var exitedByItself = child.HasExited;
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync(ct);
        return $"{(afterReady is { } d ? $"{d.TotalSeconds:0.00} s in" : "after the commit")}: {(exitedByItself ? "had exited" : "killed")} ({line ?? "no output"})";
    }
}
