using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Api;
using ComputeNet.Application;
using ComputeNet.Application.Cluster;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.RegisterParty;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// The demo's several-hosts step (issue 16, ADR 0030): two API hosts on loopback (real Kestrel) share one database
/// (schema <see cref="Schema"/>, dropped after). The first owns the market through its lease; orders sent to the second
/// are forwarded to it over HTTP; a graceful stop of the owner hands the market over, and the second host fences the
/// journal and decides orders itself. A crash and the PostgreSQL standby are shown by <c>computenet cluster</c>
/// (several processes; docs/runbook.md), which would take the demo too long.
/// </summary>
internal static class DemoSeveralHosts
{
    public const string Schema = "demo_hosts";

    /// <summary>Runs and prints the step; false when an order was not decided as expected or the market was not handed over.</summary>
    public static async Task<bool> RunAsync(CancellationToken ct)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine("[bold]Several hosts[/] (ADR 0030; its own schema): two API hosts on one database, one owner of the market at a time.");
        var connection = await Hosting.ConnectionStringAsync(ct);
        await ComputeNetServices.DropSchemaAsync(connection, Schema, ct);
        var clock = new SettableClock(Instant.FromUtc(2026, 11, 30, 0, 0));
        var operatorKey = ApiKeys.New().Key;
        WebApplication? a = null, b = null;
        try
        {
            a = await StartAsync(connection, operatorKey, clock, ct);
            var leaseA = a.Services.GetRequiredService<MarketLease>();
            var ownedIn = await OwnsAsync(leaseA, TimeSpan.FromSeconds(10), ct);
            b = await StartAsync(connection, operatorKey, clock, ct);
            var leaseB = b.Services.GetRequiredService<MarketLease>();
            var forwarderB = b.Services.GetRequiredService<ComputeNet.Api.Cluster.MarketForwarder>();
            var warmWait = Stopwatch.StartNew();
            while (!forwarderB.Warmed && warmWait.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20, ct);
            }
            AnsiConsole.MarkupLineInterpolated(
                $"  host A {leaseA.HostId} at {leaseA.Address} took the lease in {ownedIn.TotalMilliseconds:0} ms (epoch {leaseA.Epoch}); host B {leaseB.HostId} at {leaseB.Address} follows{(forwarderB.Warmed ? $" and opened its connection to A at start ({warmWait.ElapsedMilliseconds} ms after it was up)" : " (it could not reach A at start)")}.");

            var sender = a.Services.GetRequiredService<ISender>();
            var provider = (await sender.Send(new RegisterPartyRequest("hosts-prov", ["provider"], IssueApiKey: true), ct)).ApiKey!;
            var buyer = (await sender.Send(new RegisterPartyRequest("hosts-buyer", ["buyer"], "shanghai", Sme: true, IssueApiKey: true), ct)).ApiKey!;
            using var http = new HttpClient();
            var (offer, offerMs, offerRetries) = await PostAsync(http, leaseB.Address!, provider, "/v1/offers", new
            {
                id = "of-hosts", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 10,
                from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
            }, ct);
            var (bid, bidMs, bidRetries) = await PostAsync(http, leaseB.Address!, buyer, "/v1/bids", Bid("b-hosts-1", 4), ct);
            AnsiConsole.MarkupLineInterpolated(
                $"  through host B (forwarded to A): offer of-hosts {offer?["state"]} in {offerMs:0} ms (the first request through B: its pipeline runs for the first time{Retried(offerRetries)}); bid b-hosts-1 {bid?["state"]}, {bid?["devicesFilled"]} of 4 devices filled in {bidMs:0} ms{Retried(bidRetries)}.");

            var cluster = await GetAsync(http, leaseB.Address!, operatorKey, "/v1/cluster", ct);
            var market = cluster?["markets"]?.AsArray().FirstOrDefault();
            AnsiConsole.MarkupLineInterpolated(
                $"  GET /v1/cluster on host B: {cluster?["hosts"]?.AsArray().Count} hosts; market '{market?["market"]}' owned by {market?["owner"]} at {market?["address"]}, epoch {market?["epoch"]}.");

