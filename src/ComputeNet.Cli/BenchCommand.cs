using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComputeNet.Api;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Benchmarks;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Settlement.ClosePeriod;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// Benchmarks run against the real stack: the API host on loopback (real Kestrel, real PostgreSQL, a fresh schema
/// dropped afterwards) with the load generator in this process. The host runs on a settable clock so that leases
/// can be traded for a future window and their usage reported after it — no waiting.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var records = new Option<int>("--records") { Description = "usage records to send", DefaultValueFactory = _ => 200_000 };
        var batch = new Option<int>("--batch") { Description = "records per request (≤ 10,000)", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "requests in flight (one provider each)", DefaultValueFactory = _ => 2 };
        var usage = new Command("usage", "durable usage ingestion through POST /v1/usage/batch: records/s and request latency") { records, batch, concurrency };
        usage.SetAction(async (parse, ct) =>
        {
            await RunUsageAsync(parse.GetValue(records), Math.Clamp(parse.GetValue(batch), 1, 10_000), Math.Max(1, parse.GetValue(concurrency)), ct);
            return 0;
        });
        var ops = new Option<int>("--ops") { Description = "operations per stream", DefaultValueFactory = _ => 1_000_000 };
        var engine = new Command("engine", "the matching engine alone on a plain and a multi-attribute synthetic stream: ops/s and bytes allocated per op (best of 3)") { ops };
        engine.SetAction(parse =>
        {
            RunEngine(Math.Max(1_000, parse.GetValue(ops)));
            return 0;
        });
        var sizes = new Option<int[]>("--records") { Description = "usage records per generated period; repeat for several runs", DefaultValueFactory = _ => [100_000, 300_000, 1_000_000], AllowMultipleArgumentsPerToken = true };
        var leases = new Option<int>("--leases") { Description = "leases the records are spread over", DefaultValueFactory = _ => 10_000 };
        var keep = new Option<bool>("--keep-schema") { Description = "keep each run's schema (bench_close_<records>) for inspection" };
        var close = new Command("close", "generate a period of N usage records over M leases in bulk, close it, print generate and close times (after a small warm-up run)") { sizes, leases, keep };
        close.SetAction(async (parse, ct) =>
        {
            await RunCloseAsync(parse.GetValue(sizes)!, parse.GetValue(leases), parse.GetValue(keep), ct);
            return 0;
        });
        var orderCount = new Option<int>("--orders") { Description = "orders to send", DefaultValueFactory = _ => 50_000 };
        var clients = new Option<int>("--concurrency") { Description = "requests in flight", DefaultValueFactory = _ => 64 };
        var direct = new Option<bool>("--direct") { Description = "send the same commands in-process through the application (no HTTP), to split the HTTP layer's cost from the intake's" };
        var wrk = new Option<int>("--wrk") { Description = "instead of the in-process client, load the host for this many seconds with wrk (Debian package wrk) and tests/ComputeNet.Benchmarks/wrk/orders.lua" };
        var warmUp = new Option<int>("--warmup") { Description = "seconds of wrk load before the measured run (the JIT recompiles the hot path for about 30–45 s after start on 2 cores)", DefaultValueFactory = _ => 30 };
        var noCluster = new Option<bool>("--no-cluster") { Description = "serve with ComputeNet:Cluster:Enabled=false (no market lease: the intake as before ADR 0030), to compare" };
        var throughPeer = new Option<bool>("--through-peer") { Description = "start a second host on the same schema and send every order to it: it forwards them to the owner over HTTP (ADR 0030)" };
        var orders = new Command("orders", "durable order intake over HTTP (POST /v1/bids and /v1/offers, group commit): orders/s and latency percentiles")
        {
            orderCount, clients, direct, wrk, warmUp, noCluster, throughPeer,
        };
        orders.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(noCluster) && parse.GetValue(throughPeer))
            {
                Console.Error.WriteLine("--through-peer needs the cluster: leave out --no-cluster");
                return 2;
            }
            await RunOrdersAsync(Math.Max(100, parse.GetValue(orderCount)), Math.Max(1, parse.GetValue(clients)), parse.GetValue(direct), parse.GetValue(wrk),
                Math.Max(0, parse.GetValue(warmUp)), parse.GetValue(noCluster), parse.GetValue(throughPeer), ct);
            return 0;
        });
        var bench = new Command("bench", "measure the platform's throughput targets (prints its figures)");
        bench.Subcommands.Add(orders);
        bench.Subcommands.Add(usage);
        bench.Subcommands.Add(engine);
        bench.Subcommands.Add(close);
        bench.Subcommands.Add(FloodBench.Create());
        bench.Subcommands.Add(ClosesBench.Create());
        bench.Subcommands.Add(VerifyBench.Create());
        bench.Subcommands.Add(HistoryBench.Create());
        bench.Subcommands.Add(RestartBench.Create());
        bench.Subcommands.Add(AggregatesBench.Create());
        bench.Subcommands.Add(ClusterBench.Create());
        return bench;
    }

    private static readonly JsonSerializerOptions Json = ApiHost.JsonOptions;

    private static void RunEngine(int count)
    {
        var (plain, orders) = Domain.Market.Engine.SyntheticStreams.Plain(count, seed: 1);
        var multi = Domain.Market.Engine.SyntheticStreams.MultiAttribute(count, seed: 1);
        var fills = new List<Domain.Market.Engine.Fill>(1_000);
        Measure("plain stream (one market)", count, () =>
        {
            var replay = new Domain.Market.Engine.OrderReplay(orders, count);
            return () =>
            {
                replay.Run(plain);
                return replay.Counts.Trades;
            };
        });
        Measure("multi-attribute stream (3 families, 10 clusters, 20 cities, 6 classes)", count, () =>
        {
            var core = new Domain.Market.Engine.MatchingCore();
            return () => Domain.Market.Engine.SyntheticStreams.Run(multi, core, fills);
        });

        // The trades themselves, from one more run of each stream (not timed): any change to the engine must leave these hashes alone.
        var plainReplay = new Domain.Market.Engine.OrderReplay(orders, count);
        plainReplay.Run(plain);
        var multiHash = new MultiTradeHash();
        var multiCore = new Domain.Market.Engine.MatchingCore();
        var multiTrades = Domain.Market.Engine.SyntheticStreams.Run(multi, multiCore, fills, multiHash);
        AnsiConsole.MarkupLineInterpolated(
            $"trade hashes (SHA-256): plain {Domain.Market.Engine.OrderReplay.TradeHash(plainReplay.Trades)} ({plainReplay.Counts.Trades:N0} trades, {plainReplay.Resting:N0} resting), multi-attribute {multiHash.Finish()} ({multiTrades:N0} trades, {multiCore.LiveOrders:N0} resting)");
    }

    /// <summary>SHA-256 over every fill of a multi-attribute run in order: op, resting tag, devices, price ticks, latency.</summary>
    private sealed class MultiTradeHash : Domain.Market.Engine.SyntheticStreams.IFillObserver
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _buffer = new byte[36];

        public void Filled(int op, List<Domain.Market.Engine.Fill> fills)
        {
            foreach (var f in fills)
            {
                BitConverter.TryWriteBytes(_buffer, op);
                BitConverter.TryWriteBytes(_buffer.AsSpan(4), f.Tag);
                BitConverter.TryWriteBytes(_buffer.AsSpan(8), f.Devices);
                BitConverter.TryWriteBytes(_buffer.AsSpan(12), f.PriceTicks);
                decimal.GetBits(f.LatencyMs, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(_buffer.AsSpan(20, 16)));
                _sha.AppendData(_buffer);
            }
        }

        public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());
    }

    /// <summary>Best of 3 runs, each on a fresh engine prepared outside the timing.</summary>
    private static void Measure(string name, int count, Func<Func<int>> prepare)
    {
        var best = double.MaxValue;
        var trades = 0;
        long bytes = 0;
        for (var run = 0; run < 3; run++)
        {
            var go = prepare();
            GC.Collect();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            trades = go();
            var seconds = sw.Elapsed.TotalSeconds;
            if (seconds < best)
            {
                (best, bytes) = (seconds, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
        AnsiConsole.MarkupLineInterpolated(
            $"{name}: {count:N0} ops, {trades:N0} trades, best {best:F3} s = [bold]{count / best:N0} ops/s[/], {bytes / (double)count:F1} bytes allocated per op (book growth included)");
    }

    private const int WarmUpOrders = 5_000;

    /// <summary>
    /// Sends <paramref name="total"/> orders from <paramref name="concurrency"/> concurrent clients (20 buyers and
    /// 20 providers, bids and offers alternating, prices around the touch so about half trade), each order its own
    /// request with its own id; every answer is durable (group commit). Prints throughput and latency percentiles.
    /// With <paramref name="wrkSeconds"/>, wrk is the load instead (see <see cref="RunWrkAsync"/>).
    /// </summary>

    private static async Task RunOrdersAsync(int total, int concurrency, bool direct, int wrkSeconds, int warmUpSeconds, bool noCluster, bool throughPeer,
        CancellationToken ct)
    {
        await using var host = await BenchHost.StartAsync("bench_orders", Instant.FromUtc(2026, 11, 30, 0, 0), ct,
            noCluster ? ["--ComputeNet:Cluster:Enabled=false"] : []);
        var (app, operatorKey) = (host.App, host.OperatorKey);
        var baseAddress = new Uri(app.Urls.First());
        await using var peer = throughPeer ? await host.StartPeerAsync(ct) : null;
        if (!noCluster)
        {
            // The first host takes the market's lease and fences the journal before it answers orders.
            var lease = app.Services.GetRequiredService<ComputeNet.Application.Cluster.MarketLease>();
            var waiting = Stopwatch.StartNew();
            while (!lease.MayWrite && waiting.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20, ct);
            }
            AnsiConsole.MarkupLineInterpolated($"market owner: host {lease.HostId} (epoch {lease.Epoch}){(peer is null ? "" : $"; orders go to {peer.App.Urls.First()}, which forwards them")}");
        }
        if (peer is not null)
        {
            baseAddress = new Uri(peer.App.Urls.First());
        }
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency };
        HttpClient Client(string key) => new(handler, disposeHandler: false)
        {
            BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) }, Timeout = TimeSpan.FromMinutes(2),
        };
        var op = Client(operatorKey);
        var buyers = new List<HttpClient>();
        var providers = new List<HttpClient>();
        var keys = new List<(string Buyer, string Provider)>();
        for (var i = 0; i < 20; i++)
        {
            keys.Add((await RegisterAsync(op, new { id = $"bench-buyer-{i}", roles = new[] { "buyer" }, city = "shanghai", sme = true }, ct),
                await RegisterAsync(op, new { id = $"bench-prov-{i}", roles = new[] { "provider" } }, ct)));
            buyers.Add(Client(keys[^1].Buyer));
            providers.Add(Client(keys[^1].Provider));
        }
        // Order n, defined once: even n a bid, odd n an offer, prices around the touch so about half trade. HTTP sends it
        // as a JSON body with its length (as a real client would), not chunked; --direct sends the same command through
        // the application's mediator, without HTTP.
        var from = Instant.FromUtc(2026, 12, 1, 0, 0);
        var to = Instant.FromUtc(2026, 12, 2, 0, 0);
        PlaceBidRequest BidOf(int n, int key) => new($"bench-buyer-{key % 20}", $"b{n}", "intelligent", 1 + n % 8, 0, 0, from, to, "cross-hub", 0,
            55 + n % 7 * 0.5m, "on-demand", true, n % 20 == 0 ? "IOC" : "GTC");
        PlaceOfferRequest OfferOf(int n, int key) => new($"bench-prov-{key % 20}", $"o{n}", "zhongwei", "ai-fp16-80g", 1 + n % 8, from, to,
            56 + n % 7 * 0.5m);
        static string Yuan(decimal price) => price.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        object BidBody(PlaceBidRequest b) => new
        {
            id = b.BidId, family = b.Family, devices = b.Devices, minScuPerDevice = "0", minMemoryGb = b.MinMemoryGb, from = b.From.ToDateTimeOffset(),
            to = b.To.ToDateTimeOffset(), tier = b.Tier, minGreen = "0", price = Yuan(b.Price), commitment = b.Commitment, split = b.Split, tif = b.Tif,
        };
        object OfferBody(PlaceOfferRequest o) => new
        {
            id = o.OfferId, cluster = o.Cluster, resourceClass = o.ResourceClass, devices = o.Devices, from = o.From.ToDateTimeOffset(),
            to = o.To.ToDateTimeOffset(), price = Yuan(o.Price),
        };
        var sender = app.Services.GetRequiredService<ISender>();
        async Task<HttpResponseMessage> SendDirect(int n, int key)
        {
            _ = n % 2 == 0 ? await sender.Send(BidOf(n, key), ct) : await sender.Send(OfferOf(n, key), ct);
            return new HttpResponseMessage(System.Net.HttpStatusCode.Created);
        }
        Task<HttpResponseMessage> Send(int n, int key) => direct
            ? SendDirect(n, key)
            : n % 2 == 0
                ? buyers[key % 20].PostAsync("/v1/bids", JsonBody(BidBody(BidOf(n, key))), ct)
                : providers[key % 20].PostAsync("/v1/offers", JsonBody(OfferBody(OfferOf(n, key))), ct);

        // Warm-up (not counted): connections, the book's first catch-up, and the JIT's tier-1 recompilation of the hot path,
        // which runs for seconds on 2 cores — a long-running host's steady state is what is measured.
        var warm = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref warm)) < WarmUpOrders)
            {
                await Ensure(Send(1_000_000_000 + n, n / 2));
            }
        }));
        if (wrkSeconds > 0 && warmUpSeconds > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"warming up for {warmUpSeconds} s (not measured) …");
            await RunWrkAsync(baseAddress, keys.Select(k => k.Buyer), keys.Select(k => k.Provider), concurrency, warmUpSeconds, "warm", quiet: true, ct);
        }
        var market = app.Services.GetRequiredService<ComputeNet.Application.Market.MarketService>();
        var (batchesBefore, commandsBefore) = market.Committed;
        var timeBefore = market.WriterTime;
        if (wrkSeconds > 0)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            await RunWrkAsync(baseAddress, keys.Select(k => k.Buyer), keys.Select(k => k.Provider), concurrency, wrkSeconds, "run", quiet: false, ct);
            PrintWriter(market, batchesBefore, commandsBefore, timeBefore, wrkSeconds);
            AnsiConsole.MarkupLineInterpolated(
                $"host CPU: {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / wrkSeconds * 100:F0} % of one core ({Environment.ProcessorCount} cores; PostgreSQL and wrk not included)");
            await PrintRebuildAsync(host, ct);
            return;
        }
        var latencies = new double[total];
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < total)
            {
                var started = Stopwatch.GetTimestamp();
                await Ensure(Send(n, n / 2));
                latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var seconds = sw.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(total - 1, (int)(q * total))];
        AnsiConsole.MarkupLineInterpolated(
            $"orders{(direct ? " (in-process, no HTTP)" : "")}: {total:N0} in {seconds:F2} s = [bold]{total / seconds:N0} orders/s[/] durable, {concurrency} in flight; latency ms p50 {P(0.50):F1}, p90 {P(0.90):F1}, [bold]p99 {P(0.99):F1}[/], max {latencies[^1]:F1}");
        PrintWriter(market, batchesBefore, commandsBefore, timeBefore, seconds);
        await PrintRebuildAsync(host, ct);
    }

    /// <summary>What a restart costs: a fresh writer restores the latest snapshot and replays the journal after it before its first answer.</summary>
    private static async Task PrintRebuildAsync(BenchHost host, CancellationToken ct)
    {
        var store = host.App.Services.GetRequiredService<IDocumentStore>();
        long blocks;
        await using (var session = store.QuerySession())
        {
            blocks = (await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Market, ct))?.Version ?? 0;
        }
        await using var fresh = new ComputeNet.Application.Market.MarketService(store);
        var watch = Stopwatch.StartNew();
        var live = await fresh.ReadAsync(book => book.OrdersInMemory, ct);
        var rebuild = fresh.LastRebuild;
        AnsiConsole.MarkupLineInterpolated(
            $"restart: a fresh writer rebuilt the live book ({live:N0} live orders) {(rebuild.FromSnapshot ? $"from the snapshot at block {rebuild.SnapshotVersion:N0} ({rebuild.SnapshotTook.TotalSeconds:F2} s) and" : "from")} {rebuild.BlocksReplayed:N0} journal blocks (of {blocks:N0}) in {watch.Elapsed.TotalSeconds:F2} s");
    }

    private static void PrintWriter(ComputeNet.Application.Market.MarketService market, long batchesBefore, long commandsBefore,
        (TimeSpan CatchUp, TimeSpan Decide, TimeSpan Commit) timeBefore, double seconds)
    {
        var (batches, commands) = market.Committed;
        var time = market.WriterTime;
        AnsiConsole.MarkupLineInterpolated(
            $"group commit: {batches - batchesBefore:N0} transactions for {commands - commandsBefore:N0} commands ({(commands - commandsBefore) / (double)Math.Max(1, batches - batchesBefore):F1} per transaction)");
        var perBatch = Math.Max(1, batches - batchesBefore);
        AnsiConsole.MarkupLineInterpolated(
            $"writer, per transaction: catch-up {(time.CatchUp - timeBefore.CatchUp).TotalMilliseconds / perBatch:F2} ms, decide and apply {(time.Decide - timeBefore.Decide).TotalMilliseconds / perBatch:F2} ms, commit {(time.Commit - timeBefore.Commit).TotalMilliseconds / perBatch:F2} ms; busy {((time.CatchUp + time.Decide + time.Commit) - (timeBefore.CatchUp + timeBefore.Decide + timeBefore.Commit)).TotalSeconds / seconds * 100:F0} % of the run");
    }

    /// <summary>
    /// Runs wrk (an external C load generator, so the client costs the host little CPU) with the repository's Lua script
    /// of alternating bids and offers, each with a new id, the keys taken in turn (20 buyers and 20 providers, as the
    /// in-process client: each key stays far below the per-key rate limit); prints wrk's own report.
    /// </summary>
    internal static Task RunWrkAsync(Uri baseAddress, IEnumerable<string> buyerKeys, IEnumerable<string> providerKeys, int connections, int seconds,
        string run, bool quiet, CancellationToken ct) =>
        RunWrkScriptAsync(baseAddress, "orders.lua", connections, seconds, quiet,
            new Dictionary<string, string> { ["BUYER_KEYS"] = string.Join(',', buyerKeys), ["PROVIDER_KEYS"] = string.Join(',', providerKeys), ["RUN"] = run }, ct);

    /// <summary>Runs wrk with a script of tests/ComputeNet.Benchmarks/wrk/ and returns its report (printed unless <paramref name="quiet"/>).</summary>
    internal static async Task<string> RunWrkScriptAsync(Uri baseAddress, string scriptName, int connections, int seconds, bool quiet,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var script = Path.Combine(ComputeNet.Application.Database.EmbeddedPostgres.FindCheckoutRoot(Directory.GetCurrentDirectory()),
            "tests", "ComputeNet.Benchmarks", "wrk", scriptName);
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"tests/ComputeNet.Benchmarks/wrk/{scriptName} not found: run from the repository");
        }
        var start = new ProcessStartInfo("wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, baseAddress.ToString().TrimEnd('/')])
        {
            RedirectStandardOutput = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        Process wrk;
        try
        {
            wrk = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("wrk is not installed (apt-get install wrk)", e);
        }
        var output = await wrk.StandardOutput.ReadToEndAsync(ct);
        await wrk.WaitForExitAsync(ct);
        if (!quiet)
        {
            AnsiConsole.WriteLine(output.TrimEnd());
        }
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}");
        }
        return output;
    }

    private static ByteArrayContent JsonBody(object body) =>
        new(JsonSerializer.SerializeToUtf8Bytes(body, Json)) { Headers = { ContentType = new("application/json") } };

    private static async Task RunUsageAsync(int totalRecords, int batchSize, int concurrency, CancellationToken ct)
    {
        await using var host = await BenchHost.StartAsync("bench_usage", Instant.FromUtc(2026, 11, 30, 0, 0), ct);
        var (app, operatorKey, clock) = (host.App, host.OperatorKey, host.Clock);
        var baseAddress = new Uri(app.Urls.First());
        HttpClient Client(string key) => new() { BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) }, Timeout = TimeSpan.FromMinutes(5) };
        var op = Client(operatorKey);

        // Set-up: one buyer, one provider per concurrent stream, 25 leases each over one day.
        var buyerKey = await RegisterAsync(op, new { id = "bench-buyer", roles = new[] { "buyer" }, city = "shanghai", sme = true }, ct);
        var buyer = Client(buyerKey);
        var from = Instant.FromUtc(2026, 12, 1, 0, 0);
        var to = from + Duration.FromDays(1);
        var providers = new List<(HttpClient Client, List<string> Leases)>();
        for (var p = 0; p < concurrency; p++)
        {
            var key = await RegisterAsync(op, new { id = $"bench-prov-{p}", roles = new[] { "provider" } }, ct);
            var provider = Client(key);
            await Ensure(provider.PostAsJsonAsync("/v1/offers", new { id = "of", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 1000,
                from = from.ToDateTimeOffset(), to = to.ToDateTimeOffset(), price = (60 - p).ToString() }, Json, ct));
            var leases = new List<string>();
            for (var l = 0; l < 25; l++)
            {
                var placed = await Ensure(buyer.PostAsJsonAsync("/v1/bids", new { id = $"b-{p}-{l}", family = "intelligent", devices = 1,
                    minScuPerDevice = "0.1", minMemoryGb = 40, from = from.ToDateTimeOffset(), to = to.ToDateTimeOffset(), tier = "cross-hub",
                    minGreen = "0", price = (60 - p).ToString(), commitment = "on-demand", split = true, tif = "GTC" }, Json, ct));
                leases.Add(JsonNode.Parse(await placed.Content.ReadAsStringAsync(ct))!["leases"]![0]!.GetValue<string>());
            }
            providers.Add((provider, leases));
        }
        clock.Set(to + Duration.FromHours(1));

        // The load: bodies serialised up front, so the timing covers HTTP, validation and the durable append only.
        var perProvider = totalRecords / concurrency;
        var bodies = providers.Select((p, pi) => Enumerable.Range(0, (perProvider + batchSize - 1) / batchSize).Select(b =>
        {
            var lines = Enumerable.Range(b * batchSize, Math.Min(batchSize, perProvider - b * batchSize)).Select(i =>
            {
                var lease = p.Leases[i % p.Leases.Count];
                var slot = i / p.Leases.Count;
                var seconds = 86_400 / (perProvider / p.Leases.Count + 1);
                var f = from + Duration.FromSeconds((long)slot * seconds);
                return new { id = $"r{pi}-{i}", lease, from = f.ToDateTimeOffset(), to = (f + Duration.FromSeconds(seconds)).ToDateTimeOffset(),
                    deviceSeconds = seconds, energyKwh = "0.5", greenKwh = "0.4", transferGb = "0" };
            }).ToArray();
            return new StringContent(JsonSerializer.Serialize(new { records = lines }, Json), Encoding.UTF8, "application/json");
        }).ToList()).ToList();

        var latencies = new List<double>();
        var stored = 0;
        string? firstRejection = null;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(providers.Select(async (p, pi) =>
        {
            foreach (var body in bodies[pi])
            {
                var t0 = Stopwatch.GetTimestamp();
                var response = await Ensure(p.Client.PostAsync("/v1/usage/batch", body, ct));
                var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                var result = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                    stored += result["stored"]!.GetValue<int>();
                    if (result["rejected"]!.GetValue<int>() > 0 && firstRejection is null)
                    {
                        firstRejection = result["records"]!.AsArray().First(r => r!["status"]!.GetValue<string>() == "rejected")!.ToJsonString();
                    }
                }
            }
        }));
        watch.Stop();
        latencies.Sort();
        var rate = stored / watch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated($"[bold]usage ingestion[/]: {stored:N0} records stored in {watch.Elapsed.TotalSeconds:0.00} s = [bold]{rate:N0} records/s[/] durable");
        AnsiConsole.MarkupLineInterpolated($"  {latencies.Count} requests of {batchSize:N0} records, {concurrency} in flight; latency p50 {latencies[latencies.Count / 2]:0} ms, max {latencies[^1]:0} ms");
        if (stored != perProvider * concurrency)
        {
            throw new InvalidOperationException($"expected {perProvider * concurrency} records stored, got {stored}; first refused: {firstRejection}");
        }
        Console.WriteLine(JsonSerializer.Serialize(new { bench = "usage", records = stored, seconds = Math.Round(watch.Elapsed.TotalSeconds, 3), records_per_s = Math.Round(rate) }));
    }

    /// <summary>Another API host on a benchmark's schema.</summary>
    internal sealed record PeerHost(WebApplication App) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync(CancellationToken.None);
            await App.DisposeAsync();
        }
    }

    /// <summary>
    /// The API host on loopback for an HTTP benchmark: a fresh schema, a settable clock, a generated operator key,
    /// warnings-only logging; disposing it stops the host and drops the schema.
    /// </summary>
    internal sealed record BenchHost(WebApplication App, string Connection, string Schema, string OperatorKey, SettableClock Clock) : IAsyncDisposable
    {
        /// <param name="args">More configuration switches for the host (e.g. --ComputeNet:RateLimits:Enabled=false).</param>
        public static async Task<BenchHost> StartAsync(string schemaPrefix, Instant start, CancellationToken ct, params string[] args)
        {
            var connection = await Hosting.ConnectionStringAsync(ct);
            var schema = $"{schemaPrefix}_{Guid.NewGuid():N}"[..(schemaPrefix.Length + 13)];
            var clock = new SettableClock(start);
            var operatorKey = ApiKeys.New().Key;
            var app = await ApiHost.BuildAsync(new ApiHostOptions
            {
                Urls = "http://127.0.0.1:0", ConnectionString = connection, Schema = schema, OperatorKey = operatorKey, Clock = clock,
                Environment = "Production", Args = ["--Logging:LogLevel:Default=Warning", .. args],
            }, ct);
            await app.StartAsync(ct);
            return new BenchHost(app, connection, schema, operatorKey, clock);
        }

        /// <summary>A second host on this schema (a cluster of two, ADR 0030); disposing it stops it gracefully and drops no schema.</summary>
        public async Task<PeerHost> StartPeerAsync(CancellationToken ct)
        {
            var peer = await ApiHost.BuildAsync(new ApiHostOptions
            {
                Urls = "http://127.0.0.1:0", ConnectionString = Connection, Schema = Schema, OperatorKey = OperatorKey, Clock = Clock,
                Environment = "Production", Args = ["--Logging:LogLevel:Default=Warning"],
            }, ct);
            await peer.StartAsync(ct);
            return new PeerHost(peer);
        }

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync(CancellationToken.None);
            await App.DisposeAsync();
            await ComputeNetServices.DropSchemaAsync(Connection, Schema, CancellationToken.None);
        }
    }

    private static async Task RunCloseAsync(IReadOnlyList<int> sizes, int leases, bool keepSchema, CancellationToken ct)
    {
        var connection = await Hosting.ConnectionStringAsync(ct);
        var rows = new List<(int Records, double Generate, double Close, int Lines, int Transactions)>();
        // A small warm-up run first: the first close in a process pays JIT and Marten's runtime code generation (seconds on
        // 2 cores), which would otherwise be charged to the first size and hide how the close grows with the record count.
        foreach (var (records, run) in sizes.Prepend(1_000).Select((r, i) => (r, i)))
        {
            var leaseCount = run == 0 ? 100 : leases;
            var schema = run == 0 ? "bench_close_warmup" : $"bench_close_{records}";
            await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
            var clock = new SettableClock(LargePeriodSpec.RecordedAt);
            var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), clock, Hosting.AddMediator);
            await services.InitialiseComputeNetAsync(ct);
            try
            {
                var sender = services.GetRequiredService<ISender>();
                var generated = await LargePeriodFixture.GenerateAsync(sender, services.GetRequiredService<IDocumentStore>(), new LargePeriodSpec(records, leaseCount), ct);
                AnsiConsole.MarkupLineInterpolated($"generated {records:N0} records over {leaseCount:N0} leases ({generated.Events:N0} events) in {generated.Elapsed.TotalSeconds:0.00} s");
                clock.Set(LargePeriodSpec.CloseAt);
                var watch = Stopwatch.StartNew();
                var summary = await sender.Send(new ClosePeriodRequest(LargePeriodSpec.Period), ct);
                watch.Stop();
                AnsiConsole.MarkupLineInterpolated($"closed {summary.Period}: {summary.Invoices} invoices, {summary.Lines:N0} lines, {summary.Transactions:N0} transactions in [bold]{watch.Elapsed.TotalSeconds:0.00} s[/] = {records / watch.Elapsed.TotalSeconds:N0} records/s");
                if (run == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"[grey](warm-up run, not counted)[/]");
                }
                else
                {
                    rows.Add((records, generated.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds, summary.Lines, summary.Transactions));
                }
            }
            finally
            {
                await services.DisposeAsync();
                if (!keepSchema)
                {
                    await ComputeNetServices.DropSchemaAsync(connection, schema, CancellationToken.None);
                }
            }
        }
        var table = new Table().Title($"period close over {leases:N0} leases").AddColumns("records", "generate s", "close s", "records/s", "lines", "transactions", "close s per 100k");
        foreach (var r in rows)
        {
            table.AddRow($"{r.Records:N0}", $"{r.Generate:0.00}", $"{r.Close:0.00}", $"{r.Records / r.Close:N0}", $"{r.Lines:N0}", $"{r.Transactions:N0}", $"{r.Close / r.Records * 100_000:0.00}");
        }
        AnsiConsole.Write(table);
        foreach (var r in rows)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { bench = "close", records = r.Records, leases, generate_s = Math.Round(r.Generate, 3), close_s = Math.Round(r.Close, 3), records_per_s = Math.Round(r.Records / r.Close) }));
        }
    }

    internal static async Task<string> RegisterAsync(HttpClient op, object body, CancellationToken ct)
    {
        var response = await Ensure(op.PostAsJsonAsync("/v1/parties", body, Json, ct));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["apiKey"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> Ensure(Task<HttpResponseMessage> call)
    {
        var response = await call;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return response;
    }
}
