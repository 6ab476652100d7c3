using System.CommandLine;
using System.Diagnostics;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class DemoCommand
{
    public const string DemoSchema = "demo";

    public static Command Create()
    {
        var outDir = new Option<DirectoryInfo>("--out") { Description = "folder for the demo's outputs", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "demo")) };
        var demo = new Command("demo", "run a realistic small market day end to end on the embedded database and print what happened") { outDir };
        demo.SetAction(async (parse, ct) =>
        {
            await using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("Demo.demo-market-day.json")
                ?? throw new InvalidOperationException("the built-in demo scenario is missing from the assembly");
            var json = await new StreamReader(stream).ReadToEndAsync(ct);
            var folder = parse.GetValue(outDir)!.FullName;
            AnsiConsole.MarkupLine("[bold]ComputeNet demo[/] — one market day (2026-12-01, Asia/Shanghai): providers in eastern and western hubs, SME buyers in five cities.");
            AnsiConsole.MarkupLine("Replaying [grey]demo-market-day.json[/] through the application commands against PostgreSQL (schema [grey]demo[/], kept for inspection)…");
            var keyExisted = File.Exists(Application.Audit.FileSigningKey.ResolvePath(null));
            json = DemoDisputes.Splice(json);
            var result = await ScenarioCommand.Run(json, folder, DemoSchema, keepSchema: true, ct);
            Summary.Print(result, folder);
            var disputed = DemoDisputes.Print(result);
            var audited = await DemoAudit.RunAsync(DemoSchema, folder, keyExisted, ct);
            AnsiConsole.MarkupLine("Payments are recorded [bold]offline[/]: after the close the operator records each buyer's bank payment, each issuer's "
                + "reimbursement and each provider's and carrier's bank payout as cash actions, so every party's balance ends at 0 (only "
                + "platform:fees and cash:clearing remain). With Stripe keys configured (ComputeNet__Stripe__SecretKey, …__WebhookSecret) `serve` "
                + "collects invoices by card, Alipay or WeChat Pay and pays out by Connect transfer instead (docs/payments.md).");
            var pdfFolder = Path.Combine(folder, "pdf");
            AnsiConsole.MarkupLine($"[bold]PDF invoices, statements, claims and region statements[/] (also: [grey]computenet documents --schema {DemoSchema} --out DIR[/]):");
            var pdfs = await DocumentsCommand.WriteAsync(await Hosting.ConnectionStringAsync(ct), DemoSchema, null, pdfFolder, ct);
            AnsiConsole.MarkupLineInterpolated($"{pdfs.Count} PDFs in {DocumentsCommand.Shown(pdfFolder)}");
            await PrintJournalAsync(ct);
            await PrintActionsAsync(ct);
            await PrintRestartAsync(ct);
            await DemoPortalReads.PrintAsync(DemoSchema, ct);
            var moneyBack = await DemoMoneyBack.RunAsync(folder, ct);
            var severalHosts = await DemoSeveralHosts.RunAsync(ct);
            PrintEngine();
            return result.Ledger.TrialBalanceFen == 0 && audited && disputed && moneyBack && severalHosts ? 0 : 1;
        });
        return demo;
    }

    /// <summary>How the day's orders were journaled: blocks of the group commit, and the lease documents written with them.</summary>
    private static async Task PrintJournalAsync(CancellationToken ct)
    {
        await using var services = Application.ComputeNetServices.Compose(
            new Application.ComputeNetSettings(await Hosting.ConnectionStringAsync(ct), DemoSchema), null, Hosting.AddMediator);
        var store = services.GetRequiredService<Marten.IDocumentStore>();
        await using var session = store.QuerySession();
        var stored = await session.Events.FetchStreamAsync(Application.Infrastructure.MartenSetup.Streams.Market, token: ct);
        var events = stored.SelectMany(Application.Market.MarketJournal.EventsOf).ToList();
        var leases = await session.Query<Application.Metering.LeaseDocument>().CountAsync(ct);
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Market journal[/]: {events.Count(e => e is OfferListed or BidPlaced)} orders, {events.OfType<TradeExecuted>().Count()} trades and {events.Count(e => e is OrderCancelled or OrderReduced or BidKilled)} cancels, reductions and kills in {stored.Count} journal blocks (one per group commit; a lone client commits each order alone), with {leases} lease documents written in the same transactions.");
    }

    /// <summary>Who did what (issue 13): the action log of the day, as a regulator lists it (GET /v1/actions).</summary>
    private static async Task PrintActionsAsync(CancellationToken ct)
    {
        await using var services = Application.ComputeNetServices.Compose(
            new Application.ComputeNetSettings(await Hosting.ConnectionStringAsync(ct), DemoSchema), null, Hosting.AddMediator);
        var sender = services.GetRequiredService<Mediator.ISender>();
        var all = new List<Application.Actions.ActionView>();
        for (long after = 0; ;)
        {
            var page = await sender.Send(new Application.Actions.ListActions.ListActionsRequest(null, null, after, 1000), ct);
            all.AddRange(page);
            if (page.Count < 1000)
            {
                break;
            }
            after = page[^1].Id;
        }
        var sme = await sender.Send(new Application.Actions.ListActions.ListActionsRequest("sme-sh-ai", "2026-11-30", 0, 1000), ct);
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Who did what[/]: {all.Count} accepted commands logged with the key that sent them ({string.Join(", ", all.GroupBy(a => a.Kind).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"))}); rejections and repeats append nothing and log nothing. A regulator lists them by party or period: GET /v1/actions?party=sme-sh-ai&period=2026-11-30 gives {sme.Count}: {string.Join("; ", sme.Select(a => $"{a.Kind} {a.Target} by {a.ActorParty} (key {a.KeyId})"))}.");
    }

    /// <summary>
    /// A market that runs for years (ADR 0016): a fresh host on the demo schema, as after a restart — what it loads into
    /// memory (the live book only) against what stays answerable from the store through indexes.
    /// </summary>
    private static async Task PrintRestartAsync(CancellationToken ct)
    {
        await using var services = Application.ComputeNetServices.Compose(
            new Application.ComputeNetSettings(await Hosting.ConnectionStringAsync(ct), DemoSchema), null, Hosting.AddMediator);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Application.ComputeNetServices.InitialiseComputeNetAsync(services, ct);
        var market = services.GetRequiredService<Application.Market.MarketService>();
        var live = await market.ReadAsync(book => book.OrdersInMemory, ct);
        var took = watch.Elapsed;
        var exposures = await market.ReadAsync(book => book.Exposures.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).ToList(), ct);
        var store = services.GetRequiredService<Marten.IDocumentStore>();
        var readModels = services.GetRequiredService<Application.Infrastructure.AsyncReadModels>();
        var projectedBefore = await readModels.LowestProgressAsync(ct);
        await readModels.ReadyAsync(ct);
        var projected = await readModels.LowestProgressAsync(ct);
        await using var session = store.QuerySession();
        var orders = await session.Query<Application.Market.OrderDocument>().CountAsync(ct);
        var invoices = await session.Query<Application.Settlement.InvoiceDocument>().CountAsync(ct);
        var usage = (await session.AdvancedSql.QueryAsync<long>($"select count(*) from \"{DemoSchema}\".{Application.Metering.UsageRecordTable.Name}", ct)).Single();
        var rebuild = market.LastRebuild;
        // One stream per aggregate instance (ADR 0017): how many of each kind the day wrote.
        var kinds = await session.AdvancedSql.QueryAsync<string>(
            $"select count(*) || ' ' || split_part(id, ':', 1) from \"{DemoSchema}\".mt_streams where not is_archived group by split_part(id, ':', 1) order by count(*) desc, split_part(id, ':', 1)", ct);
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Streams per aggregate[/] (ADR 0017): {string.Join(", ", kinds)}. Each decision folds only its own aggregate's stream (FetchForWriting through one decider runner); the lists people read are projected by Marten's async daemon, here caught up inline by the fresh host from event {projectedBefore:N0} to {projected:N0} (ADR 0018; under serve the daemon runs hot/cold in the background).");
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Exposure[/] (market-rules §6, ADR 0019): the book keeps what each party's orders and trades can ever be billed at, rebuilt with it after the restart — {exposures.Count} parties, largest {string.Join(", ", exposures.Take(3).Select(e => $"{e.Key} {Documents.Yuan.Format(e.Value)}"))} yuan; an order that would take a party beyond 2^53 − 1 fen (about 90 trillion yuan) is refused invalid when it arrives, so no later invoice, statement or balance of that party can leave the range JSON numbers hold exactly.");
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Restart[/]: a fresh host on schema {DemoSchema} was ready in {took.TotalMilliseconds:N0} ms. It holds in memory only the live book, {live} orders not finished when the journal ends (restored {(rebuild.FromSnapshot && rebuild.SnapshotVersion > 0 ? $"from the snapshot at block {rebuild.SnapshotVersion} and" : "from")} {rebuild.BlocksReplayed} journal blocks); the {orders} order documents, {usage} usage rows and {invoices} invoice documents stay in PostgreSQL, read through indexes — repeats, id reuse, usage checks and every list cost their own work, not the market's age (bench history measures it).");
    }

    /// <summary>
    /// The matching engine at exchange scale: a synthetic stream of one market (the one `replay generate` writes)
    /// through the same engine that served the day above, with its throughput and the book it leaves.
    /// </summary>
    private static void PrintEngine()
    {
        const int count = 200_000;
        var (ops, orders) = SyntheticStreams.Plain(count, seed: 7);
        new OrderReplay(orders, count).Run(ops); // warm-up: the JIT compiles the engine
        var replay = new OrderReplay(orders, count);
        var sw = Stopwatch.StartNew();
        replay.Run(ops);
        var seconds = sw.Elapsed.TotalSeconds;
        var c = replay.Counts;
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine("[bold]Matching engine at scale[/] — a synthetic exchange-like stream of one market (85 % limit orders near the touch, 10 % cancels, IOC/FOK bids):");
        AnsiConsole.MarkupLineInterpolated(
            $"  {c.Ops:N0} operations in {seconds * 1000:F0} ms ([bold]{c.Ops / seconds:N0} orders/s[/] in this build; `bench engine` in Release): {c.Trades:N0} trades, {c.Cancelled:N0} cancels, {replay.Resting:N0} orders resting.");
        var table = new Table().Border(TableBorder.Simple).Title("book at the end: yuan/SCU-hour ×orders devices");
        table.AddColumn("bids");
        table.AddColumn("offers");
        var bids = replay.Depth(OrderSide.Bid, 5);
        var offers = replay.Depth(OrderSide.Offer, 5);
        string Level(IReadOnlyList<DepthLevel> side, int i) =>
            i < side.Count ? $"{PriceTicks.ToYuan(side[i].PriceTicks):0.00}  ×{side[i].Orders,3}  {side[i].Devices,6:N0}" : "";
        for (var i = 0; i < 5; i++)
        {
            table.AddRow(Level(bids, i), Level(offers, i));
        }
        AnsiConsole.Write(table);
        var multi = SyntheticStreams.MultiAttribute(count, seed: 7);
        var fills = new List<Fill>();
        SyntheticStreams.Run(multi, new MatchingCore(), fills); // warm-up
        sw.Restart();
        var multiTrades = SyntheticStreams.Run(multi, new MatchingCore(), fills);
        seconds = sw.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated(
            $"  A multi-attribute stream (3 families, 10 clusters, 20 cities, 6 classes, mixed windows and latency tiers): {count:N0} operations in {seconds * 1000:F0} ms ([bold]{count / seconds:N0} orders/s[/]), {multiTrades:N0} trades.");
        AnsiConsole.MarkupLine("  Replay any stream with [grey]computenet replay --orders FILE --trades OUT[/]; over HTTP the same engine sits behind group commit ([grey]computenet bench orders --wrk 20[/]).");
    }
}
