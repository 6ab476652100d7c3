using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ComputeNet.Api;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Metering.RecordUsageBatch;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Settlement.ClosePeriod;
using Marten;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// <c>bench history</c>: the benchmark of age (issue 12). It builds a long history through the application — every
/// order, usage batch and close goes through the same requests as the API, on the API host with a settable clock — and
/// measures, at chosen days, what an operator and a buyer feel: the close of an empty period and of a period with 100k
/// records, a buyer's <c>GET /v1/invoices</c> and <c>GET /v1/orders</c> over real HTTP, order intake latency, the host's
/// restart (time to its first accepted order) and its memory. A market that does not age gives the same figures on
/// day 365 as on day 30.
/// </summary>
internal static class HistoryBench
{
    private const int Buyers = 20;
    private const int Providers = 20;

    public static Command Create()
    {
        var at = new Option<int[]>("--at")
        {
            Description = "the days at which to measure (the history runs one day past the last)", DefaultValueFactory = _ => [30, 365],
            AllowMultipleArgumentsPerToken = true,
        };
        var orders = new Option<long>("--orders") { Description = "orders in the whole history, spread evenly over its days", DefaultValueFactory = _ => 10_000_000 };
        var records = new Option<int>("--records") { Description = "usage records of the large period measured at each day", DefaultValueFactory = _ => 100_000 };
        var usageLeases = new Option<int>("--usage-leases") { Description = "leases per ordinary day that report usage (one record each)", DefaultValueFactory = _ => 200 };
        var concurrency = new Option<int>("--concurrency") { Description = "order commands in flight", DefaultValueFactory = _ => 64 };
        var keep = new Option<bool>("--keep-schema") { Description = "keep schema bench_history for inspection" };
        var pause = new Option<string?>("--pause-file")
        {
            Description = "a file created while a measured day is settled and measured (through the next day's large close) and deleted after it, so that other work sharing the machine can wait for it to go",
        };
        var command = new Command("history", "build a long history through the application (days of orders, usage and closes) and compare the costs of an operation at two ages")
        {
            at, orders, records, usageLeases, concurrency, keep, pause,
        };
        command.SetAction(async (parse, ct) =>
        {
            var days = parse.GetValue(at)!.Where(d => d > 0).Distinct().Order().ToArray();
            if (days.Length == 0)
            {
                throw new ArgumentException("--at needs at least one day > 0");
            }
            await RunAsync(days, Math.Max(days[^1] + 2, 1), Math.Max(1_000, parse.GetValue(orders)), Math.Max(1_000, parse.GetValue(records)),
                Math.Max(1, parse.GetValue(usageLeases)), Math.Max(1, parse.GetValue(concurrency)), parse.GetValue(keep), parse.GetValue(pause), ct);
            return 0;
        });
        return command;
    }

    /// <summary>Local midnight (Asia/Shanghai) that starts day <paramref name="day"/> of the history (day 0 = 2026-12-01).</summary>
    private static Instant Start(int day) => Instant.FromUtc(2026, 11, 30, 16, 0) + Duration.FromDays(day);

    private static string Period(int day) => new LocalDate(2026, 12, 1).PlusDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record Figures(
        int Day, long OrdersSoFar, double EmptyClose, double AlreadyClosed, double LargeClose, int LargeRecords, double Invoices, double Orders,
        double IntakeP50, double IntakeP99, double IntakeRate, double Restart, double HeapMb, double WorkingSetMb, double InvoicesConsistent,
        double Utilisation = double.NaN, double UtilisationHours = double.NaN, double Regional = double.NaN);

