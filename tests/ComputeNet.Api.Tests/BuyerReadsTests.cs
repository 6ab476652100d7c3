using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The buyer-scoped reads of issue 14: the usage records behind an invoice's lines, and a party's own balance and ledger
/// lines — each party sees its own rows only; regulators and operators any party's.
/// </summary>
public sealed class BuyerReadsTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private HttpClient _a = null!;
    private HttpClient _b = null!;
    private HttpClient _provider = null!;
    private HttpClient _regulator = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        _a = (await _host.RegisterAsync("sme-a", ["buyer"], "shanghai", sme: true)).Client;
        _b = (await _host.RegisterAsync("sme-b", ["buyer"], "shanghai", sme: true)).Client;
        _provider = (await _host.RegisterAsync("prov", ["provider"])).Client;
        _regulator = (await _host.RegisterAsync("reg", ["regulator"])).Client;
        await Ok(_provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
        }, Json));
        var leaseA = await BidAsync(_a, "ba", 8);
        var leaseB = await BidAsync(_b, "bb", 4);
        _host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        // Two records on A's lease (hours 0–12 and 12–24), one on B's.
        await Ok(_provider.PostAsJsonAsync("/v1/usage/batch", new
        {
            records = new object[]
            {
                Usage("ua1", leaseA, "2026-12-01T00:00:00+08:00", "2026-12-01T12:00:00+08:00", 8 * 43_200),
                Usage("ua2", leaseA, "2026-12-01T12:00:00+08:00", "2026-12-02T00:00:00+08:00", 8 * 43_200),
                Usage("ub1", leaseB, "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00", 4 * 86_400),
            },
        }, Json));
        _host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await Ok(_host.Operator.PostAsync("/v1/periods/2026-12-01/close", null));
        await Ok(_host.Operator.PostAsJsonAsync("/v1/cash", new { type = "payment", id = "pay-a", party = "sme-a", amountFen = 10_000 }, Json));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static object Usage(string id, string lease, string from, string to, long deviceSeconds) =>
        new { id, lease, from, to, deviceSeconds, energyKwh = "1", greenKwh = "1", transferGb = "0" };

    private static async Task<string> BidAsync(HttpClient buyer, string id, int devices)
    {
        var response = await Ok(buyer.PostAsJsonAsync("/v1/bids", new
        {
            id, family = "intelligent", devices, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
            price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
        }, Json));
        return (await ReadAsync(response))!["leases"]![0]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static async Task<JsonNode> Json200(HttpClient client, string path) => (await ReadAsync(await Ok(client.GetAsync(path))))!;

    private static List<string> Ids(JsonNode page, string field) => page["items"]!.AsArray().Select(i => i![field]!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_buyer_reads_the_usage_behind_its_own_invoice_lines_only()
    {
        var own = await Json200(_a, "/v1/invoices/2026-12-01.sme-a/usage");
        Assert.Equal(["ua1", "ua2"], Ids(own, "recordId"));
        var line = (await Json200(_a, "/v1/invoices?period=2026-12-01"))["items"]![0]!["lines"]![0]!;
        Assert.All(own["items"]!.AsArray(), r => Assert.Equal(line["leaseId"]!.GetValue<string>(), r!["leaseId"]!.GetValue<string>()));
        // What the line charges is what its records hold: round(Σ device-seconds × SCU × price × 100 ÷ 3600).
        var deviceSeconds = own["items"]!.AsArray().Sum(r => r!["deviceSeconds"]!.GetValue<long>());
        Assert.Equal((long)Math.Round(deviceSeconds * 0.156m * 58.00m * 100 / 3600, MidpointRounding.AwayFromZero), line["amountFen"]!.GetValue<long>());

        // Paged in the database: one record per page, then the next.
        var first = await Json200(_a, "/v1/invoices/2026-12-01.sme-a/usage?limit=1");
        Assert.Equal(["ua1"], Ids(first, "recordId"));
        Assert.Equal(1, first["nextOffset"]!.GetValue<int>());
        var second = await Json200(_a, "/v1/invoices/2026-12-01.sme-a/usage?limit=1&offset=1");
        Assert.Equal(["ua2"], Ids(second, "recordId"));
        Assert.Null(second["nextOffset"]);
        Assert.Equal(["ua1", "ua2"], Ids(await Json200(_a, "/v1/invoices/2026-12-01.sme-a/usage?lineNo=1"), "recordId"));
        var noLine = await _a.GetAsync("/v1/invoices/2026-12-01.sme-a/usage?lineNo=9");
        Assert.Equal(HttpStatusCode.BadRequest, noLine.StatusCode);

        // Another buyer's invoice is not found (as one that does not exist); regulators and operators read any.
        Assert.Equal(HttpStatusCode.NotFound, (await _a.GetAsync("/v1/invoices/2026-12-01.sme-b/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _b.GetAsync("/v1/invoices/2026-12-01.sme-a/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _a.GetAsync("/v1/invoices/2026-12-31.sme-a/usage")).StatusCode);
        Assert.Equal(["ub1"], Ids(await Json200(_b, "/v1/invoices/2026-12-01.sme-b/usage"), "recordId"));
        Assert.Equal(["ub1"], Ids(await Json200(_regulator, "/v1/invoices/2026-12-01.sme-b/usage"), "recordId"));
        Assert.Equal(["ua1", "ua2"], Ids(await Json200(_host.Operator, "/v1/invoices/2026-12-01.sme-a/usage"), "recordId"));
    }

    [Fact]
    public async Task A_party_reads_its_own_balance_and_ledger_lines_only()
    {
        var invoiceA = (await Json200(_a, "/v1/invoices?period=2026-12-01"))["items"]![0]!["dueFen"]!.GetValue<long>();
        var balance = await Json200(_a, "/v1/balance");
        Assert.Equal("sme-a", balance["party"]!.GetValue<string>());
        var account = Assert.Single(balance["accounts"]!.AsArray())!;
        Assert.Equal("buyer:sme-a", account["account"]!.GetValue<string>());
        Assert.Equal(invoiceA - 10_000, account["balanceFen"]!.GetValue<long>());

        // Its lines: the close's charge, then the payment; they sum to the balance.
        var lines = await Json200(_a, "/v1/balance/lines");
        var items = lines["items"]!.AsArray();
        Assert.Equal(["charge", "payment"], items.Select(i => i!["kind"]!.GetValue<string>()));
        Assert.All(items, i => Assert.Equal("buyer:sme-a", i!["account"]!.GetValue<string>()));
        Assert.Equal(invoiceA - 10_000, items.Sum(i => i!["amountFen"]!.GetValue<long>()));
        var page = await Json200(_a, "/v1/balance/lines?limit=1");
        Assert.Single(page["items"]!.AsArray());
        Assert.Equal(1, page["nextOffset"]!.GetValue<int>());

        // Naming another party changes nothing for a party: still its own rows, never another's.
        foreach (var path in new[] { "/v1/balance?party=sme-b", "/v1/balance/lines?party=sme-b", "/v1/balance/lines?account=buyer:sme-b", "/v1/balance/lines?party=prov" })
        {
            var text = await (await Ok(_a.GetAsync(path))).Content.ReadAsStringAsync();
            Assert.DoesNotContain("sme-b", text);
            Assert.DoesNotContain("prov", text);
        }
        Assert.Empty((await Json200(_a, "/v1/balance/lines?account=buyer:sme-b"))["items"]!.AsArray());

        // The provider sees its own account (owed: negative); B its own.
        var provider = Assert.Single((await Json200(_provider, "/v1/balance"))["accounts"]!.AsArray())!;
        Assert.Equal("provider:prov", provider["account"]!.GetValue<string>());
        Assert.True(provider["balanceFen"]!.GetValue<long>() < 0);
        Assert.All((await Json200(_b, "/v1/balance/lines"))["items"]!.AsArray(), i => Assert.Equal("buyer:sme-b", i!["account"]!.GetValue<string>()));

        // Regulators and operators read any party's, and must name it.
        Assert.Equal("buyer:sme-b", (await Json200(_regulator, "/v1/balance?party=sme-b"))["accounts"]![0]!["account"]!.GetValue<string>());
        Assert.Equal(2, (await Json200(_host.Operator, "/v1/balance/lines?party=sme-a"))["items"]!.AsArray().Count);
        var unnamed = await _regulator.GetAsync("/v1/balance");
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Equal("party", (await ReadAsync(unnamed))!["field"]!.GetValue<string>());
    }
}
