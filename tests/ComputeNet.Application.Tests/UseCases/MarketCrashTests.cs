using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Domain.Market;
using NodaTime;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// Durable intake: the API host is killed (SIGKILL, no graceful stop) while orders stream in through group commit;
/// after a restart, every acknowledged order is there with at least the fills it was answered with, nothing is
/// applied twice, and the book served is exactly the book rebuilt from the journal.
/// </summary>
public sealed class MarketCrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string OperatorKey = "cnk_crash-test-operator-key-000000000000";

    [Fact]
    public async Task Killing_the_host_loses_no_acknowledged_order_and_applies_none_twice()
    {
        await using var p = await TestPlatform.StartAsync(Instant.FromUtc(2026, 11, 27, 0, 0));
        var (host, url) = await ServeAsync(p);
        HttpClient Client(string key) => new() { BaseAddress = new Uri(url), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };
        var op = Client(OperatorKey);
        var buyerKey = await RegisterAsync(op, new { id = "crash-buyer", roles = new[] { "buyer" }, city = "shanghai", sme = true });
        var providerKey = await RegisterAsync(op, new { id = "crash-prov", roles = new[] { "provider" } });
        var buyer = Client(buyerKey);
        var provider = Client(providerKey);

        // 12 clients send bids and offers until 300 are acknowledged; then the host is killed mid-stream.
        var acked = new ConcurrentDictionary<string, (object Body, int Filled)>();
        var next = -1;
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                var (client, path, body) = n % 2 == 0 ? (buyer, "/v1/bids", Bid(n)) : (provider, "/v1/offers", Offer(n));
                try
                {
                    using var response = await client.PostAsJsonAsync(path, body, stop.Token);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(stop.Token))!;
                        acked[answer["orderId"]!.GetValue<string>()] = (body, answer["devicesFilled"]!.GetValue<int>());
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    return; // the host is gone: whatever was not answered was never acknowledged
                }
            }
        })).ToList();
        var sw = Stopwatch.StartNew();
        while (acked.Count < 300 && sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(10, Ct);
        }
        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync(Ct);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        Assert.True(acked.Count >= 300, $"only {acked.Count} orders were acknowledged before the kill");

        var (restarted, url2) = await ServeAsync(p);
        try
        {
            var op2 = Client(OperatorKey);
            op2.BaseAddress = new Uri(url2);
            var orders = await AllAsync(op2, "/v1/orders");
            var byId = orders.ToDictionary(o => o["id"]!.GetValue<string>());
            foreach (var (id, (_, filled)) in acked)
            {
                Assert.True(byId.TryGetValue(id, out var order), $"acknowledged order {id} was lost");
                Assert.True(order!["devicesFilled"]!.GetValue<int>() >= filled, $"order {id} has fewer fills than it was answered with");
            }

            var trades = await AllAsync(op2, "/v1/trades");
            Assert.Equal(trades.Count, trades.Select(t => t["leaseId"]!.GetValue<string>()).Distinct().Count());
            Assert.Equal(Enumerable.Range(1, trades.Count).Select(i => (long)i), trades.Select(t => t["tradeSeq"]!.GetValue<long>()).Order());

            // The book served after the restart is the book the journal rebuilds, order for order.
            var rebuilt = new OrderBook { Archive = new OrderArchive() };
            await using (var session = p.Store.QuerySession())
            {
                foreach (var e in (await session.Events.FetchStreamAsync(MartenSetup.Streams.Market, token: Ct)).SelectMany(MarketJournal.EventsOf))
                {
                    rebuilt.Evolve(e);
                }
            }
            var now = SystemClock.Instance.GetCurrentInstant();
            Assert.Equal(
                rebuilt.Statuses(now).Select(s => $"{s.Id} {MarketSlugs.Of(s.State)} {s.Devices} {s.DevicesFilled} {s.Seq}"),
                orders.Select(o => $"{o["id"]} {o["state"]} {o["devices"]} {o["devicesFilled"]} {o["seq"]}"));

            // Sending every acknowledged order again is a repeat: nothing new is traded. The killed host's lease on the
            // market lapses first (ADR 0030: up to ComputeNet:Cluster:LeaseMs): until then the restarted host answers
            // 503 market-owner-unavailable with Retry-After, and the client repeats the order.
            var buyer2 = Client(buyerKey);
            buyer2.BaseAddress = new Uri(url2);
            var provider2 = Client(providerKey);
            provider2.BaseAddress = new Uri(url2);
            foreach (var (id, (body, _)) in acked.Take(50))
            {
                var retried = Stopwatch.StartNew();
                while (true)
                {
                    using var again = id.StartsWith('b') ? await buyer2.PostAsJsonAsync("/v1/bids", body, Ct) : await provider2.PostAsJsonAsync("/v1/offers", body, Ct);
                    if (again.StatusCode == HttpStatusCode.ServiceUnavailable && retried.Elapsed < TimeSpan.FromSeconds(15))
                    {
                        Assert.Equal(TimeSpan.FromSeconds(1), again.Headers.RetryAfter?.Delta);
                        await Task.Delay(again.Headers.RetryAfter!.Delta!.Value, Ct);
                        continue;
                    }
                    Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                    break;
                }
            }
            Assert.Equal(trades.Count, (await AllAsync(op2, "/v1/trades")).Count);
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync(Ct);
        }
    }

    private static object Bid(int n) => new
    {
        id = $"b{n}", family = "intelligent", devices = 1 + n % 5, minScuPerDevice = "0", minMemoryGb = 0,
        from = "2027-01-01T00:00:00+08:00", to = "2027-01-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
        price = (55 + n % 7 * 0.5m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), commitment = "on-demand", split = true,
        tif = n % 10 == 0 ? "IOC" : "GTC",
    };

    private static object Offer(int n) => new
    {
        id = $"o{n}", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 1 + n % 5,
        from = "2027-01-01T00:00:00+08:00", to = "2027-01-02T00:00:00+08:00",
        price = (56 + n % 7 * 0.5m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Starts <c>computenet serve</c> on the test's schema and waits until it listens.</summary>
    private static async Task<(Process Host, string Url)> ServeAsync(TestPlatform p)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var host = Cli.Start(p.ConnectionString, new Dictionary<string, string> { ["ComputeNet__OperatorKey"] = OperatorKey },
            "serve", "--urls", url, "--schema", p.Schema, "--environment", "Production", "--allow-insecure-database");
        _ = host.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (await host.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains("listening", StringComparison.Ordinal))
            {
                _ = host.StandardOutput.ReadToEndAsync(Ct);
                return (host, url);
            }
        }
        throw new InvalidOperationException("computenet serve exited before it listened");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RegisterAsync(HttpClient op, object party)
    {
        using var response = await op.PostAsJsonAsync("/v1/parties", party, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["apiKey"]!.GetValue<string>();
    }

    private static async Task<List<JsonNode>> AllAsync(HttpClient client, string path)
    {
        var all = new List<JsonNode>();
        while (true)
        {
            var page = JsonNode.Parse(await client.GetStringAsync($"{path}?offset={all.Count}&limit=500", Ct))!;
            var items = page["items"]!.AsArray().Select(i => i!).ToList();
            all.AddRange(items);
            if (items.Count < 500)
            {
                return all;
            }
        }
    }
}
