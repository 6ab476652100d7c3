using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Api.Hosting;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The sandbox (ADR 0024): a real host on its test clock, advanced over HTTP — a whole market day in seconds, the clock kept
/// across a restart, never moving back, refused outside a sandbox, and advanced while orders arrive.
/// </summary>
public sealed class SandboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Instant InstantOf(JsonNode? node) => At(node!.GetValue<string>());

    private static async Task<string> CodeOf(HttpResponseMessage response) => (await ReadAsync(response))!["code"]!.GetValue<string>();

    private static object Offer(string id, string from, string to) => new
    {
        id, cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64, from, to, price = "58.00",
    };

    private static object Bid(string id, string from, string to, int devices = 8, string price = "60.00") => new
    {
        id, family = "intelligent", devices, minScuPerDevice = "0.1", minMemoryGb = 40, from, to, tier = "cross-hub", minGreen = "0.5",
        price, commitment = "on-demand", split = true, tif = "GTC",
    };

    [Fact]
    public async Task A_whole_market_day_in_seconds_orders_usage_and_close_on_the_test_clock()
    {
        var watch = Stopwatch.StartNew();
        await using var sandbox = await SandboxHost.StartAsync(At("2026-11-30T08:00:00+08:00"));
        var buyer = await sandbox.RegisterAsync("sme-sh-1", ["buyer"], "shanghai", sme: true);
        var provider = await sandbox.RegisterAsync("prov-nx", ["provider"]);

        var clock = await sandbox.ClockAsync();
        Assert.Equal(At("2026-11-30T08:00:00+08:00"), InstantOf(clock["now"]));
        Assert.Equal("2026-11-30", clock["period"]!.GetValue<string>());
        Assert.Equal("Asia/Shanghai", clock["timeZone"]!.GetValue<string>());
        Assert.Equal(At("2026-11-30T00:00:00+08:00"), InstantOf(clock["periodStart"]));
        Assert.Equal(At("2026-12-01T00:00:00+08:00"), InstantOf(clock["periodEnd"]));
        // Every role reads the clock.
        Assert.Equal(HttpStatusCode.OK, (await buyer.GetAsync("/v1/sandbox/clock")).StatusCode);

        // Order arrival: the trade is stamped with the test clock, not the real one.
        Assert.Equal(HttpStatusCode.Created, (await provider.PostAsJsonAsync("/v1/offers", Offer("of1", "2026-12-01T00:00:00+08:00", "2026-12-08T00:00:00+08:00"), Json)).StatusCode);
        var bid = await buyer.PostAsJsonAsync("/v1/bids", Bid("b1", "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00"), Json);
        Assert.Equal(HttpStatusCode.Created, bid.StatusCode);
        var lease = (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
        var trade = (await ReadAsync(await buyer.GetAsync("/v1/trades")))!["items"]![0]!;
        Assert.Equal(At("2026-11-30T08:00:00+08:00"), InstantOf(trade["at"]));

        // Usage before its interval ends and the close before the period ends are refused on the test clock.
        var usageBody = new
        {
            id = "u1", lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00",
            deviceSeconds = 576000, energyKwh = "420.5", greenKwh = "357.4", transferGb = "0",
        };
        var early = await provider.PostAsJsonAsync("/v1/usage", usageBody, Json);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        Assert.Equal("reported-early", await CodeOf(early));
        var notEnded = await sandbox.Operator.PostAsync("/v1/periods/2026-12-01/close", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, notEnded.StatusCode);
        Assert.Equal("period-not-ended", await CodeOf(notEnded));

        // Window checks: once the clock passes the bid window's start, the same window is refused.
        var advanced = await sandbox.AdvanceAsync(new { by = "P1DT16H10M" });
        Assert.Equal(HttpStatusCode.OK, advanced.StatusCode);
        var moved = (await ReadAsync(advanced))!;
        Assert.Equal(At("2026-11-30T08:00:00+08:00"), InstantOf(moved["previous"]));
        Assert.Equal(At("2026-12-02T00:10:00+08:00"), InstantOf(moved["now"]));
        Assert.Equal("2026-12-02", moved["period"]!.GetValue<string>());
        var late = await buyer.PostAsJsonAsync("/v1/bids", Bid("b2", "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00"), Json);
        Assert.Equal("window-started", await CodeOf(late));

        Assert.Equal(HttpStatusCode.Created, (await provider.PostAsJsonAsync("/v1/usage", usageBody, Json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.AdvanceAsync(new { to = "2026-12-02T01:00:00+08:00" })).StatusCode);
        var close = await sandbox.Operator.PostAsync("/v1/periods/2026-12-01/close", null, Ct);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        Assert.Equal(At("2026-12-02T01:00:00+08:00"), InstantOf((await ReadAsync(close))!["closedAt"]));

        // The §13 figures (docs/examples/one-day.json), on the sandbox's day.
        var invoice = (await ReadAsync(await buyer.GetAsync("/v1/invoices?period=2026-12-01")))!["items"]![0]!;
        var line = invoice["lines"]![0]!;
        Assert.Equal(144_768, line["amountFen"]!.GetValue<long>());
        Assert.Equal(8_194, line["taxFen"]!.GetValue<long>());
        Assert.Equal(4_343, line["feeFen"]!.GetValue<long>());
        Assert.Equal(At("2026-12-02T01:00:00+08:00"), InstantOf(invoice["at"]));
        var records = (await ReadAsync(await buyer.GetAsync("/v1/invoices/2026-12-01.sme-sh-1/usage")))!["items"]!.AsArray();
        Assert.Equal("u1", Assert.Single(records)!["recordId"]!.GetValue<string>());
        var balance = (await ReadAsync(await buyer.GetAsync("/v1/balance")))!["accounts"]!.AsArray();
        Assert.Equal(144_768, Assert.Single(balance)!["balanceFen"]!.GetValue<long>());

        // The action log's times are the test clock's.
        var actions = (await ReadAsync(await sandbox.Operator.GetAsync("/v1/actions?party=sme-sh-1")))!.AsArray();
        Assert.NotEmpty(actions);
        Assert.All(actions, a => Assert.Contains(InstantOf(a!["at"]), new[] { At("2026-11-30T08:00:00+08:00"), At("2026-12-02T01:00:00+08:00") }));

        // A restarted host goes on from the stored clock, whatever start it is given.
        await using var restarted = await sandbox.RestartAsync(At("2020-01-01T00:00:00Z"));
        Assert.Equal(At("2026-12-02T01:00:00+08:00"), InstantOf((await restarted.ClockAsync())["now"]));
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), $"a sandbox day took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_clock_never_moves_back_and_malformed_advances_change_nothing()
    {
        await using var sandbox = await SandboxHost.StartAsync(At("2026-12-01T08:00:00+08:00"));
        var before = InstantOf((await sandbox.ClockAsync())["now"]);

        var back = await sandbox.AdvanceAsync(new { to = "2026-12-01T07:59:59+08:00" });
        Assert.Equal(HttpStatusCode.Conflict, back.StatusCode);
        Assert.Equal("clock-backwards", await CodeOf(back));
        var negative = await sandbox.AdvanceAsync(new { by = "-PT1H" });
        Assert.Equal(HttpStatusCode.Conflict, negative.StatusCode);
        Assert.Equal("clock-backwards", await CodeOf(negative));
        foreach (var bad in new object[] { new { by = "P1M" }, new { by = "two hours" }, new { }, new { by = "PT1H", to = "2026-12-02T00:00:00Z" },
                     new { to = "9999-12-31T00:00:00Z" }, new { by = "P3000000D" } })
        {
            var response = await sandbox.AdvanceAsync(bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid", await CodeOf(response));
        }
        // Not the operator: forbidden, and nothing moves.
        var buyer = await sandbox.RegisterAsync("b", ["buyer"], "shanghai");
        Assert.Equal(HttpStatusCode.Forbidden, (await buyer.PostAsJsonAsync("/v1/sandbox/clock/advance", new { by = "PT1H" }, Json)).StatusCode);
        Assert.Equal(before, InstantOf((await sandbox.ClockAsync())["now"]));

        // The same time again is a no-op; forward works.
        Assert.Equal(HttpStatusCode.OK, (await sandbox.AdvanceAsync(new { to = "2026-12-01T08:00:00+08:00" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.AdvanceAsync(new { by = "PT30M" })).StatusCode);
        Assert.Equal(before + Duration.FromMinutes(30), InstantOf((await sandbox.ClockAsync())["now"]));
    }

    [Fact]
    public async Task Outside_a_sandbox_the_clock_endpoints_answer_not_sandbox_and_change_nothing()
    {
        await using var host = await StartAsync(At("2026-12-01T08:00:00+08:00"));
        var get = await host.Operator.GetAsync("/v1/sandbox/clock");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("not-sandbox", await CodeOf(get));
        var advance = await host.Operator.PostAsJsonAsync("/v1/sandbox/clock/advance", new { by = "PT1H" }, Json);
        Assert.Equal(HttpStatusCode.NotFound, advance.StatusCode);
        Assert.Equal("not-sandbox", await CodeOf(advance));
        Assert.Equal(At("2026-12-01T08:00:00+08:00"), host.Clock.GetCurrentInstant());
        Assert.Null(await Application.Sandbox.SandboxSchema.ReadAsync(await DatabaseConnection.ResolveAsync(), host.Schema, Ct));
    }

    [Fact]
    public async Task A_sandbox_schema_is_refused_by_a_production_host_and_a_real_schema_is_refused_as_a_sandbox()
    {
        var connection = await DatabaseConnection.ResolveAsync();
        // The sandbox's schema, as a plain (production) host would serve it: refused before anything is served.
        var schemas = new List<string>();
        try
        {
            await using var kept = await SandboxHost.StartAsync(At("2026-12-01T08:00:00+08:00"), dropSchema: false);
            schemas.Add(kept.Schema);
            await kept.RegisterAsync("b", ["buyer"], "shanghai");
            await kept.DisposeAsync();
            var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => SandboxHost.BuildAsync(connection, kept.Schema, sandbox: false));
            Assert.Contains("is a sandbox", refused.Message);

            // A schema with a real platform's history cannot be made a sandbox.
            await using var real = await StartAsync(At("2026-12-01T08:00:00+08:00"));
            await real.RegisterAsync("b", ["buyer"], "shanghai");
            var notSandbox = await Assert.ThrowsAsync<StartupRefusedException>(() => SandboxHost.BuildAsync(connection, real.Schema, sandbox: true));
            Assert.Contains("history", notSandbox.Message);
            Assert.Null(await Application.Sandbox.SandboxSchema.ReadAsync(connection, real.Schema, Ct));
        }
        finally
        {
            foreach (var schema in schemas)
            {
                await ComputeNetServices.DropSchemaAsync(connection, schema);
            }
        }
    }

    [Fact]
    public async Task Advancing_during_order_intake_loses_no_order_and_stamps_each_with_a_time_the_clock_read()
    {
        var start = At("2026-12-01T08:00:00+08:00");
        await using var sandbox = await SandboxHost.StartAsync(start);
        var buyers = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
        {
            buyers.Add(await sandbox.RegisterAsync($"b{i}", ["buyer"], "shanghai"));
        }
        const int perBuyer = 40;
        const int advances = 40;
        var intake = buyers.Select((client, i) => Task.Run(async () =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var n = 0; n < perBuyer; n++)
            {
                // Resting bids far ahead: no trade, and their window never starts during the test.
                var response = await client.PostAsJsonAsync("/v1/bids", Bid($"bid-{i}-{n}", "2027-06-01T00:00:00+08:00", "2027-06-02T00:00:00+08:00", 1, "1.00"), Json);
                statuses.Add(response.StatusCode);
            }
            return statuses;
        })).ToList();
        var clockMoves = Task.Run(async () =>
        {
            var seen = new List<Instant>();
            for (var n = 0; n < advances; n++)
            {
                var response = await sandbox.AdvanceAsync(new { by = "PT2M" });
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                seen.Add(InstantOf((await ReadAsync(response))!["now"]));
            }
            return seen;
        });
        var results = await Task.WhenAll(intake);
        var times = await clockMoves;

        Assert.All(results.SelectMany(r => r), s => Assert.Equal(HttpStatusCode.Created, s));
        // Never back, each advance exactly two minutes on from the one before.
        Assert.Equal(Enumerable.Range(1, advances).Select(m => start + Duration.FromMinutes(2 * m)), times);
        var end = start + Duration.FromMinutes(2 * advances);
        Assert.Equal(end, InstantOf((await sandbox.ClockAsync())["now"]));

        // Every order is there, and every logged action carries a time the clock read: within [start, end], on a whole minute.
        var orders = (await ReadAsync(await sandbox.Operator.GetAsync("/v1/orders?limit=1000")))!["items"]!.AsArray();
        Assert.Equal(buyers.Count * perBuyer, orders.Count);
        var actions = (await ReadAsync(await sandbox.Operator.GetAsync("/v1/actions?limit=1000")))!.AsArray()
            .Where(a => a!["kind"]!.GetValue<string>() == "bid_placed").ToList();
        Assert.Equal(buyers.Count * perBuyer, actions.Count);
        Assert.All(actions, a =>
        {
            var at = InstantOf(a!["at"]);
            Assert.InRange(at, start, end);
            Assert.Equal(0, (at - start).BclCompatibleTicks % Duration.FromMinutes(1).BclCompatibleTicks);
        });

        // A bid for 09:00–10:00, which would have been taken at the sandbox's start (08:00), is refused now that the clock
        // reads 09:20: intake reads the advanced clock.
        var started = await buyers[0].PostAsJsonAsync("/v1/bids", Bid("too-late", "2026-12-01T09:00:00+08:00", "2026-12-01T10:00:00+08:00", 1, "1.00"), Json);
        Assert.Equal("window-started", await CodeOf(started));
    }
}
