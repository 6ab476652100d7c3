using System.CommandLine;
using System.Diagnostics;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Platform;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Parties;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// A market with a long history, then a restart: N orders that finish (bid–offer pairs that trade whole) and L orders
/// left resting are sent through the market writer in-process (the same group commit, journal blocks, order and lease
/// documents and snapshots as over HTTP, without the HTTP layer), then a fresh writer restores the latest snapshot and
/// the journal after it. Prints the intake rate, the host's memory, and the restart: time to the restored book and to
/// the first accepted order.
/// </summary>
internal static class RestartBench
{
    public static Command Create()
    {
        var finished = new Option<int>("--finished") { Description = "orders that finish (half offers, half bids; each pair trades whole)", DefaultValueFactory = _ => 2_000_000 };
        var live = new Option<int>("--live") { Description = "orders left resting (bids below every offer)", DefaultValueFactory = _ => 100_000 };
        var inFlight = new Option<int>("--concurrency") { Description = "commands in flight", DefaultValueFactory = _ => 4_000 };
        var keep = new Option<bool>("--keep-schema") { Description = "keep the schema (bench_restart) for inspection" };
        var every = new Option<int>("--snapshot-every") { Description = "journal blocks between snapshots", DefaultValueFactory = _ => new MarketOptions().SnapshotEveryBlocks };
        var restart = new Command("restart", "build a market history of N finished and L live orders through the market writer, then time a restart (snapshot + journal tail) and print the host's memory")
        {
            finished, live, inFlight, keep, every,
        };
        restart.SetAction(async (parse, ct) =>
        {
            await RunAsync(Math.Max(2, parse.GetValue(finished)), Math.Max(0, parse.GetValue(live)), Math.Max(1, parse.GetValue(inFlight)), parse.GetValue(keep), parse.GetValue(every), ct);
            return 0;
        });
        return restart;
    }

