using ComputeNet.Application.Audit;
using ComputeNet.Application.Audit.ListCheckpoints;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Ledger;
using ComputeNet.Application.Ledger.RecordCash;
using ComputeNet.Application.Ledger.ReverseTransaction;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Settlement;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Domain;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The settlement read models (chain heads, checkpoints by period, ledger balances, transactions and log) stand in for
/// reading history: what the close, the checkpoint step, cash, reversals and the ledger answer must be what reading
/// every event gave — also for a schema written before the read models existed, which is rebuilt at start.
/// </summary>
public sealed class SettlementReadModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>12-01 closed with the §13 line, a payment, a reversal of it, then 12-02 closed.</summary>
    private static async Task<TestPlatform> HistoryAsync()
    {
        var p = await TestPlatform.StartAsync(Nov30Morning);
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        p.Clock.Set(At("2026-12-02T02:00:00+08:00"));
        await p.Sender.Send(new RecordCashRequest("payment", "pay-1", "sme-sh-1", 50_000), Ct);
        p.Clock.Set(At("2026-12-02T03:00:00+08:00"));
        await p.Sender.Send(new ReverseTransactionRequest("fix-1", "cash/pay-1", "entered twice"), Ct);
        p.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);
        return p;
    }

    private static async Task<(List<ChainHeadView> Heads, List<LedgerAccountView> Accounts, LedgerLogView? Log, List<CheckpointView> Checkpoints,
        List<ClosedPeriodView> Closed)> ReadModelsAsync(TestPlatform p)
    {
        await using var q = p.Store.QuerySession();
        return ((await q.Query<ChainHeadView>().ToListAsync(Ct)).OrderBy(h => h.Id, StringComparer.Ordinal).ToList(),
            (await q.Query<LedgerAccountView>().ToListAsync(Ct)).OrderBy(a => a.Id, StringComparer.Ordinal).ToList(),
            await q.LoadAsync<LedgerLogView>(LedgerLogView.Key, Ct),
            (await q.Query<CheckpointView>().ToListAsync(Ct)).OrderBy(c => c.Sequence).ToList(),
            (await q.Query<ClosedPeriodView>().ToListAsync(Ct)).OrderBy(c => c.Id, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task A_schema_written_before_the_read_models_is_rebuilt_at_start_and_closes_on_as_before()
    {
        await using var p = await HistoryAsync();
        var before = await ReadModelsAsync(p);
        Assert.Equal(["invoice/sme-sh-1", "provider/prov-nx"], before.Heads.Select(h => h.Id));
        Assert.Equal(2, before.Log!.LogSize); // the payment and its reversal

        // What the previous version left: no read-model documents, closed periods without their close order.
        await p.TamperAsync("""
            delete from {schema}.mt_doc_chainheadview; delete from {schema}.mt_doc_checkpointview; delete from {schema}.mt_doc_ledgeraccountview;
            delete from {schema}.mt_doc_ledgertransactionview; delete from {schema}.mt_doc_ledgerlogview; delete from {schema}.mt_doc_periodledgerview;
            delete from {schema}.mt_doc_settlementreadmodels_marker;
            update {schema}.mt_doc_closedperiodview set data = data - 'checkpointed', checkpointed = null
            """);
        await using var restarted = await p.SecondProcessAsync();
        var after = await ReadModelsAsync(restarted);
        Assert.Equal(before.Heads.Select(h => (h.Id, h.Hash, h.Period)), after.Heads.Select(h => (h.Id, h.Hash, h.Period)));
        Assert.Equal(before.Accounts.Select(a => (a.Id, a.BalanceFen, a.FirstAt)), after.Accounts.Select(a => (a.Id, a.BalanceFen, a.FirstAt)));
        Assert.Equal((before.Log.Transactions, before.Log.LogSize, before.Log.LogRoot()), (after.Log!.Transactions, after.Log.LogSize, after.Log.LogRoot()));
        Assert.Equal(before.Checkpoints.Select(c => (c.Id, c.Hash, c.Sequence)), after.Checkpoints.Select(c => (c.Id, c.Hash, c.Sequence)));
        Assert.Equal(before.Closed.Select(c => (c.Id, c.Checkpointed)), after.Closed.Select(c => (c.Id, c.Checkpointed)));
        Assert.All(after.Closed, c => Assert.True(c.Checkpointed));

        // The rebuilt models serve the next close, its checkpoint and the ledger, and history still verifies.
        restarted.Clock.Set(At("2026-12-04T01:00:00+08:00"));
        var closed = await restarted.Sender.Send(new ClosePeriodRequest("2026-12-03"), Ct);
        var checkpoints = await restarted.Sender.Send(new ListCheckpointsRequest(), Ct);
        Assert.Equal(closed.Checkpoint, checkpoints[^1].Hash);
        Assert.Equal((3, checkpoints[1].Hash, 2), (checkpoints[^1].Sequence, checkpoints[^1].PreviousHash, checkpoints[^1].LedgerLogSize));
        Assert.Equal(checkpoints[1].ChainHeads, checkpoints[2].ChainHeads);
        var report = await restarted.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.True(report.Ok, string.Join("\n", report.Failures));
        Assert.Equal(0, (await restarted.Sender.Send(new GetLedgerRequest(), Ct)).TrialBalanceFen);
    }

    [Fact]
    public async Task Balances_as_of_an_instant_and_reversals_found_by_index_answer_as_reading_every_transaction_did()
    {
        await using var p = await HistoryAsync();
        var now = await p.Sender.Send(new GetLedgerRequest(), Ct);
        Assert.Equal(3, now.Transactions); // the charge, the payment, its reversal; 12-02 posted nothing
        Assert.Equal(0, now.TrialBalanceFen);

        var beforeAnything = await p.Sender.Send(new GetLedgerRequest(At("2026-12-01T00:00:00+08:00")), Ct);
        Assert.Empty(beforeAnything.Balances);
        Assert.Equal(0, beforeAnything.Transactions);
        var afterClose = await p.Sender.Send(new GetLedgerRequest(At("2026-12-02T01:00:00+08:00")), Ct);
        Assert.Equal(1, afterClose.Transactions);
        Assert.DoesNotContain("cash:clearing", afterClose.Balances.Keys);
        var afterPayment = await p.Sender.Send(new GetLedgerRequest(At("2026-12-02T02:00:00+08:00")), Ct);
        Assert.Equal((2, 50_000L), (afterPayment.Transactions, afterPayment.Balances["cash:clearing"]));
        Assert.Equal(afterClose.Balances["buyer:sme-sh-1"] - 50_000, afterPayment.Balances["buyer:sme-sh-1"]);
        var afterReversal = await p.Sender.Send(new GetLedgerRequest(At("2026-12-02T03:00:00+08:00")), Ct);
        Assert.Equal(now.Balances, afterReversal.Balances);
        Assert.Equal(3, afterReversal.Transactions);

        // The same reversal again is answered with the first; the same transaction under another id, or a reversal, is refused.
        var again = await p.Sender.Send(new ReverseTransactionRequest("fix-1", "cash/pay-1", "entered twice"), Ct);
        Assert.Equal("reversal/fix-1", again.TxId);
        var twice = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new ReverseTransactionRequest("fix-2", "cash/pay-1", "again"), Ct).AsTask());
        Assert.Contains("already reversed by correction 'fix-1'", twice.Rejection.Reason);
        var ofReversal = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new ReverseTransactionRequest("fix-3", "reversal/fix-1", "no"), Ct).AsTask());
        Assert.Equal(Codes.Invalid, ofReversal.Rejection.Code);
        var reused = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new ReverseTransactionRequest("fix-1", "2026-12-01/lease-000001/compute", "other"), Ct).AsTask());
        Assert.Equal(Codes.IdReused, reused.Rejection.Code);
        var unknown = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new ReverseTransactionRequest("fix-4", "cash/nope", "?"), Ct).AsTask());
        Assert.Equal("txId", unknown.Rejection.Field);
        // A cash id used by the reversed payment stays used.
        var repeat = await p.Sender.Send(new RecordCashRequest("payment", "pay-1", "sme-sh-1", 50_000), Ct);
        Assert.True(repeat.Repeat);
    }

    [Fact]
    public async Task A_close_whose_checkpoint_was_lost_writes_the_same_checkpoint_when_run_again()
    {
        await using var p = await HistoryAsync();
        var kept = await p.Sender.Send(new ListCheckpointsRequest(), Ct);
        // The last checkpoint event removed, as if its close had crashed before the checkpoint: closing again writes it.
        await p.TamperAsync("delete from {schema}.mt_events where stream_id = 'checkpoints' and version = 2; update {schema}.mt_streams set version = 1 where id = 'checkpoints'");
        var again = await p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);
        Assert.True(again.AlreadyClosed);
        var rewritten = await p.Sender.Send(new ListCheckpointsRequest(), Ct);
        Assert.Equal(kept.Select(c => c.Hash), rewritten.Select(c => c.Hash));
        Assert.Equal(kept[^1].Hash, again.Checkpoint);
    }

    [Fact]
    public async Task The_checkpoint_step_takes_the_ledger_log_from_its_frontier_not_from_rereading_the_log()
    {
        await using var p = await HistoryAsync();
        var signed = (await p.Sender.Send(new ListCheckpointsRequest(), Ct))[^1];
        // The payment edited in mt_events after a checkpoint covered it: rereading the log would sign the edit.
        await p.TamperAsync("""
            update {schema}.mt_events set data = jsonb_set(jsonb_set(data, '{postings,0,amountFen}', '1'), '{postings,1,amountFen}', '-1')
            where stream_id = 'cash'
            """);
        p.Clock.Set(At("2026-12-04T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-03"), Ct);
        var next = (await p.Sender.Send(new ListCheckpointsRequest(), Ct))[^1];
        Assert.Equal(("2026-12-03", signed.LedgerLogSize, signed.LedgerLogRoot), (next.Period, next.LedgerLogSize, next.LedgerLogRoot));
    }
}
