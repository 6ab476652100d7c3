using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>GET /v1/book/{family}: aggregated price levels, best first, names no order and no party.</summary>
public sealed class BookDepthTests
{
    [Fact]
    public async Task The_book_shows_price_levels_best_first_without_identities()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var (buyer, _) = await host.RegisterAsync("sme-sh-1", ["buyer"], "shanghai", sme: true);
        var (providerA, _) = await host.RegisterAsync("prov-a", ["provider"]);
        var (providerB, _) = await host.RegisterAsync("prov-b", ["provider"]);
        object Offer(string id, int devices, string price, string cluster = "zhongwei") => new
        {
            id, cluster, resourceClass = "ai-fp16-80g", devices, from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price,
        };
        await Created(providerA.PostAsJsonAsync("/v1/offers", Offer("a1", 10, "58.00"), Json));
        await Created(providerB.PostAsJsonAsync("/v1/offers", Offer("b1", 6, "58.00"), Json));
        await Created(providerB.PostAsJsonAsync("/v1/offers", Offer("b2", 4, "57.50"), Json));
        await Created(providerA.PostAsJsonAsync("/v1/offers", Offer("a2", 3, "50.00", "guian"), Json));
        // A bid below every offer rests; one that crosses takes 3 devices from the 50.00 offer in 贵安.
        await Created(buyer.PostAsJsonAsync("/v1/bids", Bid("low", 5, "40.00"), Json));
        await Created(buyer.PostAsJsonAsync("/v1/bids", Bid("cross", 3, "52.00"), Json));

        var book = JsonNode.Parse(await buyer.GetStringAsync("/v1/book/intelligent"))!;
        // The 贵安 offer is leased out on 1 December only: 3 devices are still free on other days.
        Assert.Equal("""[{"price":50,"orders":1,"devices":3},{"price":57.5,"orders":1,"devices":4},{"price":58,"orders":2,"devices":16}]""",
            book["offers"]!.ToJsonString());
        Assert.Equal("""[{"price":40,"orders":1,"devices":5}]""", book["bids"]!.ToJsonString());
        var inZhongwei = JsonNode.Parse(await buyer.GetStringAsync("/v1/book/intelligent?cluster=zhongwei&levels=1"))!;
        Assert.Equal("""[{"price":57.5,"orders":1,"devices":4}]""", inZhongwei["offers"]!.ToJsonString());
        Assert.DoesNotContain("prov-", book.ToJsonString(), StringComparison.Ordinal);

        var bad = await buyer.GetAsync("/v1/book/quantum");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("family", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
    }

    private static object Bid(string id, int devices, string price) => new
    {
        id, family = "intelligent", devices, minScuPerDevice = "0", minMemoryGb = 0,
        from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
        price, commitment = "on-demand", split = true, tif = "GTC",
    };

    private static async Task Created(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
