using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Application.Database;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// Fault drills (issue 13, item 7): the PostgreSQL server is stopped and started again under a running host — during order
/// intake, usage ingestion and a close. Clients get <c>503</c> with <c>Retry-After</c> and code <c>unavailable</c> (never a
/// <c>500</c>), the host recovers by itself, every acknowledged write is there, and writes whose outcome was unknown are
/// repeated with their ids without being applied twice. The drills use a cluster of their own (the checkout's cluster
/// serves the other tests meanwhile).
/// </summary>
public sealed class FaultDrillTests : IAsyncLifetime
{
    private EmbeddedPostgres _pg = null!;
    private string _connection = "";

    public async ValueTask InitializeAsync()
    {
        var root = Path.Combine(EmbeddedPostgres.FindCheckoutRoot(AppContext.BaseDirectory), ".computenet", "fault-drills");
        Directory.CreateDirectory(root);
        _pg = new EmbeddedPostgres(new EmbeddedPostgresOptions { CheckoutRoot = root });
        _connection = await _pg.EnsureStartedAsync();
    }

    public async ValueTask DisposeAsync() => await _pg.StopAsync();

    [Fact]
    public async Task The_database_stopped_and_started_under_intake_usage_and_a_close_loses_no_acknowledged_write()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"), connection: _connection);
        var (buyer, _) = await host.RegisterAsync("sme-1", ["buyer"], "shanghai", sme: true);
        var (provider, _) = await host.RegisterAsync("prov-1", ["provider"]);
        host.Clock.Set(At("2026-11-30T09:00:00+08:00"));
        Assert.Equal(HttpStatusCode.Created, (await provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", price = "58.00",
        }, Json)).StatusCode);
        var trade = await buyer.PostAsJsonAsync("/v1/bids", Bid("trade", "60.00", "2026-12-01"), Json);
        Assert.Equal(HttpStatusCode.Created, trade.StatusCode);
        var lease = (await ReadAsync(trade))!["leases"]![0]!.GetValue<string>();

        // Intake: four clients place resting bids while the server is stopped and started again.
        var acknowledged = new ConcurrentBag<string>();
        var unknown = new ConcurrentBag<string>();
        var unexpected = new ConcurrentBag<string>();
        var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested || i < 5; i++)
            {
                var id = $"b{c}-{i}";
                var response = await buyer.PostAsJsonAsync("/v1/bids", Bid(id, "1.00"), Json);
                await Classify(response, id, acknowledged, unknown, unexpected);
                if (i > 2000)
                {
                    break;
                }
            }
        })).ToArray();
        await Task.Delay(500);
        Assert.True(await _pg.StopAsync());
        await Task.Delay(1500);
        // Usage and a close while the server is down: 503 with Retry-After, the outcome unknown.
        host.Clock.Set(At("2026-12-02T00:30:00+08:00"));
        var usage = new { id = "u1", lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-01T23:00:00+08:00", deviceSeconds = 80_000, energyKwh = "100", greenKwh = "85", transferGb = "0" };
        await AssertUnavailable(await provider.PostAsJsonAsync("/v1/usage", usage, Json));
        await AssertUnavailable(await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null));
        await AssertUnavailable(await buyer.GetAsync("/v1/orders"));
        await _pg.EnsureStartedAsync();
        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.Empty(unexpected);
        Assert.NotEmpty(unknown);
        Assert.True(acknowledged.Count > unknown.Count, $"{acknowledged.Count} acknowledged, {unknown.Count} unknown");
        // No restart of the host: it serves again by itself. Every acknowledged order is there; every unknown one, repeated
        // with its id, is either found (it had committed: a repeat) or placed now — never twice.
        foreach (var id in unknown)
        {
            var repeat = await RetryAsync(() => buyer.PostAsJsonAsync("/v1/bids", Bid(id, "1.00"), Json));
            Assert.True(repeat.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{id}: {(int)repeat.StatusCode}");
        }
        var all = new List<string>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await ReadAsync(await buyer.GetAsync($"/v1/orders?offset={offset}&limit=1000")))!["items"]!.AsArray();
            all.AddRange(page.Select(o => o!["id"]!.GetValue<string>()));
            if (page.Count < 1000)
            {
                break;
            }
        }
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Subset(all.ToHashSet(), acknowledged.Concat(unknown).Append("trade").ToHashSet());
        Assert.Equal(acknowledged.Count + unknown.Count + 1, all.Count);

        // Usage and the close, repeated after the restart: each applied once.
        var stored = await RetryAsync(() => provider.PostAsJsonAsync("/v1/usage", usage, Json));
        Assert.True(stored.StatusCode == HttpStatusCode.Created, $"{(int)stored.StatusCode} {await stored.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsJsonAsync("/v1/usage", usage, Json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RetryAsync(() => host.Operator.PostAsync("/v1/periods/2026-12-01/close", null))).StatusCode);
        var again = await ReadAsync(await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null));
        Assert.True(again!["alreadyClosed"]!.GetValue<bool>(), again.ToJsonString());
        var invoices = (await ReadAsync(await buyer.GetAsync("/v1/invoices?period=2026-12-01")))!["items"]!.AsArray();
        Assert.Single(invoices);
        var ledger = (await ReadAsync(await host.Operator.GetAsync("/v1/ledger")))!;
        Assert.Equal(0, ledger["trialBalanceFen"]?.GetValue<long>() ?? 0);
    }

    /// <summary>A one-device bid for one day (by default a week ahead, so the clock moving during the drill never ends its window).</summary>
    private static object Bid(string id, string price, string day = "2026-12-10") => new
    {
        id, family = "intelligent", devices = 1, minScuPerDevice = "0.1", minMemoryGb = 40,
        from = $"{day}T00:00:00+08:00", to = $"{day}T23:00:00+08:00", tier = "cross-hub",
        price, commitment = "on-demand", split = true, tif = "GTC",
    };

    private static async Task Classify(HttpResponseMessage response, string id, ConcurrentBag<string> acknowledged, ConcurrentBag<string> unknown,
        ConcurrentBag<string> unexpected)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.Created:
                acknowledged.Add(id);
                break;
            case HttpStatusCode.ServiceUnavailable:
                var problem = await ReadAsync(response);
                if (problem?["code"]?.GetValue<string>() != "unavailable" || response.Headers.RetryAfter is null)
                {
                    unexpected.Add($"{id}: 503 without code unavailable or Retry-After: {problem}");
                }
                unknown.Add(id);
                break;
            default:
                unexpected.Add($"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                break;
        }
    }

    private static async Task AssertUnavailable(HttpResponseMessage response)
    {
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("unavailable", body!["code"]!.GetValue<string>());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>Repeats a request while it answers 503 (the server may still be starting), as a client honouring Retry-After would.</summary>
    private static async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> call)
    {
        for (var i = 0; ; i++)
        {
            var response = await call();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || i >= 40)
            {
                return response;
            }
            await Task.Delay(250);
        }
    }
}
