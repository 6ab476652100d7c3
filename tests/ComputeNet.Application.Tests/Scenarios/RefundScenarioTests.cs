using System.Text.Json.Nodes;
using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>
/// Refunds and revenue-share payouts (market-rules §14) through the scenario runner, every code: after the worked example's
/// close the regions east-sh and ningxia are owed 1,086 fen each; a reserved lease whose SLA credit outweighs its last
/// day's charge leaves a buyer that paid its first invoice in credit.
/// </summary>
public sealed class RefundScenarioTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ScenarioResult> WorkedExampleWithAsync(string cashActions)
    {
        var json = File.ReadAllText(TestDatabase.ScenarioPath("worked-example/scenario.json"));
        var end = json.LastIndexOf(']');
        json = json[..end] + ", " + cashActions + json[end..];
        return await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(await TestDatabase.ConnectionStringAsync()), Ct);
    }

    [Fact]
    public async Task Regions_are_paid_their_revenue_shares_up_to_what_they_are_owed()
    {
        var r = await WorkedExampleWithAsync("""
            { "at": "2026-12-02T10:00:00+08:00", "type": "payout", "id": "rs-1", "party": "ningxia", "account": "region", "amountFen": 1087 },
            { "at": "2026-12-02T10:01:00+08:00", "type": "payout", "id": "rs-1", "party": "ningxia", "account": "region", "amountFen": 1086 },
            { "at": "2026-12-02T10:02:00+08:00", "type": "payout", "id": "rs-1", "party": "ningxia", "account": "region", "amountFen": 1086 },
            { "at": "2026-12-02T10:03:00+08:00", "type": "payout", "id": "rs-1", "party": "east-sh", "account": "region", "amountFen": 1086 },
            { "at": "2026-12-02T10:04:00+08:00", "type": "payout", "id": "rs-2", "party": "east-sh", "account": "region", "amountFen": 1000 },
            { "at": "2026-12-02T10:05:00+08:00", "type": "payout", "id": "rs-3", "party": "east-sh", "account": "region", "amountFen": 87 },
            { "at": "2026-12-02T10:06:00+08:00", "type": "payout", "id": "rs-4", "party": "east-sh", "account": "region", "amountFen": 86 },
            { "at": "2026-12-02T10:07:00+08:00", "type": "payout", "id": "rs-5", "party": "atlantis", "account": "region", "amountFen": 1 },
            { "at": "2026-12-02T10:08:00+08:00", "type": "payout", "id": "rs-6", "party": "prov-nx", "account": "region", "amountFen": 1 },
            { "at": "2026-12-02T10:09:00+08:00", "type": "payout", "id": "rs-7", "party": "ningxia", "account": "region", "amountFen": 0 },
            { "at": "2026-12-02T10:10:00+08:00", "type": "payout", "party": "ningxia", "account": "region", "amountFen": 1 },
            { "at": "2026-12-02T10:11:00+08:00", "type": "payout", "id": "rs-8", "party": "ningxia", "account": "region", "amountFen": 1 }
            """);

        Assert.Equal(
            [("rs-1", "over-balance"), ("rs-1", "id-reused"), ("rs-3", "over-balance"), ("rs-5", "invalid"), ("rs-6", "invalid"),
             ("rs-7", "invalid"), (null, "invalid"), ("rs-8", "over-balance")],
            r.Rejections.Where(x => x.Type == "payout").Select(x => (x.Id, x.Code)));
        Assert.Contains("atlantis", r.Rejections.Single(x => x.Id == "rs-5").Reason);
        Assert.Equal(0, r.Ledger.Balances["region:ningxia"]);
        Assert.Equal(0, r.Ledger.Balances["region:east-sh"]);
        Assert.Equal(-2_172, r.Ledger.Balances["cash:clearing"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }

    private static string Reserved() => """
        {
          "name": "refund",
          "parties": [
            { "id": "sme-sh", "roles": ["buyer"], "city": "shanghai", "sme": true },
            { "id": "prov", "roles": ["provider"] },
            { "id": "gov", "roles": ["issuer"] },
            { "id": "both", "roles": ["buyer", "issuer"], "city": "shanghai", "sme": true }
          ],
          "actions": [
            { "at": "2026-11-30T09:00:00+08:00", "type": "offer", "id": "of-nx", "party": "prov", "cluster": "zhongwei",
              "resourceClass": "ai-fp16-80g", "devices": 16, "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-03T00:00:00+08:00", "price": "58.00" },
            { "at": "2026-11-30T10:00:00+08:00", "type": "bid", "id": "b-res", "party": "sme-sh", "family": "intelligent", "devices": 2,
              "minScuPerDevice": "0.1", "minMemoryGb": 40, "from": "2026-12-01T04:00:00+08:00", "to": "2026-12-02T01:00:00+08:00",
              "tier": "cross-hub", "minGreen": "0", "price": "60.00", "commitment": "reserved", "split": true, "tif": "GTC" },
            { "at": "2026-12-02T01:00:00+08:00", "type": "usage", "id": "u1", "party": "prov", "bid": "b-res", "offer": "of-nx",
              "from": "2026-12-01T04:00:00+08:00", "to": "2026-12-02T01:00:00+08:00", "deviceSeconds": 1000, "energyKwh": "1", "greenKwh": "0", "transferGb": "0" },
            { "at": "2026-12-02T02:00:00+08:00", "type": "close", "period": "2026-12-01" },
            { "at": "2026-12-02T09:00:00+08:00", "type": "refund", "id": "rf-0", "party": "sme-sh", "amountFen": 1 },
            { "at": "2026-12-02T10:00:00+08:00", "type": "payment", "id": "pay-1", "party": "sme-sh", "amountFen": 36192 },
            { "at": "2026-12-03T01:00:00+08:00", "type": "close", "period": "2026-12-02" }
          ]
        }
        """;

    private static async Task<ScenarioResult> ReservedWithAsync(string cashActions)
    {
        var scenario = JsonNode.Parse(Reserved())!;
        var actions = scenario["actions"]!.AsArray();
        foreach (var a in JsonNode.Parse("[" + cashActions + "]")!.AsArray())
        {
            actions.Add(a!.DeepClone());
        }
        return await TestDatabase.Runner().RunAsync(scenario.ToJsonString(), new ScenarioRunOptions(await TestDatabase.ConnectionStringAsync()), Ct);
    }

    [Fact]
    public async Task A_buyer_left_in_credit_is_refunded_what_the_platform_owes_it_and_no_more()
    {
        // Day 1: 2 devices × 20 h reserved × 0.156 × 58.00 = 36,192 fen, paid. Day 2: 1 h = 1,809.6 → 1,810 fen, and the SLA
        // credit (1,000 of 151,200 device-seconds delivered) −share(36,192 + 1,810, 1000 bp) = −3,800.2 → −3,800: the day-2
        // invoice is −1,990, so the platform owes the buyer 1,990 fen.
        var r = await ReservedWithAsync("""
            { "at": "2026-12-03T09:00:00+08:00", "type": "refund", "id": "rf-1", "party": "sme-sh", "amountFen": 1991 },
            { "at": "2026-12-03T09:01:00+08:00", "type": "refund", "id": "rf-1", "party": "sme-sh", "amountFen": 1990 },
            { "at": "2026-12-03T09:02:00+08:00", "type": "refund", "id": "rf-1", "party": "sme-sh", "amountFen": 1990 },
            { "at": "2026-12-03T09:03:00+08:00", "type": "refund", "id": "rf-1", "party": "sme-sh", "amountFen": 1 },
            { "at": "2026-12-03T09:04:00+08:00", "type": "refund", "id": "rf-2", "party": "sme-sh", "amountFen": 1 },
            { "at": "2026-12-03T09:05:00+08:00", "type": "refund", "id": "rf-3", "party": "nobody", "amountFen": 1 },
            { "at": "2026-12-03T09:06:00+08:00", "type": "refund", "id": "rf-4", "party": "prov", "amountFen": 1 },
            { "at": "2026-12-03T09:07:00+08:00", "type": "refund", "id": "rf-5", "party": "sme-sh", "amountFen": -5 },
            { "at": "2026-12-03T09:08:00+08:00", "type": "refund", "id": "rf-6", "party": "both", "amountFen": 1 },
            { "at": "2026-12-03T09:09:00+08:00", "type": "refund", "id": "rf-7", "party": "both", "account": "buyer", "amountFen": 1 },
            { "at": "2026-12-03T09:10:00+08:00", "type": "refund", "id": "rf-8", "party": "gov", "amountFen": 1 },
            { "at": "2026-12-03T09:11:00+08:00", "type": "refund", "party": "sme-sh", "amountFen": 1 }
            """);

        Assert.Equal([("compute", 1_810L), ("sla-credit", -3_800L)],
            r.Invoices.Single(i => i.Period == "2026-12-02").Lines.Select(l => (l.Kind, l.AmountFen)));
        Assert.Equal(
            [("rf-0", "over-balance"), ("rf-1", "over-balance"), ("rf-1", "id-reused"), ("rf-2", "over-balance"), ("rf-3", "unknown-party"),
             ("rf-4", "wrong-role"), ("rf-5", "invalid"), ("rf-6", "invalid"), ("rf-7", "over-balance"), ("rf-8", "over-balance"), (null, "invalid")],
            r.Rejections.Where(x => x.Type == "refund").Select(x => (x.Id, x.Code)));
        Assert.DoesNotContain(r.Rejections, x => x.Type is "payment" or "close");
        Assert.Equal(0, r.Ledger.Balances["buyer:sme-sh"]);
        Assert.Equal(36_192 - 1_990, r.Ledger.Balances["cash:clearing"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }
}

/// <summary>
/// The demo's money-back step (src/ComputeNet.Cli/Demo/demo-money-back.json): a credit note on a paid line refunds itself, an
/// overpayment is refunded, the regions paid, every balance 0.
/// </summary>
public sealed class DemoMoneyBackTests
{
    [Fact]
    public async Task The_overpayment_is_refunded_the_regions_are_paid_and_every_party_and_region_ends_at_0()
    {
        var json = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-money-back.json"), TestContext.Current.CancellationToken);
        // The demo turns the platform's policy on (ADR 0032); a scenario alone is the rules, below.
        var r = await TestDatabase.RunnerRefundingCreditNotes().RunAsync(json, new ScenarioRunOptions(await TestDatabase.ConnectionStringAsync()),
            TestContext.Current.CancellationToken);

        Assert.Empty(r.Rejections);
        // Day 1: 36,192 fen (fee 1,086: 543 / 272 / 271), paid. Day 2: 1,810 (fee 54: 27 / 14 / 13) and the SLA credit −3,800.
        Assert.Equal([36_192L, -1_990L], r.Invoices.Select(i => i.DueFen));
        Assert.Equal([("east-sh", 272L), ("ningxia", 271L)], r.Statements[0].Regions.Select(x => (x.Region, x.ShareFen)));
        // Day 1's paid line is disputed and 3,619 accepted: the credit note starts the refund of the whole credit itself (ADR 0032).
        var note = Assert.Single(r.CreditNotes);
        Assert.Equal(("cn-dsp-sh-res-1", -3_619L, "refund-cn-dsp-sh-res-1", (long?)3_619), (note.Id, note.DueFen, note.RefundId, note.RefundFen));
        Assert.All(r.Ledger.Balances.Where(b => b.Key is not "platform:fees" and not "cash:clearing"), b => Assert.Equal(0, b.Value));
        Assert.Equal(36_192 - 3_619 - 1_990 - 29_551 - 259 - 257, r.Ledger.Balances["cash:clearing"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }

    /// <summary>
    /// By default a credit note posts its transaction and nothing else (market-rules §14): the same scenario leaves the buyer
    /// the 3,619 fen of credit the note gave it, to be refunded by a <c>refund</c> cash action — so a scenario's results
    /// are the rules' and an operator's refund of that credit is never refused because the platform refunded it already.
    /// </summary>
    [Fact]
    public async Task Without_the_policy_the_credit_note_starts_no_refund_and_the_buyer_keeps_its_credit()
    {
        var json = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-money-back.json"), TestContext.Current.CancellationToken);
        var r = await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(await TestDatabase.ConnectionStringAsync()), TestContext.Current.CancellationToken);

        Assert.Empty(r.Rejections);
        var note = Assert.Single(r.CreditNotes);
        Assert.Equal(("cn-dsp-sh-res-1", -3_619L, (string?)null, (long?)null), (note.Id, note.DueFen, note.RefundId, note.RefundFen));
        Assert.Equal(-3_619, r.Ledger.Balances["buyer:sme-sh-ai"]);
        Assert.All(r.Ledger.Balances.Where(b => b.Key is not "platform:fees" and not "cash:clearing" and not "buyer:sme-sh-ai"), b => Assert.Equal(0, b.Value));
        Assert.Equal(36_192 - 1_990 - 29_551 - 259 - 257, r.Ledger.Balances["cash:clearing"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }
}