    private static async Task RunAsync(int[] at, int days, long totalOrders, int largeRecords, int usageLeases, int concurrency, bool keepSchema,
        string? pauseFile, CancellationToken ct)
    {
        var connection = await Hosting.ConnectionStringAsync(ct);
        const string schema = "bench_history";
        await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
        var clock = new SettableClock(Start(0) - Duration.FromHours(36));
        var operatorKey = ApiKeys.New().Key;
        var app = await StartHostAsync(connection, schema, operatorKey, clock, ct);
        var perDay = (int)Math.Max(2, totalOrders / days);
        AnsiConsole.MarkupLineInterpolated(
            $"history: {days} daily periods, {perDay:N0} orders a day ({(long)perDay * days:N0} in all), usage on {usageLeases} leases a day, a close every day; measured at days {string.Join(", ", at)}");
        try
        {
            var sender = app.Services.GetRequiredService<ISender>();
            string? buyerKey = null;
            for (var i = 0; i < Buyers; i++)
            {
                var registered = await sender.Send(new RegisterPartyRequest(BuyerId(i), ["buyer"], "shanghai", Sme: true, IssueApiKey: i == 0), ct);
                buyerKey ??= registered.ApiKey;
            }
            for (var i = 0; i < Providers; i++)
            {
                await sender.Send(new RegisterPartyRequest(ProviderId(i), ["provider"]), ct);
            }

            var figures = new List<Figures>();
            var run = Stopwatch.StartNew();
            long ordersSoFar = 0;
            clock.Set(Start(0) - Duration.FromHours(12));
            var (leasesOfDay, _, _) = await PlaceDayAsync(app, 0, perDay, concurrency, ct);
            ordersSoFar += perDay;
            for (var d = 0; d < days - 1; d++)
            {
                var measure = Array.IndexOf(at, d + 1) >= 0;
                if (measure && pauseFile is not null)
                {
                    await File.WriteAllTextAsync(pauseFile, $"bench history measures day {d + 1}\n", ct);
                }
                if (measure)
                {
                    // Compare ages, not the vacuum's progress: the bulk load before a measured day leaves PostgreSQL vacuuming
                    // and analysing large tables while the figures are taken (two runs of the same code differed by ±50 %).
                    await SettleAsync(connection, schema, ct);
                }
                // Noon before day d+1: that day's orders (their windows start at its midnight, so they rest until then).
                clock.Set(Start(d + 1) - Duration.FromHours(12));
                var (leasesOfNext, latencies, rate) = await PlaceDayAsync(app, d + 1, perDay, concurrency, ct);
                ordersSoFar += perDay;
                // Just after day d ended: its usage, then its close. On a measured day the close is empty (no usage), and
                // the next day carries the large period.
                clock.Set(Start(d + 1) + Duration.FromMinutes(10));
                var previous = figures.Count > 0 && figures[^1].Day == d ? figures[^1] : null;
                var records = previous is not null ? largeRecords : measure ? 0 : usageLeases;
                var recorded = records == 0 ? 0 : await RecordUsageAsync(app, d, leasesOfDay, records, previous is not null, ct);
                clock.Set(Start(d + 1) + Duration.FromMinutes(20));
                var watch = Stopwatch.StartNew();
                var summary = await sender.Send(new ClosePeriodRequest(Period(d)), ct);
                var closeSeconds = watch.Elapsed.TotalSeconds;
                if (previous is not null)
                {
                    figures[^1] = previous with { LargeClose = closeSeconds, LargeRecords = recorded };
                    AnsiConsole.MarkupLineInterpolated($"  day {d}: closed {summary.Period} with {recorded:N0} records, {summary.Lines:N0} lines in {closeSeconds:F2} s");
                    if (pauseFile is not null && !measure)
                    {
                        File.Delete(pauseFile);
                    }
                }
                if (measure)
                {
                    watch.Restart();
                    await sender.Send(new ClosePeriodRequest(Period(d)), ct);
                    var again = watch.Elapsed.TotalSeconds;
                    var (invoices, orders, consistent) = await ReadsAsync(app, buyerKey!, ct);
                    var (utilisation, utilisationHours, regional) = await PortalReadsAsync(app, operatorKey, d, ct);
                    var sorted = latencies.Order().ToArray();
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    var heap = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
                    var workingSet = Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
                    // Restart: the host stops (all its memory goes) and a new one starts on the same schema; timed until it
                    // has accepted its first order over HTTP.
                    await app.StopAsync(ct);
                    await app.DisposeAsync();
                    watch.Restart();
                    app = await StartHostAsync(connection, schema, operatorKey, clock, ct);
                    await FirstOrderAsync(app, buyerKey!, d, ct);
                    var restart = watch.Elapsed.TotalSeconds;
                    sender = app.Services.GetRequiredService<ISender>();
                    var f = new Figures(d + 1, ordersSoFar, closeSeconds, again, double.NaN, 0, invoices, orders, Percentile(sorted, 0.50),
                        Percentile(sorted, 0.99), rate, restart, heap, workingSet, consistent, utilisation, utilisationHours, regional);
                    figures.Add(f);
                    AnsiConsole.MarkupLineInterpolated(
                        $"day {d + 1} ({ordersSoFar:N0} orders so far, {run.Elapsed.TotalMinutes:F1} min): empty close {closeSeconds:F2} s, again {again:F2} s; buyer invoices {invoices:F1} ms ({consistent:F1} ms consistent), orders {orders:F1} ms; portal: utilisation 7 periods {utilisation:F1} ms, 24 hours {utilisationHours:F1} ms, regional 7 periods {regional:F1} ms; intake p50 {f.IntakeP50:F1} ms p99 {f.IntakeP99:F1} ms ({f.IntakeRate:N0}/s); restart {restart:F2} s; heap {heap:F0} MB, working set {workingSet:F0} MB");
                }
                else if (d % 10 == 0)
                {
                    AnsiConsole.MarkupLineInterpolated(
                        $"  day {d}: {ordersSoFar:N0} orders so far, close {closeSeconds:F2} s, {run.Elapsed.TotalMinutes:F1} min");
                }
                leasesOfDay = leasesOfNext;
            }
            Print(figures);
        }
        finally
        {
            if (pauseFile is not null)
            {
                File.Delete(pauseFile);
            }
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            if (!keepSchema)
            {
                await ComputeNetServices.DropSchemaAsync(connection, schema, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Brings the database to rest before a measured day: <c>VACUUM (ANALYZE)</c> of every table of the schema (what
    /// autovacuum would otherwise do during the measurement, with fresh planner statistics) and a checkpoint.
    /// </summary>
    private static async Task SettleAsync(string connectionString, string schema, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new Npgsql.NpgsqlCommand("select tablename from pg_tables where schemaname = $1 order by tablename", connection))
        {
            list.Parameters.Add(new Npgsql.NpgsqlParameter { Value = schema });
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables)
        {
            await using var vacuum = new Npgsql.NpgsqlCommand($"vacuum (analyze) \"{schema}\".\"{table}\"", connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await using var checkpoint = new Npgsql.NpgsqlCommand("checkpoint", connection) { CommandTimeout = 0 };
            await checkpoint.ExecuteNonQueryAsync(ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42501")
        {
            // CHECKPOINT needs a superuser (or pg_checkpoint): the embedded cluster's user is one; elsewhere the vacuum alone.
        }
        AnsiConsole.MarkupLineInterpolated($"  settled the database ({tables.Count} tables vacuumed and analysed, a checkpoint) in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static string BuyerId(int i) => $"hist-buyer-{i:D2}";

    private static string ProviderId(int i) => $"hist-prov-{i:D2}";

    private static async Task<WebApplication> StartHostAsync(string connection, string schema, string operatorKey, SettableClock clock, CancellationToken ct)
    {
        var app = await ApiHost.BuildAsync(new ApiHostOptions
        {
            Urls = "http://127.0.0.1:0", ConnectionString = connection, Schema = schema, OperatorKey = operatorKey, Clock = clock,
            Environment = "Production", Args = ["--Logging:LogLevel:Default=Warning"],
        }, ct);
        await app.StartAsync(ct);
        return app;
    }

    /// <summary>
    /// Places one day's orders through the application (<paramref name="concurrency"/> in flight, so group commit works
    /// as under load): bids and offers alternate, 1–8 devices, prices around the touch so that about half trade; every
    /// 40th order (a bid) is IOC. Returns the leases traded, each order's latency in ms and the day's orders/s.
    /// </summary>
    private static async Task<(List<string> Leases, double[] Latencies, double Rate)> PlaceDayAsync(WebApplication app, int day, int count, int concurrency, CancellationToken ct)
    {
        var sender = app.Services.GetRequiredService<ISender>();
        var from = Start(day);
        var to = from + Duration.FromDays(1);
        var latencies = new double[count];
        var leases = new List<string>();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                var result = n % 2 == 0
                    ? await sender.Send(new PlaceBidRequest(BuyerId(n / 2 % Buyers), $"d{day}-b{n}", "intelligent", 1 + n % 8, 0, 0, from, to, "cross-hub", 0,
                        55 + n % 7 * 0.5m, "on-demand", true, n % 40 == 0 ? "IOC" : "GTC"), ct)
                    : await sender.Send(new PlaceOfferRequest(ProviderId(n / 2 % Providers), $"d{day}-o{n}", "zhongwei", "ai-fp16-80g", 1 + n % 8, from, to,
                        56 + n % 7 * 0.5m), ct);
                latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (result.Leases.Count > 0)
                {
                    lock (leases)
                    {
                        leases.AddRange(result.Leases);
                    }
                }
            }
        }));
        leases.Sort(StringComparer.Ordinal);
        return (leases, latencies, count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Reports usage of day <paramref name="day"/> through the application: <paramref name="records"/> records over the
    /// day's leases (one record each on an ordinary day; for the large period, up to 1,000 leases with the day tiled into
    /// equal slots), in batches of up to 10,000 per provider. Returns the records stored.
    /// </summary>
    private static async Task<int> RecordUsageAsync(WebApplication app, int day, List<string> leaseIds, int records, bool large, CancellationToken ct)
    {
        var sender = app.Services.GetRequiredService<ISender>();
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var chosen = leaseIds.Take(large ? Math.Min(1_000, records) : records).Select(MartenSetup.Streams.Lease).ToList();
        if (chosen.Count == 0)
        {
            return 0;
        }
        List<LeaseDocument> leases;
        await using (var session = store.QuerySession())
        {
            leases = (await session.Query<LeaseDocument>().Where(l => chosen.Contains(l.Id)).ToListAsync(ct)).OrderBy(l => l.LeaseId, StringComparer.Ordinal).ToList();
        }
        var perLease = large ? Math.Max(1, records / leases.Count) : 1;
        var slot = 86_400 / perLease;
        var stored = 0;
        foreach (var byProvider in leases.GroupBy(l => l.Provider))
        {
            var lines = byProvider.SelectMany(l => Enumerable.Range(0, perLease).Select(k =>
            {
                var f = l.Terms.From + Duration.FromSeconds((long)k * slot);
                var t = k == perLease - 1 ? l.Terms.To : f + Duration.FromSeconds(slot);
                var seconds = (long)(t - f).TotalSeconds;
                return new UsageLine($"u-{l.LeaseId}-{k}", l.LeaseId, f, t, l.Terms.Devices * seconds * 9 / 10, 0.5m, 0.2m, 0m);
            })).ToList();
            foreach (var batch in lines.Chunk(10_000))
            {
                var result = await sender.Send(new RecordUsageBatchRequest(byProvider.Key, batch), ct);
                if (result.Rejected > 0)
                {
                    var first = result.Records.First(r => r.Status == "rejected");
                    throw new InvalidOperationException($"usage of day {day} refused: {first.Code} {first.Field} {first.Reason}");
                }
                stored += result.Stored;
            }
        }
        return stored;
    }

    /// <summary>Rows on the measured pages of invoices and orders.</summary>
    private const int PageSize = 25;

    /// <summary>
    /// A buyer's first page of invoices and of orders over HTTP (<see cref="PageSize"/> rows), and of invoices with
    /// <c>?consistent=true</c> (the wait for the async daemon included: the first of them follows the close at once): the
    /// median of 21 requests each, in ms.
    /// </summary>
    private static async Task<(double Invoices, double Orders, double Consistent)> ReadsAsync(WebApplication app, string buyerKey, CancellationToken ct)
    {
        using var client = Client(app, buyerKey);
        Task<double> MedianAsync(string path) => MedianMsAsync(client, path, 21, ct);
        // Pages of a fixed size that every measured day fills (a buyer has about one invoice a day), so the figures compare
        // the same work at two ages rather than pages of different lengths.
        var consistent = await MedianAsync($"/v1/invoices?limit={PageSize}&consistent=true");
        return (await MedianAsync($"/v1/invoices?limit={PageSize}"), await MedianAsync($"/v1/orders?limit={PageSize}"), consistent);
    }

    /// <summary>
    /// The portal's aggregated reads (issue 14) as the operator makes them, after the close of day <paramref name="day"/>: a
    /// provider's utilisation over the 7 periods up to it and over the 24 hours of the day before (the last with usage), and
    /// the regional report over the 7 periods. One read with <c>?consistent=true</c> first (the daemon has projected the
    /// close), then the median of 11 requests each, in ms.
    /// </summary>
    private static async Task<(double Utilisation, double UtilisationHours, double Regional)> PortalReadsAsync(WebApplication app, string operatorKey, int day,
        CancellationToken ct)
    {
        using var client = Client(app, operatorKey);
        var periods = $"from={Period(Math.Max(0, day - 6))}&to={Period(day)}";
        var hours = $"from={Uri.EscapeDataString(Start(Math.Max(0, day - 1)).ToString())}&to={Uri.EscapeDataString(Start(Math.Max(1, day)).ToString())}";
        Task<double> MedianAsync(string path) => MedianMsAsync(client, path, 11, ct);
        using (var first = await client.GetAsync($"/v1/reports/regional?{periods}&consistent=true", ct))
        {
            first.EnsureSuccessStatusCode();
        }
        return (await MedianAsync($"/v1/utilisation?provider={ProviderId(0)}&{periods}"),
            await MedianAsync($"/v1/utilisation?provider={ProviderId(0)}&by=hour&{hours}"),
            await MedianAsync($"/v1/reports/regional?{periods}"));
    }

    /// <summary>The median time of <paramref name="times"/> successful GETs of <paramref name="path"/>, in ms (a failure throws).</summary>
    private static async Task<double> MedianMsAsync(HttpClient client, string path, int times, CancellationToken ct)
    {
        var took = new List<double>(times);
        for (var i = 0; i < times; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
            }
            took.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return took.Order().ElementAt(took.Count / 2);
    }

    /// <summary>The restarted host's first order, over HTTP: a bid for a later day at a price nobody offers, so it rests.</summary>
    private static async Task FirstOrderAsync(WebApplication app, string buyerKey, int day, CancellationToken ct)
    {
        using var client = Client(app, buyerKey);
        var from = Start(day + 3);
        var body = JsonSerializer.Serialize(new
        {
            id = $"restart-{day}", family = "intelligent", devices = 1, minScuPerDevice = "0", minMemoryGb = 0, from = from.ToDateTimeOffset(),
            to = (from + Duration.FromDays(1)).ToDateTimeOffset(), tier = "cross-hub", minGreen = "0", price = "1.00", commitment = "on-demand",
            split = true, tif = "GTC",
        }, ApiHost.JsonOptions);
        using var response = await client.PostAsync("/v1/bids", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the restarted host refused its first order: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    private static HttpClient Client(WebApplication app, string key) => new()
    {
        BaseAddress = new Uri(app.Urls.First()), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
        Timeout = TimeSpan.FromMinutes(5),
    };

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    private static void Print(List<Figures> figures)
    {
        if (figures.Count == 0)
        {
            return;
        }
        var first = figures[0];
        var table = new Table().Title("the benchmark of age").AddColumn("figure");
        foreach (var f in figures)
        {
            table.AddColumn($"day {f.Day} ({f.OrdersSoFar:N0} orders)");
        }
        if (figures.Count > 1)
        {
            table.AddColumn($"day {figures[^1].Day} / day {first.Day}");
        }
        void Row(string name, Func<Figures, double> of, string format)
        {
            var cells = new List<string> { name };
            cells.AddRange(figures.Select(f => of(f).ToString(format, CultureInfo.InvariantCulture)));
            if (figures.Count > 1)
            {
                cells.Add((of(figures[^1]) / of(first)).ToString("0.00×", CultureInfo.InvariantCulture));
            }
            table.AddRow(cells.ToArray());
        }
        Row("close of an empty period, s", f => f.EmptyClose, "0.000");
        Row("close again (already closed), s", f => f.AlreadyClosed, "0.000");
        Row($"close of a {first.LargeRecords:N0}-record period, s", f => f.LargeClose, "0.00");
        Row($"buyer GET /v1/invoices?limit={PageSize}, ms (median)", f => f.Invoices, "0.0");
        Row($"buyer GET /v1/invoices?limit={PageSize}&consistent=true, ms (median)", f => f.InvoicesConsistent, "0.0");
        Row($"buyer GET /v1/orders?limit={PageSize}, ms (median)", f => f.Orders, "0.0");
        Row("operator GET /v1/utilisation?provider= (7 periods), ms (median)", f => f.Utilisation, "0.0");
        Row("operator GET /v1/utilisation?provider=&by=hour (24 hours), ms (median)", f => f.UtilisationHours, "0.0");
        Row("operator GET /v1/reports/regional (7 periods), ms (median)", f => f.Regional, "0.0");
        Row("order intake p50, ms", f => f.IntakeP50, "0.0");
        Row("order intake p99, ms", f => f.IntakeP99, "0.0");
        Row("order intake, orders/s", f => f.IntakeRate, "0");
        Row("restart to first accepted order, s", f => f.Restart, "0.00");
        Row("host managed heap after full GC, MB", f => f.HeapMb, "0");
        Row("host working set, MB", f => f.WorkingSetMb, "0");
        AnsiConsole.Write(table);
        foreach (var f in figures)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                bench = "history", day = f.Day, orders = f.OrdersSoFar, empty_close_s = Math.Round(f.EmptyClose, 3), already_closed_s = Math.Round(f.AlreadyClosed, 3),
                large_close_s = Math.Round(f.LargeClose, 3), large_records = f.LargeRecords, invoices_ms = Math.Round(f.Invoices, 1), invoices_consistent_ms = Math.Round(f.InvoicesConsistent, 1), orders_ms = Math.Round(f.Orders, 1),
                utilisation_ms = Math.Round(f.Utilisation, 1), utilisation_hours_ms = Math.Round(f.UtilisationHours, 1), regional_ms = Math.Round(f.Regional, 1),
                intake_p50_ms = Math.Round(f.IntakeP50, 1), intake_p99_ms = Math.Round(f.IntakeP99, 1), intake_per_s = Math.Round(f.IntakeRate),
                restart_s = Math.Round(f.Restart, 2), heap_mb = Math.Round(f.HeapMb), working_set_mb = Math.Round(f.WorkingSetMb),
            }));
        }
    }
}
