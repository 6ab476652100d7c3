using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>
/// Disputes, resolutions and credit notes (market-rules §14) on the worked example's line after its close (its nine actions are indices 0–8): A 144,768,
/// V 43,430 (sh-gov), F 4,343 = platform 2,171 + east-sh 1,086 + ningxia 1,086; the buyer owes 101,338 (its 101,339
/// payment was refused), the provider is owed 140,425. The close was at 2026-12-02T01:00+08:00.
/// </summary>
public sealed class DisputeScenarioTests
{
    private static async Task<ScenarioResult> RunAsync(string actions)
    {
        var json = File.ReadAllText(TestDatabase.ScenarioPath("worked-example/scenario.json"));
        var end = json.LastIndexOf(']');
        json = json[..end] + ", " + actions + json[end..];
        var cs = await TestDatabase.ConnectionStringAsync();
        return await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
    }

    private static string Dispute(string at, string id, long amount, string party = "sme-sh-1", string period = "2026-12-01", string kind = "compute",
        string reason = "usage counted twice") =>
        $$"""{ "at": "{{at}}", "type": "dispute", "id": "{{id}}", "party": "{{party}}", "period": "{{period}}", "bid": "b1", "offer": "of1", "kind": "{{kind}}", "late": false, "amountFen": {{amount}}, "reason": "{{reason}}" }""";

    private static string Resolve(string at, string id, string outcome, long? amount = null) =>
        $$"""{ "at": "{{at}}", "type": "resolve", "dispute": "{{id}}", "outcome": "{{outcome}}"{{(amount is null ? "" : $", \"amountFen\": {amount}")}} }""";

    [Fact]
    public async Task Every_code_in_order_and_a_credit_note_split_with_ties_in_both_splits()
    {
        var r = await RunAsync(string.Join(",\n", [
            Dispute("2026-12-03T09:00:00+08:00", "d0", 100, party: "nobody"),
            Dispute("2026-12-03T09:01:00+08:00", "d0", 100, party: "prov-nx"),
            Dispute("2026-12-03T09:02:00+08:00", "d1", 0),
            Dispute("2026-12-03T09:03:00+08:00", "d1", 100, period: "2026-12-02"),
            Dispute("2026-12-03T09:04:00+08:00", "d1", 100, kind: "sla-credit"),
            Dispute("2026-12-03T09:05:00+08:00", "d1", 144_769),
            Dispute("2026-12-03T09:06:00+08:00", "d1", 100, reason: new string('x', 501)),
            Dispute("2026-12-03T09:07:00+08:00", "d1", 40_000),
            Dispute("2026-12-03T09:08:00+08:00", "d1", 40_000),
            Dispute("2026-12-03T09:09:00+08:00", "d1", 40_001),
            Dispute("2026-12-03T09:10:00+08:00", "d2", 5),
            Resolve("2026-12-03T09:11:00+08:00", "nope", "accept", 1),
            Resolve("2026-12-03T09:12:00+08:00", "d1", "accept", 40_001),
            Resolve("2026-12-03T09:13:00+08:00", "d1", "accept", 0),
            // x 36,192: v over (101,338, 43,430) is 25,334.5 / 10,857.5, the tie to the buyer; the earner side over
            // (140,425, 2,171, 1,086, 1,086) floors to 35,106 / 542 / 271 / 271 and the two leftover fen go to the platform
            // and then, between the tied regions, to the demand region (listed first).
            Resolve("2026-12-03T09:14:00+08:00", "d1", "accept", 36_192),
            Resolve("2026-12-03T09:15:00+08:00", "d1", "accept", 36_192),
            Resolve("2026-12-03T09:16:00+08:00", "d1", "reject"),
            Dispute("2026-12-03T09:17:00+08:00", "d2", 144_768 - 36_192 + 1),
            // The window ends 30 × 24 h after the close (2026-12-02T01:00+08:00): one second before, a claim of all that is left opens.
            Dispute("2027-01-01T00:59:59+08:00", "d2", 144_768 - 36_192),
            Resolve("2027-01-01T00:59:59+08:00", "d2", "reject"),
            Dispute("2027-01-01T01:00:00+08:00", "d3", 1),
        ]));

        Assert.Equal(
        [
            (9, "dispute", "d0", "unknown-party"), (10, "dispute", "d0", "wrong-role"), (11, "dispute", "d1", "invalid"), (12, "dispute", "d1", "invalid"),
            (13, "dispute", "d1", "invalid"), (14, "dispute", "d1", "invalid"), (15, "dispute", "d1", "invalid"), (18, "dispute", "d1", "id-reused"),
            (19, "dispute", "d2", "dispute-open"), (20, "resolve", "nope", "invalid"), (21, "resolve", "d1", "invalid"), (22, "resolve", "d1", "invalid"),
            (25, "resolve", "d1", "invalid"), (26, "dispute", "d2", "invalid"), (29, "dispute", "d3", "dispute-window-ended"),
        ], r.Rejections.Where(x => x.Index >= 9).Select(x => (x.Index, x.Type, x.Id!, x.Code)));

        var note = Assert.Single(r.CreditNotes);
        Assert.Equal(("cn-d1", "d1", "2026-12-01", "sme-sh-1", "b1", "of1", "compute", false), (note.Id, note.Dispute, note.Period, note.Buyer, note.Bid,
            note.Offer, note.Kind, note.Late));
        Assert.Equal((-36_192L, -2_049L, -10_857L, -25_335L), (note.AmountFen, note.TaxFen, note.VoucherFen, note.DueFen));
        Assert.Equal(new string('0', 64), note.PreviousHash);
        Assert.Matches("^[0-9a-f]{64}$", note.Hash);

        var b = r.Ledger.Balances;
        Assert.Equal((101_338L - 25_335, 43_430L - 10_857), (b["buyer:sme-sh-1"], b["issuer:sh-gov"]));
        Assert.Equal((-140_425L + 35_106, -2_171L + 543, -1_086L + 272, -1_086L + 271),
            (b["provider:prov-nx"], b["platform:fees"], b["region:east-sh"], b["region:ningxia"]));
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
        Assert.True(r.Verification.Ok, string.Join("; ", r.Verification.Failures));
        Assert.Equal(1, r.Verification.CreditNotes);
    }

