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

        var statements = new Table().Title("Provider and carrier statements, voucher issuers' claims (yuan)").AddColumns("period", "party", "gross", "platform fee", "net owed");
        foreach (var p in r.Statements)
        {
            foreach (var s in p.Providers.Concat(p.Carriers))
            {
                statements.AddRow(p.Period, s.Party, Yuan(s.GrossFen), Yuan(s.FeeFen), Yuan(s.NetFen));
            }
            statements.AddRow(p.Period, "[bold]platform:fees[/]", "", $"[bold]{Yuan(p.PlatformFeeFen)}[/]", "");
            foreach (var i in p.Issuers)
            {
                statements.AddRow(p.Period, $"{i.Party} (voucher claim)", $"redeemed {Yuan(i.RedeemedFen)}", string.Join(", ", i.Programmes.Select(x => $"{x.Key} {Yuan(x.Value)}")),
                    i.LapsedFen == 0 ? "" : $"lapsed {Yuan(i.LapsedFen)}");
            }
        }
        console.Write(statements);

        var ledger = new Table().Title("Ledger balances (fen; debit +, credit −)").AddColumns("account", "balance");
        foreach (var (account, fen) in r.Ledger.Balances)
        {
            ledger.AddRow(account, fen.ToString("N0"));
        }
        ledger.AddRow("[bold]trial balance[/]", r.Ledger.TrialBalanceFen == 0 ? "[green]0 ✓[/]" : $"[red]{r.Ledger.TrialBalanceFen}[/]");
        console.Write(ledger);
        var v = r.Verification;
        console.MarkupLine((v.Ok ? "[green]Regulator verification passed[/]" : "[red]Regulator verification FAILED[/]") + Markup.Escape(
            $": {v.Statements} statements hash-chained (RFC 8785 + SHA-256), {v.Transactions} ledger transactions under Merkle roots "
            + string.Join(", ", v.PeriodResults.Select(p => $"{p.Period} {p.MerkleRoot?[..16]}…"))
            + (v.Checkpoints is { } c ? $"; {c.Checkpoints} signed checkpoint(s) {(c.Ok ? "match" : "DO NOT match")}" : "")));
        foreach (var failure in v.Failures)
        {
            console.MarkupLine("[red]" + Markup.Escape(failure) + "[/]");
        }

        foreach (var report in r.Reports)
        {
            PrintReport(report);
        }

        if (r.Rejections.Count > 0)
        {
            var rejections = new Table().Title("Rejected actions (recorded as data; nothing changed)").AddColumns("#", "type", "id", "code", "reason");
            foreach (var x in r.Rejections)
            {
                rejections.AddRow(x.Index.ToString(), x.Type, x.Id ?? "", x.Code, Markup.Escape(x.Reason));
            }
            console.Write(rejections);
        }
        if (r.Focus is { } focus)
        {
            console.MarkupLineInterpolated($"FinOps FOCUS 1.2 export: {focus.Rows.Count} rows ({r.Invoices.Sum(i => i.Lines.Count)} invoice lines, {focus.Rows.Count(x => x.VoucherFen != 0)} voucher parts as Credit rows), billed (payable by the buyers) {Yuan(focus.Rows.Sum(x => x.BilledCostFen))} yuan CNY → [blue]{Path.Combine(folder, ScenarioResult.FocusFile)}[/]");
        }
        console.MarkupLineInterpolated($"Outputs written to [blue]{folder}[/] (orders, trades, invoices, statements, ledger, rejections, reports, verify .json; focus.csv).");
    }

    public static void PrintReport(Domain.Reports.MeteringReport report)
    {
            var delivery = new Table().Title($"Unified metering, {report.Period}: delivery, green power and utilisation (leased ÷ offered device-hours)")
                .AddColumns("hub / cluster", "SCU-hours", "energy kWh", "green share", "offered dev-h", "leased dev-h", "utilisation", "SCU-weighted");
            foreach (var hub in report.Hubs.Where(h => h.OfferedDeviceHours > 0 || h.ScuHours > 0))
            {
                delivery.AddRow($"[bold]{Markup.Escape(hub.Name)}[/]", hub.ScuHours.ToString("0.###"), hub.EnergyKwh.ToString("0.#"), Percent(hub.GreenShare),
                    hub.OfferedDeviceHours.ToString("N0"), hub.LeasedDeviceHours.ToString("N0"), Percent(hub.Utilisation), Percent(hub.ScuUtilisation));
                foreach (var c in report.Clusters.Where(c => (c.OfferedDeviceHours > 0 || c.ScuHours > 0) && HubOf(c) == hub.Id))
                {
                    delivery.AddRow($"  {Markup.Escape(c.Name)}", c.ScuHours.ToString("0.###"), c.EnergyKwh.ToString("0.#"), Percent(c.GreenShare),
                        c.OfferedDeviceHours.ToString("N0"), c.LeasedDeviceHours.ToString("N0"), Percent(c.Utilisation), Percent(c.ScuUtilisation));
                }
            }
            var p = report.Platform;
            delivery.AddRow("[bold]platform-wide[/]", p.ScuHours.ToString("0.###"), p.EnergyKwh.ToString("0.#"), Percent(p.GreenShare),
                p.OfferedDeviceHours.ToString("N0"), p.LeasedDeviceHours.ToString("N0"), Percent(p.Utilisation), $"[bold]{Percent(p.ScuUtilisation)}[/]");
            AnsiConsole.Write(delivery);
            AnsiConsole.MarkupLine("A hub is above the national yardstick when its SCU-weighted utilisation exceeds the platform-wide figure (bold).");
            AnsiConsole.MarkupLineInterpolated($"East→west flow (东数西算): {report.EastToWestScuHours:0.###} SCU-hours bought in western resource hubs by eastern buyers = {Percent(report.EastToWestShare)} of all delivered.");
            }

    private static string Percent(decimal? share) => share is { } s ? $"{s * 100:0.0} %" : "—";

    private static string HubOf(Domain.Reports.DeliveryFigures cluster) => HubByCluster.GetValueOrDefault(cluster.Id, "");

    private static readonly IReadOnlyDictionary<string, string> HubByCluster =
        Application.ReferenceData.ReferenceDataLoader.Default.Clusters.ToDictionary(c => c.Id, c => c.HubId);

    private static string Yuan(long fen) => new Fen(fen).ToYuanString();
}
