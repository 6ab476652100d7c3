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
