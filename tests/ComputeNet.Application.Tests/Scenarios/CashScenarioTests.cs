using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>Cash actions (market-rules §10, §12) after the worked example's close: buyer 101,338 owed, issuer 43,430, provider owed 140,425.</summary>
public sealed class CashScenarioTests
{
    private static async Task<ScenarioResult> RunAsync(string cashActions)
    {
        var json = File.ReadAllText(TestDatabase.ScenarioPath("worked-example/scenario.json"));
        var end = json.LastIndexOf(']');
        json = json[..end] + ", " + cashActions + json[end..];
        var cs = await TestDatabase.ConnectionStringAsync();
        return await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Payments_payouts_and_reimbursements_settle_balances_and_are_refused_above_what_is_open()
    {
        var r = await RunAsync("""
            { "at": "2026-12-02T10:00:00+08:00", "type": "payment", "id": "pay-2", "party": "sme-sh-1", "amountFen": 101338 },
            { "at": "2026-12-02T10:01:00+08:00", "type": "payment", "id": "pay-2", "party": "sme-sh-1", "amountFen": 101338 },
            { "at": "2026-12-02T10:02:00+08:00", "type": "payment", "id": "pay-2", "party": "sme-sh-1", "amountFen": 5 },
            { "at": "2026-12-02T10:03:00+08:00", "type": "payment", "id": "pay-3", "party": "sme-sh-1", "amountFen": 1 },
            { "at": "2026-12-02T10:04:00+08:00", "type": "reimburse", "id": "re-1", "party": "sh-gov", "amountFen": 43430 },
            { "at": "2026-12-02T10:05:00+08:00", "type": "payout", "id": "po-1", "party": "prov-nx", "amountFen": 140426 },
            { "at": "2026-12-02T10:06:00+08:00", "type": "payout", "id": "po-1", "party": "prov-nx", "amountFen": 140425 },
            { "at": "2026-12-02T10:07:00+08:00", "type": "payout", "id": "po-2", "party": "sme-sh-1", "amountFen": 1 },
            { "at": "2026-12-02T10:08:00+08:00", "type": "payment", "id": "pay-4", "party": "sme-sh-1", "amountFen": 0 }
            """);

        Assert.Equal(
            [("pay-1", "over-balance"), ("pay-2", "id-reused"), ("pay-3", "over-balance"), ("po-1", "over-balance"), ("po-2", "wrong-role"), ("pay-4", "invalid")],
            r.Rejections.Where(x => x.Type is "payment" or "payout" or "reimburse").Select(x => (x.Id!, x.Code)));
        Assert.Equal(0, r.Ledger.Balances["buyer:sme-sh-1"]);
        Assert.Equal(0, r.Ledger.Balances["issuer:sh-gov"]);
        Assert.Equal(0, r.Ledger.Balances["provider:prov-nx"]);
        Assert.Equal(101_338 + 43_430 - 140_425, r.Ledger.Balances["cash:clearing"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }
}

/// <summary>Corrections by reversal, and balances as of an instant (market-rules §10).</summary>
public sealed class ReversalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reversal_undoes_a_charge_without_editing_history_and_asOf_shows_the_balance_before_it()
    {
        await using var p = await TestPlatform.StartAsync(UseCases.Market.Nov30Morning);
        var lease = await UseCases.Market.TradedLeaseAsync(p, Ct);
        p.Clock.Set(UseCases.Market.At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new Metering.RecordUsage.RecordUsageRequest("prov-nx", "u1", lease, UseCases.Market.Dec1, UseCases.Market.Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(UseCases.Market.At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new Settlement.ClosePeriod.ClosePeriodRequest("2026-12-01"), Ct);
        var closedAt = p.Clock.GetCurrentInstant();

        p.Clock.Set(UseCases.Market.At("2026-12-03T09:00:00+08:00"));
        var txId = $"2026-12-01/{lease}/compute";
        var reversal = await p.Sender.Send(new Ledger.ReverseTransaction.ReverseTransactionRequest("fix-1", txId, "usage reported twice by the agent"), Ct);
        Assert.Equal("reversal/fix-1", reversal.TxId);
        var again = await p.Sender.Send(new Ledger.ReverseTransaction.ReverseTransactionRequest("fix-1", txId, "usage reported twice by the agent"), Ct);
        Assert.Equal((reversal.TxId, reversal.Memo, reversal.At), (again.TxId, again.Memo, again.At));
        Assert.Equal(reversal.Postings, again.Postings);
        var twice = await Assert.ThrowsAsync<Domain.RejectedException>(() =>
            p.Sender.Send(new Ledger.ReverseTransaction.ReverseTransactionRequest("fix-2", txId, "again"), Ct).AsTask());
        Assert.Equal("invalid", twice.Rejection.Code);

        var now = await p.Sender.Send(new Settlement.GetLedger.GetLedgerRequest(), Ct);
        Assert.Equal(0, now.Balances["buyer:sme-sh-1"]);
        Assert.Equal(0, now.Balances["provider:prov-nx"]);
        Assert.Equal(0, now.TrialBalanceFen);
        Assert.Equal(2, now.Transactions);
        var before = await p.Sender.Send(new Settlement.GetLedger.GetLedgerRequest(closedAt), Ct);
        Assert.Equal(144_768, before.Balances["buyer:sme-sh-1"]);
        Assert.True((await p.Sender.Send(new Audit.Verify.VerifyHistoryRequest(), Ct)).Ok);
    }
}
