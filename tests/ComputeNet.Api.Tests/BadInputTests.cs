using System.Net;
using System.Net.Http.Json;
using System.Text;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>Malformed, mistyped, incomplete and unknown input is answered with problem details and changes nothing.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private HttpClient _buyer = null!;
    private HttpClient _provider = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        _buyer = (await _host.RegisterAsync("b", ["buyer"], "shanghai", sme: true)).Client;
        _provider = (await _host.RegisterAsync("p", ["provider"])).Client;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<string> StateAsync()
    {
        var orders = await _host.Operator.GetStringAsync("/v1/orders");
        var trades = await _host.Operator.GetStringAsync("/v1/trades");
        var parties = await _host.Operator.GetStringAsync("/v1/parties");
        return orders + trades + parties;
    }

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    private const string GoodBid = """
        { "id": "b1", "family": "intelligent", "devices": 8, "minScuPerDevice": "0.1", "minMemoryGb": 40,
          "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-02T00:00:00+08:00", "tier": "cross-hub", "minGreen": "0",
          "price": "60.00", "commitment": "on-demand", "split": true, "tif": "GTC" }
        """;

    public static TheoryData<string, string, string, int, string?> Cases() => new()
    {
        { "malformed JSON", "/v1/bids", "{ \"id\": ", 400, null },
        { "wrong type", "/v1/bids", GoodBid.Replace("\"devices\": 8", "\"devices\": \"eight\""), 400, "devices" },
        { "wrong type for a time", "/v1/bids", GoodBid.Replace("\"2026-12-01T00:00:00+08:00\"", "\"tomorrow\""), 400, "from" },
        { "missing family", "/v1/bids", GoodBid.Replace("\"family\": \"intelligent\",", ""), 400, "family" },
        { "missing split", "/v1/bids", GoodBid.Replace("\"split\": true,", ""), 400, "split" },
        { "missing id", "/v1/bids", GoodBid.Replace("\"id\": \"b1\",", ""), 400, "id" },
        { "unknown tier", "/v1/bids", GoodBid.Replace("cross-hub", "galactic"), 400, "tier" },
        { "unknown time in force", "/v1/bids", GoodBid.Replace("GTC", "1"), 400, "tif" },
        { "window started", "/v1/bids", GoodBid.Replace("2026-12-01T00:00:00+08:00", "2026-11-30T08:00:00+08:00"), 422, "from" },
        { "empty body", "/v1/bids", "", 400, null },
        { "array instead of object", "/v1/bids", "[]", 400, null },
        // market-rules §6 (issue 13): a lone surrogate, escaped or not, and an order whose full window is beyond 2^53 − 1 fen.
        { "lone surrogate escaped in an id", "/v1/bids", GoodBid.Replace("\"id\": \"b1\"", "\"id\": \"b\\ud800\""), 400, null },
        { "lone low surrogate escaped in a city", "/v1/bids", GoodBid.Replace("\"tif\": \"GTC\"", "\"tif\": \"GTC\", \"city\": \"\\udead\""), 400, null },
        { "full window beyond 2^53 − 1 fen", "/v1/bids", GoodBid.Replace("\"devices\": 8", "\"devices\": 1000000").Replace("\"60.00\"", "\"1000000\"")
            .Replace("\"to\": \"2026-12-02T00:00:00+08:00\"", "\"to\": \"2027-12-01T00:00:00+08:00\""), 400, "price" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_bid_is_a_problem_details_answer_and_changes_nothing(string why, string path, string body, int status, string? field)
    {
        var before = await StateAsync();
        var response = await _buyer.PostAsync(path, Raw(body));
        var problem = await ReadAsync(response);

        Assert.True(status == (int)response.StatusCode, $"{why}: {(int)response.StatusCode} {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, problem!["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()));
        Assert.NotNull(problem["code"]);
        if (field is not null)
        {
            Assert.Equal(field, problem["field"]?.GetValue<string>());
        }
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Orders_that_together_could_bill_a_party_beyond_2_to_the_53_are_refused_on_arrival()
    {
        // market-rules §6: each of these bids is within the bound on its own (1,000,000 devices for a year at 12,000 yuan:
        // 5.2e15 fen), but the buyer's exposure with both would be 1.04e16 fen, so a later invoice or balance could not hold it.
        string Big(string id) => GoodBid.Replace("\"id\": \"b1\"", $"\"id\": \"{id}\"").Replace("\"devices\": 8", "\"devices\": 1000000")
            .Replace("\"60.00\"", "\"12000\"").Replace("\"to\": \"2026-12-02T00:00:00+08:00\"", "\"to\": \"2027-12-01T00:00:00+08:00\"");
        var first = await _buyer.PostAsync("/v1/bids", Raw(Big("exposure-1")));
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        var before = await StateAsync();
        var second = await _buyer.PostAsync("/v1/bids", Raw(Big("exposure-2")));
        var problem = await ReadAsync(second);
        Assert.Equal(400, (int)second.StatusCode);
        Assert.Equal("invalid", problem!["code"]!.GetValue<string>());
        Assert.Equal("devices", problem["field"]!.GetValue<string>());
        Assert.Contains("9007199254740991", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());

        // Cancelling the first releases its exposure: the same second bid is then accepted.
        Assert.True((await _buyer.PostAsync("/v1/orders/exposure-1/cancel", null)).IsSuccessStatusCode);
        var again = await _buyer.PostAsync("/v1/bids", Raw(Big("exposure-2")));
        Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
        Assert.True((await _buyer.PostAsync("/v1/orders/exposure-2/cancel", null)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Unknown_ids_are_invalid_and_name_the_field()
    {
        var offer = await _provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "atlantis", resourceClass = "ai-fp16-80g", devices = 4,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", price = "58",
        }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, offer.StatusCode);
        Assert.Equal("cluster", (await ReadAsync(offer))!["field"]!.GetValue<string>());

        var usage = await _provider.PostAsJsonAsync("/v1/usage", new
        {
            id = "u1", lease = "lease-424242", from = "2026-12-01T00:00:00+08:00", to = "2026-12-01T01:00:00+08:00", deviceSeconds = 1,
        }, Json);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, usage.StatusCode);
        Assert.Equal("unknown-lease", (await ReadAsync(usage))!["code"]!.GetValue<string>());

        var close = await _host.Operator.PostAsync("/v1/periods/not-a-date/close", null);
        Assert.Equal(HttpStatusCode.BadRequest, close.StatusCode);
        var notEnded = await _host.Operator.PostAsync("/v1/periods/2026-12-01/close", null);
        Assert.Equal(HttpStatusCode.Conflict, notEnded.StatusCode);
        Assert.Equal("period-not-ended", (await ReadAsync(notEnded))!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Oversized_bodies_and_out_of_range_pages_are_refused()
    {
        var huge = "{\"id\":\"" + new string('x', 300 * 1024) + "\"}";
        var response = await _buyer.PostAsync("/v1/bids", Raw(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        var page = await _buyer.GetAsync("/v1/orders?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("limit", (await ReadAsync(page))!["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await _buyer.GetAsync("/v1/orders?limit=5000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _buyer.GetAsync("/v1/orders?offset=-1")).StatusCode);
    }

    [Fact]
    public async Task Lists_are_paged()
    {
        for (var i = 0; i < 5; i++)
        {
            var bid = GoodBid.Replace("\"b1\"", $"\"b{i}\"");
            Assert.Equal(HttpStatusCode.Created, (await _buyer.PostAsync("/v1/bids", Raw(bid))).StatusCode);
        }
        var first = (await ReadAsync(await _buyer.GetAsync("/v1/orders?limit=2")))!;
        Assert.Equal(2, first["items"]!.AsArray().Count);
        Assert.Equal(2, first["nextOffset"]!.GetValue<int>());
        var last = (await ReadAsync(await _buyer.GetAsync("/v1/orders?offset=4&limit=2")))!;
        Assert.Single(last["items"]!.AsArray());
        Assert.Null(last["nextOffset"]);
    }
}
