using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// Who did what (issue 13, item 5): every accepted command records the key that sent it — in its events' metadata and in
/// the action log — and regulators list the actions of a party or of a period; a party sees its own only.
/// </summary>
public sealed class ActionLogTests
{
    [Fact]
    public async Task Each_accepted_command_records_its_key_and_regulators_list_them_by_party_and_period()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var (buyer, buyerKey) = await host.RegisterAsync("sme-sh-1", ["buyer"], "shanghai", sme: true);
        var (provider, providerKey) = await host.RegisterAsync("prov-nx", ["provider"]);
        var (regulator, _) = await host.RegisterAsync("ndrc", ["regulator"]);
        var operatorKeyId = Application.Actions.Actor.OperatorKey(OperatorKey).KeyId;

        host.Clock.Set(At("2026-11-30T09:00:00+08:00"));
        var offer = await provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
        }, Json);
        Assert.Equal(HttpStatusCode.Created, offer.StatusCode);
        host.Clock.Set(At("2026-12-01T10:00:00+08:00"));
        var bid = new
        {
            id = "b1", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = "2026-12-01T11:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub",
            price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
        };
        Assert.Equal(HttpStatusCode.Created, (await buyer.PostAsJsonAsync("/v1/bids", bid, Json)).StatusCode);
        // A repeat and a rejection append nothing, so they are not actions.
        Assert.Equal(HttpStatusCode.OK, (await buyer.PostAsJsonAsync("/v1/bids", bid, Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await buyer.PostAsJsonAsync("/v1/bids", bid with { devices = 9 }, Json)).StatusCode);

        // By party: the buyer's registration (by the operator's key) and its bid (by its own key).
        var buyers = await ListAsync(regulator, "/v1/actions?party=sme-sh-1");
        Assert.Equal(["party_registered", "bid_placed"], buyers.Select(a => a["kind"]!.GetValue<string>()));
        Assert.Equal(operatorKeyId, buyers[0]["keyId"]!.GetValue<string>());
        Assert.Equal("operator", buyers[0]["actorParty"]!.GetValue<string>());
        Assert.Equal(buyerKey[..12], buyers[1]["keyId"]!.GetValue<string>());
        Assert.Equal("sme-sh-1", buyers[1]["actorParty"]!.GetValue<string>());
        Assert.Equal("b1", buyers[1]["target"]!.GetValue<string>());
        Assert.DoesNotContain(buyers, a => a["keyId"]!.GetValue<string>() == buyerKey);

        // By period: 2026-12-01 (Asia/Shanghai) holds the bid only; the registrations and the offer were the day before.
        var day = await ListAsync(regulator, "/v1/actions?period=2026-12-01");
        Assert.Equal("bid_placed", Assert.Single(day)["kind"]!.GetValue<string>());
        var before = await ListAsync(regulator, "/v1/actions?period=2026-11-30");
        Assert.Equal(["party_registered", "party_registered", "party_registered", "offer_listed"], before.Select(a => a["kind"]!.GetValue<string>()));
        Assert.Equal(providerKey[..12], before[3]["keyId"]!.GetValue<string>());

        // Paging: one at a time through the Link header reaches every action once, in order.
        var all = await ListAsync(regulator, "/v1/actions");
        var paged = new List<JsonNode>();
        var next = "/v1/actions?limit=1";
        while (next is not null)
        {
            var response = await regulator.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            paged.AddRange((await ReadAsync(response))!.AsArray().Select(a => a!));
            next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(all.Select(a => a["id"]!.GetValue<long>()), paged.Select(a => a["id"]!.GetValue<long>()));
        Assert.Equal(5, all.Count);

        // A party sees its own actions, whatever it asks for; bad queries are problems with a code.
        var own = await ListAsync(provider, "/v1/actions?party=sme-sh-1");
        Assert.Equal(["party_registered", "offer_listed"], own.Select(a => a["kind"]!.GetValue<string>()));
        var bad = await regulator.GetAsync("/v1/actions?period=2026-13-01");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("period", (await ReadAsync(bad))!["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await regulator.GetAsync("/v1/actions?limit=0")).StatusCode);
        // The ends of time (found by the fuzzer): nothing there, and no 500.
        Assert.Empty(await ListAsync(regulator, "/v1/actions?period=-0001-01-01"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client().GetAsync("/v1/actions")).StatusCode);

        // The events themselves carry the acting key: headers on the party's events, and the market block names the bid's key.
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var registered = (await session.Events.FetchStreamAsync("party:sme-sh-1")).First();
        Assert.Equal(operatorKeyId, registered.Headers!["actor"].ToString());
        var blocks = await session.Events.FetchStreamAsync("market");
        var block = blocks.Single(e => e.Headers?.ContainsKey("actors") == true && e.Headers["actors"].ToString()!.Contains("sme-sh-1/b1"));
        Assert.Contains(buyerKey[..12], block.Headers!["actors"].ToString());
    }

    [Fact]
    public async Task A_period_listing_starts_at_the_period_and_pages_in_time_order()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var (regulator, _) = await host.RegisterAsync("ndrc", ["regulator"]);
        for (var day = 1; day <= 3; day++)
        {
            host.Clock.Set(At($"2026-12-0{day}T12:00:00+08:00"));
            for (var i = 0; i < 3; i++)
            {
                await host.RegisterAsync($"p{day}{i}", ["buyer"], "shanghai");
            }
        }
        var second = await ListAsync(regulator, "/v1/actions?period=2026-12-02&limit=2");
        Assert.Equal(["p20", "p21"], second.Select(a => a["party"]!.GetValue<string>()));
        var rest = await ListAsync(regulator, $"/v1/actions?period=2026-12-02&limit=2&after={second[1]["id"]}");
        Assert.Equal(["p22"], rest.Select(a => a["party"]!.GetValue<string>()));
    }

    private static async Task<List<JsonNode>> ListAsync(HttpClient client, string uri)
    {
        var response = await client.GetAsync(uri);
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{uri}: {(int)response.StatusCode} {body}");
        return body!.AsArray().Select(a => a!).ToList();
    }
}
