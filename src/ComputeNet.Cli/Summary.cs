using ComputeNet.Application.Scenarios;
using ComputeNet.Domain.Money;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>Prints what a scenario run did: orders, trades, invoices, statements, ledger, rejections.</summary>
internal static class Summary
{
    public static void Print(ScenarioResult r, string folder)
    {
        var console = AnsiConsole.Console;
        console.MarkupLineInterpolated($"\n[bold]{r.Name}[/]: {r.Actions} actions, {r.Orders.Count(o => o.State != "rejected")} orders accepted, {r.Trades.Count} trades, {r.Rejections.Count} rejections");

        var orders = new Table().Title("Orders (final state)").AddColumns("order", "party", "side", "state", "devices", "filled");
        foreach (var o in r.Orders)
        {
            orders.AddRow(o.Id, o.Party, o.Side, o.State, o.Devices.ToString(), o.DevicesFilled.ToString());
        }
        console.Write(orders);

        var trades = new Table().Title("Trades → leases (price = the resting order's, yuan per SCU-hour)")
            .AddColumns("bid", "offer", "buyer", "provider", "cluster", "class", "devices", "price", "SCU/device", "commitment");
        foreach (var t in r.Trades)
        {
            trades.AddRow(t.Bid, t.Offer, t.Buyer, t.Provider, t.Cluster, t.ResourceClass, t.Devices.ToString(), t.Price, t.ScuPerDevice, t.Commitment);
        }
        console.Write(trades);

        var invoices = new Table().Title("Invoices (amounts include 6 % VAT; yuan)").AddColumns("period", "buyer", "lease", "kind", "amount", "tax", "voucher", "due");
        foreach (var i in r.Invoices)
        {
            foreach (var l in i.Lines)
            {
                invoices.AddRow(i.Period, i.Buyer, $"{l.Bid} × {l.Offer}", l.Late ? $"{l.Kind} (late)" : l.Kind, Yuan(l.AmountFen), Yuan(l.TaxFen),
                    Yuan(l.VoucherFen), Yuan(l.DueFen));
            }
            invoices.AddRow($"[bold]{i.Period}[/]", $"[bold]{i.Buyer} total[/]", "", "", $"[bold]{Yuan(i.AmountFen)}[/]", "", Yuan(i.VoucherFen), $"[bold]{Yuan(i.DueFen)}[/]");
        }
        console.Write(invoices);

        var statements = new Table().Title("Provider and carrier statements (yuan)").AddColumns("period", "party", "gross", "platform fee", "net owed");
        foreach (var p in r.Statements)
        {
            foreach (var s in p.Providers.Concat(p.Carriers))
            {
                statements.AddRow(p.Period, s.Party, Yuan(s.GrossFen), Yuan(s.FeeFen), Yuan(s.NetFen));
            }
            statements.AddRow(p.Period, "[bold]platform:fees[/]", "", $"[bold]{Yuan(p.PlatformFeeFen)}[/]", "");
        }
        console.Write(statements);

        var ledger = new Table().Title("Ledger balances (fen; debit +, credit −)").AddColumns("account", "balance");
        foreach (var (account, fen) in r.Ledger.Balances)
        {
            ledger.AddRow(account, fen.ToString("N0"));
        }
        ledger.AddRow("[bold]trial balance[/]", r.Ledger.TrialBalanceFen == 0 ? "[green]0 ✓[/]" : $"[red]{r.Ledger.TrialBalanceFen}[/]");
        console.Write(ledger);

        if (r.Rejections.Count > 0)
        {
            var rejections = new Table().Title("Rejected actions (recorded as data; nothing changed)").AddColumns("#", "type", "id", "code", "reason");
            foreach (var x in r.Rejections)
            {
                rejections.AddRow(x.Index.ToString(), x.Type, x.Id ?? "", x.Code, Markup.Escape(x.Reason));
            }
            console.Write(rejections);
        }
        console.MarkupLineInterpolated($"Outputs written to [blue]{folder}[/] (orders, trades, invoices, statements, ledger, rejections).");
    }

    private static string Yuan(long fen) => new Fen(fen).ToYuanString();
}