            // A graceful stop releases the lease: B takes the market at its next poll, fences the journal and decides itself.
            var stopping = Stopwatch.StartNew();
            await a.StopAsync(ct);
            await a.DisposeAsync();
            a = null;
            var handover = await OwnsAsync(leaseB, TimeSpan.FromSeconds(10), ct);
            var (after, afterMs, afterRetries) = await PostAsync(http, leaseB.Address!, buyer, "/v1/bids", Bid("b-hosts-2", 3), ct);
            cluster = await GetAsync(http, leaseB.Address!, operatorKey, "/v1/cluster", ct);
            var takeover = cluster?["takeovers"]?.AsArray().FirstOrDefault();
            AnsiConsole.MarkupLineInterpolated(
                $"  host A stopped gracefully ({stopping.ElapsedMilliseconds} ms with its release); host B owned the market {handover.TotalMilliseconds:0} ms later: epoch {takeover?["epoch"]}, fencing block at journal version {takeover?["journalVersion"]}; bid b-hosts-2 decided by B itself: {after?["state"]}, {after?["devicesFilled"]} of 3 filled in {afterMs:0} ms{Retried(afterRetries)}.");
            AnsiConsole.MarkupLine("  A former owner that wakes up late appends nothing (the fencing block moved the journal's version); several processes, a crash and a PostgreSQL standby: [grey]computenet cluster start[/] (docs/runbook.md).");
            return offer is not null && bid?["devicesFilled"]?.GetValue<int>() == 4 && after?["devicesFilled"]?.GetValue<int>() == 3
                && leaseB.MayWrite && takeover?["epoch"]?.GetValue<long>() == 2;
        }
        finally
        {
            foreach (var host in new[] { b, a })
            {
                if (host is not null)
                {
                    await host.StopAsync(CancellationToken.None);
                    await host.DisposeAsync();
                }
            }
            await ComputeNetServices.DropSchemaAsync(connection, Schema, CancellationToken.None);
        }
    }

    private static object Bid(string id, int devices) => new
    {
        id, family = "intelligent", devices, minScuPerDevice = "0", minMemoryGb = 0,
        from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
        price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
    };

    private static async Task<WebApplication> StartAsync(string connection, string operatorKey, SettableClock clock, CancellationToken ct)
    {
        var app = await ApiHost.BuildAsync(new ApiHostOptions
        {
            Urls = "http://127.0.0.1:0", ConnectionString = connection, Schema = Schema, OperatorKey = operatorKey, Clock = clock,
            Environment = "Production", Args = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore.DataProtection=Error"],
            // The step reads no projection: without the async daemon a stopping host has no agents to wind down.
            AsyncDaemon = JasperFx.Events.Daemon.DaemonMode.Disabled,
        }, ct);
        await app.StartAsync(ct);
        return app;
    }

    private static async Task<TimeSpan> OwnsAsync(MarketLease lease, TimeSpan within, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (!lease.MayWrite)
        {
            if (Stopwatch.GetElapsedTime(started) > within)
            {
                throw new InvalidOperationException($"host {lease.HostId} did not own the market within {within.TotalSeconds:0} s");
            }
            await Task.Delay(10, ct);
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Sends an order as a client should: a <c>503</c> (no owner reachable yet, or a cold owner slower than the forwarding
    /// timeout) is repeated with the same order id after its Retry-After, at most five times; a repeat is never a second order.
    /// </summary>
    private static async Task<(JsonNode? Body, double Ms, int Retries)> PostAsync(HttpClient http, string host, string key, string path, object body, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, host + path) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), ct);
                continue;
            }
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
            {
                AnsiConsole.MarkupLineInterpolated($"  [red]{path} answered {(int)response.StatusCode}[/]: {text}");
                return (null, watch.Elapsed.TotalMilliseconds, attempt);
            }
            return (JsonNode.Parse(text), watch.Elapsed.TotalMilliseconds, attempt);
        }
    }

    private static string Retried(int retries) => retries == 0 ? "" : $", after {retries} × 503 + Retry-After while the owner warmed up";

    private static async Task<JsonNode?> GetAsync(HttpClient http, string host, string key, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, host + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, ct);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) : null;
    }
}