    [Fact]
    public async Task Credit_notes_chain_per_buyer_and_together_return_every_part_exactly_once()
    {
        var r = await RunAsync(string.Join(",\n", [
            // x 54: the earner side floors to 52 / 0 / 0 / 0; of the two leftover fen the platform's remainder is largest,
            // then the regions tie and the demand region takes it.
            Dispute("2026-12-03T09:00:00+08:00", "d1", 54),
            Resolve("2026-12-03T09:01:00+08:00", "d1", "accept", 54),
            Dispute("2026-12-03T09:02:00+08:00", "d2", 144_768 - 54),
            Resolve("2026-12-03T09:03:00+08:00", "d2", "accept", 144_768 - 54),
        ]));

        Assert.DoesNotContain(r.Rejections, x => x.Index >= 9);
        Assert.Equal([("cn-d1", -54L, -3L, -16L, -38L), ("cn-d2", -144_714L, -8_191L, -43_414L, -101_300L)],
            r.CreditNotes.Select(n => (n.Id, n.AmountFen, n.TaxFen, n.VoucherFen, n.DueFen)));
        Assert.Equal(r.CreditNotes[0].Hash, r.CreditNotes[1].PreviousHash);
        foreach (var account in new[] { "buyer:sme-sh-1", "issuer:sh-gov", "provider:prov-nx", "platform:fees", "region:east-sh", "region:ningxia" })
        {
            Assert.Equal(0, r.Ledger.Balances[account]);
        }
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
        Assert.True(r.Verification.Ok, string.Join("; ", r.Verification.Failures));

        // FOCUS (docs/focus.md, ADR 0028): each note is a Credit row of −x against the line and a row of +v with x_VoucherFen −v,
        // under the note's id; per note Σ BilledCost is its dueFen, and with the line's rows everything cancels.
        var credits = r.Focus!.Rows.Where(x => x.InvoiceId.StartsWith("cn-", StringComparison.Ordinal)).ToList();
        Assert.All(credits, x => Assert.Equal("Credit", x.ChargeCategory));
        // A credit note corrects a charge of an invoice issued at an earlier close: FOCUS ChargeClass Correction; no other row is one.
        Assert.All(credits, x => Assert.Equal("Correction", x.ChargeClass));
        Assert.All(r.Focus.Rows.Except(credits), x => Assert.Null(x.ChargeClass));
        Assert.Equal([(-54L, -54L, 0L), (16L, 16L, -16L), (-144_714L, -144_714L, 0L), (43_414L, 43_414L, -43_414L)],
            credits.Select(x => (x.BilledCostFen, x.EffectiveCostFen, x.VoucherFen)));
        Assert.Equal([("cn-d1", -38L), ("cn-d2", -101_300L)], credits.GroupBy(x => x.InvoiceId).Select(g => (g.Key, g.Sum(x => x.BilledCostFen))));
        Assert.Equal(0, r.Focus.Rows.Sum(x => x.BilledCostFen));
        Assert.Equal(0, r.Focus.Rows.Sum(x => x.VoucherFen));
        Assert.All(r.Focus.Rows, x => Assert.Equal(x.BilledCostFen, x.EffectiveCostFen));
        Assert.Equal([r.CreditNotes[0].Hash, r.CreditNotes[0].Hash, r.CreditNotes[1].Hash, r.CreditNotes[1].Hash], credits.Select(x => x.StatementHash));
    }

    [Fact]
    public async Task A_run_without_disputes_writes_an_empty_credit_notes_file()
    {
        var r = await RunAsync(Dispute("2026-12-03T09:00:00+08:00", "d1", 0));
        Assert.Empty(r.CreditNotes);
        var folder = Path.Combine(Path.GetTempPath(), $"cn-out-{Guid.NewGuid():N}");
        try
        {
            await r.WriteAsync(folder, TestContext.Current.CancellationToken);
            Assert.Equal("[]", File.ReadAllText(Path.Combine(folder, "creditNotes.json")).Trim());
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
