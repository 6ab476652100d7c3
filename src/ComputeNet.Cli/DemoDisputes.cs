using System.Text.Json.Nodes;
using ComputeNet.Application.Scenarios;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// The demo day's dispute (market-rules §14, docs/disputes.md), as a step of its own: before the bank payments, Beijing
/// Render Studio disputes its render line (the GPU hours of a failed job), the operator accepts 10 % of the line, and the
/// credit note is issued. The buyer then pays its due less the credit and the provider's payout is what is left of what
/// it is owed, so every party's balance still ends at 0. The built-in scenario file itself is unchanged: this step splices
/// its two actions and the two adjusted cash amounts into it when the demo runs.
/// </summary>
internal static class DemoDisputes
{
    public const string Buyer = "sme-bj-render";
    public const string Provider = "prov-zjk";
    public const string DisputeId = "dsp-bj-render-1";
    /// <summary>The line: 162,500 fen, no voucher, no pairing; fee 4,875 to the platform, 157,625 owed to the provider.</summary>
    public const long LineFen = 162_500;
    public const long ClaimFen = 20_000;
    public const long AcceptedFen = 16_250;
    /// <summary>
    /// The split of 16,250 over (157,625, 4,875): 15,762.5 / 487.5, the leftover fen to the earner (ties in §14's order).
    /// The buyer is credited the whole 16,250 (no voucher part).
    /// </summary>
    public const long EarnerGivesBackFen = 15_763;

    /// <summary>The scenario with the dispute and its acceptance before the first bank payment, and the buyer's payment and the provider's payout reduced by the credit.</summary>
    public static string Splice(string scenarioJson)
    {
        var root = JsonNode.Parse(scenarioJson, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var actions = root["actions"]!.AsArray();
        var firstCash = actions.Select((a, i) => (a, i)).First(x => (string?)x.a!["type"] is "payment" or "payout" or "reimburse").i;
        actions.Insert(firstCash, new JsonObject
        {
            ["at"] = "2026-12-02T09:02:00+08:00", ["type"] = "resolve", ["dispute"] = DisputeId, ["outcome"] = "accept", ["amountFen"] = AcceptedFen,
        });
        actions.Insert(firstCash, new JsonObject
        {
            ["at"] = "2026-12-02T09:00:00+08:00", ["type"] = "dispute", ["id"] = DisputeId, ["party"] = Buyer, ["period"] = "2026-12-01",
            ["bid"] = "b-bj-render", ["offer"] = "of-zjk-a", ["kind"] = "compute", ["late"] = false, ["amountFen"] = ClaimFen,
            ["reason"] = "渲染任务 12 月 1 日 14:00–16:00 因节点故障失败，计费的 GPU 时长未产出结果 (a failed render job was billed)",
        });
        foreach (var a in actions)
        {
            if ((string?)a!["type"] == "payment" && (string?)a["party"] == Buyer)
            {
                a["amountFen"] = (long)a["amountFen"]! - AcceptedFen;
            }
            if ((string?)a["type"] == "payout" && (string?)a["party"] == Provider)
            {
                a["amountFen"] = (long)a["amountFen"]! - EarnerGivesBackFen;
            }
        }
        return root.ToJsonString();
    }

    /// <summary>Prints the dispute's outcome and its credit note (or says it is missing, which fails the demo).</summary>
    public static bool Print(ScenarioResult result)
    {
        var note = result.CreditNotes.FirstOrDefault(n => n.Dispute == DisputeId);
        AnsiConsole.MarkupLine("[bold]Dispute and credit note[/] (market-rules §14, docs/disputes.md):");
        if (note is null)
        {
            AnsiConsole.MarkupLine($"[red]the dispute {DisputeId} issued no credit note[/]");
            return false;
        }
        var table = new Table().AddColumns("credit note", "buyer", "line", "amount", "VAT", "voucher", "credited to the buyer");
        table.AddRow(note.Id, note.Buyer, $"{note.Period} {note.Bid}/{note.Offer} {note.Kind}", Yuan(note.AmountFen), Yuan(note.TaxFen), Yuan(note.VoucherFen),
            Yuan(note.DueFen));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(
            $"{Buyer} disputed {Yuan(ClaimFen)} of its {Yuan(LineFen)} render line; the operator accepted {Yuan(AcceptedFen)}. {Provider} gives back {Yuan(EarnerGivesBackFen)}, the platform fee {Yuan(AcceptedFen - EarnerGivesBackFen)}; the buyer paid its due less the credit and the payout was what was left, so both balances end at 0.");
        return note.AmountFen == -AcceptedFen && result.Ledger.Balances.GetValueOrDefault($"buyer:{Buyer}") == 0
            && result.Ledger.Balances.GetValueOrDefault($"provider:{Provider}") == 0;
    }

    private static string Yuan(long fen) => (fen / 100m).ToString("#,0.00", System.Globalization.CultureInfo.InvariantCulture);
}