    private static async Task RunAsync(int finished, int live, int inFlight, bool keepSchema, int snapshotEvery, CancellationToken ct)
    {
        var connection = await Hosting.ConnectionStringAsync(ct);
        const string schema = "bench_restart";
        await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
        var clock = new SettableClock(Instant.FromUtc(2026, 11, 30, 0, 0));
        await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), clock, s =>
        {
            Hosting.AddMediator(s);
            s.AddSingleton(new MarketOptions { SnapshotEveryBlocks = snapshotEvery });
        });
        await services.InitialiseComputeNetAsync(ct);
        try
        {
            var sender = services.GetRequiredService<ISender>();
            var directory = services.GetRequiredService<PartyDirectory>();
            const int parties = 20;
            var buyers = new Party[parties];
            var providers = new Party[parties];
            for (var i = 0; i < parties; i++)
            {
                await sender.Send(new RegisterPartyRequest($"buyer-{i}", ["buyer"], "shanghai", Sme: true), ct);
                await sender.Send(new RegisterPartyRequest($"prov-{i}", ["provider"]), ct);
                buyers[i] = (await directory.FindAsync($"buyer-{i}", ct))!;
                providers[i] = (await directory.FindAsync($"prov-{i}", ct))!;
            }
            var catalogue = (await services.GetRequiredService<PlatformService>().CurrentAsync(ct)).Catalogue;
            var window = new HourWindow(Instant.FromUtc(2026, 12, 1, 0, 0), Instant.FromUtc(2026, 12, 2, 0, 0));
            var market = services.GetRequiredService<MarketService>();

            // Order n: below `live`, a resting bid at 40.00 (no offer is that cheap); above, offers and bids alternating at
            // 56.00, one device each, so every pair trades whole and both leave the book.
            Task<OrderResult> Send(MarketService writer, int n)
            {
                var now = clock.GetCurrentInstant();
                if (n < live || n % 2 == 0)
                {
                    var buyer = buyers[n % parties];
                    var cmd = new PlaceBid(buyer.Id, $"b{n}", new BidSpec("intelligent", 1, 0, 0, window, "cross-hub", 0, n < live ? 40m : 56m,
                        "on-demand", true, "GTC", null), now);
                    return writer.DecideAsync((book, known) => MatchingEngine.Decide(cmd, book, known, id => id == buyer.Id ? buyer : null, catalogue),
                        buyer.Id, cmd.BidId!, now, ct);
                }
                var provider = providers[n % parties];
                var offer = new PlaceOffer(provider.Id, $"o{n}", new OfferSpec("zhongwei", "ai-fp16-80g", 1, window, 56m), now);
                return writer.DecideAsync((book, known) => MatchingEngine.Decide(offer, book, known, id => id == provider.Id ? provider : null, catalogue),
                    provider.Id, offer.OfferId!, now, ct);
            }

            var total = live + finished;
            var watch = Stopwatch.StartNew();
            var gate = new SemaphoreSlim(inFlight);
            var sent = 0;
            var failures = 0;
            var pending = new List<Task>();
            for (var n = 0; n < total; n++)
            {
                await gate.WaitAsync(ct);
                var number = n + 1;
                pending.Add(Send(market, n).ContinueWith(t =>
                {
                    if (!t.IsCompletedSuccessfully)
                    {
                        Interlocked.Increment(ref failures);
                    }
                    else if (number % 1_000_000 == 0)
                    {
                        // The market's lifetime is not bounded: its millionth, ..., 6,000,000th order is accepted like its first.
                        AnsiConsole.MarkupLineInterpolated(
                            $"  order {number:N0} accepted ({t.Result.Side} {t.Result.OrderId}, {t.Result.State}) at {watch.Elapsed.TotalSeconds:F0} s; managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB");
                    }
                    gate.Release();
                }, TaskScheduler.Default));
                if (++sent % 500_000 == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"  {sent:N0} orders sent, {watch.Elapsed.TotalSeconds:F0} s");
                    pending.RemoveAll(t => t.IsCompleted);
                }
            }
            await Task.WhenAll(pending);
            var seconds = watch.Elapsed.TotalSeconds;
            var (batches, commands) = market.Committed;
            long blocks;
            long documents;
            await using (var session = services.GetRequiredService<IDocumentStore>().QuerySession())
            {
                blocks = (await session.Events.FetchStreamStateAsync(Application.Infrastructure.MartenSetup.Streams.Market, ct))?.Version ?? 0;
                documents = await session.Query<OrderDocument>().CountAsync(ct);
            }
            var liveNow = await market.ReadAsync(book => book.OrdersInMemory, ct);
            AnsiConsole.MarkupLineInterpolated(
                $"history: {total:N0} orders ({finished:N0} finishing, {live:N0} resting; {failures:N0} refused) in {seconds:F1} s = [bold]{total / seconds:N0} orders/s[/] through the writer; {batches:N0} transactions, {blocks:N0} journal blocks, {documents:N0} order documents; {liveNow:N0} orders in memory");
            AnsiConsole.MarkupLineInterpolated($"host memory with the writer's book: {Memory()}");

            // The restart: a fresh writer (as a new process's) restores the latest snapshot, replays the tail, accepts an order.
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var options = services.GetRequiredService<MarketOptions>();
            await using var fresh = new MarketService(services.GetRequiredService<IDocumentStore>(), options);
            watch.Restart();
            var restored = await fresh.ReadAsync(book => book.OrdersInMemory, ct);
            var toBook = watch.Elapsed.TotalSeconds;
            var first = await Send(fresh, total + 1);
            var toFirst = watch.Elapsed.TotalSeconds;
            var rebuild = fresh.LastRebuild;
            AnsiConsole.MarkupLineInterpolated(
                $"restart: {restored:N0} live orders restored {(rebuild.FromSnapshot ? $"from the snapshot at block {rebuild.SnapshotVersion:N0} ({rebuild.SnapshotTook.TotalSeconds:F2} s)" : "without a snapshot")} and {rebuild.BlocksReplayed:N0} journal blocks after it (read {rebuild.TailReadTook.TotalSeconds:F2} s, parse {fresh.ParseTook.TotalSeconds:F2} s) in [bold]{toBook:F2} s[/]; first accepted order ({first.State}) at [bold]{toFirst:F2} s[/]");
            AnsiConsole.MarkupLineInterpolated(
                $"the restored book's memory: {(GC.GetTotalMemory(forceFullCollection: true) - before) / 1048576.0:F0} MiB managed; host now {Memory()}");
        }
        finally
        {
            if (!keepSchema)
            {
                await ComputeNetServices.DropSchemaAsync(connection, schema, CancellationToken.None);
            }
        }
    }

    private static string Memory()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return $"{managed / 1048576.0:F0} MiB managed heap, {process.WorkingSet64 / 1048576.0:F0} MiB working set";
    }
}
