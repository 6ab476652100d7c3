using Microsoft.Extensions.DependencyInjection;
using ComputeNet.Application.Scenarios;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// The demo's money-back step (issue 15, part B; market-rules §14): the refund of an overpayment and the payout of the
/// regions' revenue shares, on a small two-day scenario of its own (Demo/demo-money-back.json, its own schema), so the
/// demo day's figures stay as they are. A buyer cannot be recorded paying more than it owes (§12, `over-balance`): it
/// overpays when it settles day 1's invoice of a reserved lease in full and day 2's SLA credit outweighs that day's
/// charge, leaving the platform owing it — which is refunded. Before that, a dispute of day 1's line, which the buyer had
/// already paid, is accepted: its credit note leaves the buyer in credit and starts the refund of that credit by itself
/// (ADR 0032). The pairing's demand region and supply hub are then paid their revenue shares, and every balance but the
/// platform's fees and cash clearing ends at 0.
/// </summary>
internal static class DemoMoneyBack
{
    public const string Schema = "demo_money_back";

    /// <summary>Runs and prints the step; false when a balance other than the platform's is left or an action was refused.</summary>
    public static async Task<bool> RunAsync(string folder, CancellationToken ct)
    {
        await using var stream = typeof(DemoMoneyBack).Assembly.GetManifestResourceStream("Demo.demo-money-back.json")
            ?? throw new InvalidOperationException("the demo's money-back scenario is missing from the assembly");
        var json = await new StreamReader(stream).ReadToEndAsync(ct);
        // The platform's policy of refunding a credit note by itself is off by default (a scenario is the rules alone); the
        // demo turns it on to show it.
        var result = await ScenarioCommand.Run(json, Path.Combine(folder, "money-back"), Schema, keepSchema: false, ct,
            services => services.AddSingleton(new Application.Payments.RefundThroughStripe.RefundSettings(AutoRefundCreditNotes: true)));
        Print(result, CashActions(json));
        return result.Rejections.Count == 0 && result.Ledger.TrialBalanceFen == 0 && Settled(result)
            && result.CreditNotes.Count == 1 && result.CreditNotes[0].RefundFen == -result.CreditNotes[0].DueFen;
    }

    /// <summary>Every party's and region's balance is 0 (only platform:fees and cash:clearing hold money).</summary>
    public static bool Settled(ScenarioResult r) =>
        r.Ledger.Balances.Where(b => b.Key != "platform:fees" && b.Key != Domain.Ledger.CashBook.Clearing).All(b => b.Value == 0);

    private sealed record Cash(string Id, string Type, string Party, string? Account, long AmountFen);

    /// <summary>The scenario's cash actions (all accepted when the run has no rejections).</summary>
    private static List<Cash> CashActions(string json) =>
        System.Text.Json.Nodes.JsonNode.Parse(json)!["actions"]!.AsArray()
            .Where(a => (string?)a!["type"] is "payment" or "payout" or "refund" or "reimburse")
            .Select(a => new Cash((string)a!["id"]!, (string)a["type"]!, (string)a["party"]!, (string?)a["account"], (long)a["amountFen"]!)).ToList();

    private static void Print(ScenarioResult r, List<Cash> cash)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine("[bold]Money back[/] (market-rules §14; [grey]Demo/demo-money-back.json[/], its own schema): a reserved lease over two days, "
            + "Shanghai → 中卫 under the sh-nx pairing (50/25/25).");
        foreach (var i in r.Invoices)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"  {i.Period} invoice of {i.Buyer}: {string.Join(", ", i.Lines.Select(l => $"{l.Kind} {Yuan(l.AmountFen)}"))} → due {Yuan(i.DueFen)} yuan");
        }
        foreach (var n in r.CreditNotes)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"  Dispute {n.Dispute} of the paid {n.Period} line accepted: credit note {n.Id} credits {n.Buyer} {Yuan(-n.DueFen)} yuan, which it had already paid — {(n.RefundId is { } id ? $"the credit note started refund {id} of {Yuan(n.RefundFen ?? 0)} yuan by itself (a bank transfer here, offline; onto the buyer's PaymentIntents with Stripe)" : "[red]no refund was started[/]")}.");
        }
        var table = new Table().Title("Cash actions (yuan)").AddColumns("id", "type", "party", "account", "amount", "recorded by");
        // In the scenario's order: the notes' refunds follow the payment that left the buyer in credit.
        var paid = cash.FindLastIndex(c => c.Type == "payment") + 1;
        foreach (var c in cash.Take(paid))
        {
            table.AddRow(c.Id, c.Type, c.Party, c.Account ?? "", Yuan(c.AmountFen), "operator");
        }
        foreach (var n in r.CreditNotes.Where(n => n.RefundId is not null))
        {
            table.AddRow(n.RefundId!, "refund", n.Buyer, "buyer", Yuan(n.RefundFen ?? 0), $"credit note {n.Id}");
        }
        foreach (var c in cash.Skip(paid))
        {
            table.AddRow(c.Id, c.Type, c.Party, c.Account ?? "", Yuan(c.AmountFen), "operator");
        }
        AnsiConsole.Write(table);
        var refund = cash.Where(c => c.Type == "refund").Sum(c => c.AmountFen);
        var regions = cash.Where(c => c.Account == Domain.Ledger.CashBook.RegionAccountName).ToList();
        AnsiConsole.MarkupLineInterpolated(
            $"  The buyer paid day 1 in full; day 2's SLA credit outweighed its last hour, so it had paid {Yuan(refund)} yuan more than the lease came to: refunded (debit buyer, credit cash:clearing, never above what the platform owes it). The regions' revenue shares paid out: {string.Join(", ", regions.Select(c => $"{Domain.Ledger.CashBook.RegionAccount(c.Party)} {Yuan(c.AmountFen)}"))} yuan.");
        AnsiConsole.MarkupLineInterpolated(
            $"  Balances now: {string.Join(", ", r.Ledger.Balances.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key} {Yuan(b.Value)}"))}; trial balance {r.Ledger.TrialBalanceFen} — {(Settled(r) ? "every party's and region's balance is 0" : "[red]a balance is left open[/]")}.");
    }

    private static string Yuan(long fen) => Documents.Yuan.Format(fen);
}
