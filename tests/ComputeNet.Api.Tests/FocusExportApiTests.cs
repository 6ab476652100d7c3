using System.Net;
using System.Net.Http.Json;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary><c>GET /v1/exports/focus</c> over real HTTP: CSV, and each buyer's key sees only that buyer's rows.</summary>
public sealed class FocusExportApiTests
{
    [Fact]
    public async Task A_buyers_key_gets_only_its_own_rows_and_regulators_get_every_buyers()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var (alice, _) = await host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true);
        var (bob, _) = await host.RegisterAsync("bob", ["buyer"], "shanghai", sme: true);
        var (provider, _) = await host.RegisterAsync("prov-nx", ["provider"]);
        var regulator = (await host.RegisterAsync("ndrc", ["regulator"])).Client;

        Assert.Equal(HttpStatusCode.Created, (await provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
        }, Json)).StatusCode);
        var leases = new Dictionary<string, string>();
        foreach (var (name, client, devices) in new[] { ("alice", alice, 8), ("bob", bob, 4) })
        {
            var bid = await client.PostAsJsonAsync("/v1/bids", new
            {
                id = $"bid-{name}", family = "intelligent", devices, minScuPerDevice = "0.1", minMemoryGb = 40,
                from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
                price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
            }, Json);
            Assert.Equal(HttpStatusCode.Created, bid.StatusCode);
            leases[name] = (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
        }

        host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        foreach (var (name, seconds) in new[] { ("alice", 576_000), ("bob", 144_000) })
        {
            Assert.Equal(HttpStatusCode.Created, (await provider.PostAsJsonAsync("/v1/usage", new
            {
                id = $"u-{name}", lease = leases[name], from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00",
                deviceSeconds = seconds, energyKwh = "100", greenKwh = "85", transferGb = "0",
            }, Json)).StatusCode);
        }

        // Before the close there is nothing to export: a problem with the market-rules code, naming the field.
        var early = await alice.GetAsync("/v1/exports/focus?period=2026-12-01");
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType!.MediaType);
        Assert.Equal("invalid", (await ReadAsync(early))!["code"]!.GetValue<string>());
        var missing = await alice.GetAsync("/v1/exports/focus");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("invalid", (await ReadAsync(missing))!["code"]!.GetValue<string>());

        host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        Assert.Equal(HttpStatusCode.OK, (await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null)).StatusCode);

        async Task<List<string>> Buyers(HttpClient client, string query)
        {
            var response = await client.GetAsync($"/v1/exports/focus?period=2026-12-01{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
            var csv = await response.Content.ReadAsStringAsync();
            // Read back with the framework's own RFC 4180 reader (quoted fields hold commas).
            using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(new StringReader(csv)) { HasFieldsEnclosedInQuotes = true };
            parser.SetDelimiters(",");
            var header = parser.ReadFields()!;
            Assert.Equal("BilledCost", header[0]);
            var account = Array.IndexOf(header, "BillingAccountId");
            var resource = Array.IndexOf(header, "ResourceId");
            var rows = new List<string[]>();
            while (!parser.EndOfData)
            {
                var fields = parser.ReadFields()!;
                Assert.Equal(header.Length, fields.Length);
                rows.Add(fields);
            }
            Assert.All(rows, r => Assert.Equal(leases[r[account]], r[resource]));
            return rows.Select(r => r[account]).ToList();
        }

        Assert.Equal(["alice"], await Buyers(alice, ""));
        Assert.Equal(["alice"], await Buyers(alice, "&buyer=bob"));
        Assert.Equal(["bob"], await Buyers(bob, ""));
        Assert.Equal(["alice", "bob"], await Buyers(regulator, ""));
        Assert.Equal(["bob"], await Buyers(regulator, "&buyer=bob"));
        Assert.Equal(["alice", "bob"], await Buyers(host.Operator, ""));
    }
}
