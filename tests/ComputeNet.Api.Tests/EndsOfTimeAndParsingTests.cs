using System.Net;
using System.Text;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The 500s the fuzzer found (issue 13), each now a 400 problem or a reported malformed line: times and periods at the
/// ends of time, unknown charsets, NUL in text, lone surrogates in CloudEvents, null batch records.
/// </summary>
public sealed class EndsOfTimeAndParsingTests : IAsyncLifetime
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

    private static StringContent Json(string json, string contentType = "application/json") => new(json, Encoding.UTF8)
    {
        Headers = { ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType) },
    };

    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await ReadAsync(response))?["code"]?.GetValue<string>() ?? "";
    }

    private static string Bid(string from, string to) => $$"""
        { "id": "b1", "family": "intelligent", "devices": 8, "minScuPerDevice": "0.1", "minMemoryGb": 40, "from": "{{from}}", "to": "{{to}}",
          "tier": "cross-hub", "minGreen": "0", "price": "60.00", "commitment": "on-demand", "split": true, "tif": "GTC" }
        """;

    [Theory]
    [InlineData("9999-12-31T20:00:00-05:00", "9999-12-31T21:00:00-05:00")]
    [InlineData("9999-12-31T23:00:00+14:00", "9999-12-31T23:00:00+14:00")]
    [InlineData("0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00")]
    [InlineData("-0001-01-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-01T00:00:00Z", "9999-12-31T23:59:59.9999999-14:00")]
    public async Task Orders_at_the_ends_of_time_are_invalid_not_500(string from, string to)
    {
        Assert.Equal("invalid", await Problem(await _buyer.PostAsync("/v1/bids", Json(Bid(from, to))), HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("/v1/exports/focus?period=9999-12-31")]
    [InlineData("/v1/reports/metering?period=9999-12-31")]
    [InlineData("/v1/reports/metering?period=9999-12")]
    public async Task The_last_day_of_the_calendar_is_no_period(string path)
    {
        Assert.Equal("invalid", await Problem(await _host.Operator.GetAsync(path), HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("9999-12-31T10:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public async Task Usage_in_the_last_day_of_the_calendar_is_invalid(string from)
    {
        var usage = $$"""{"id":"u1","lease":"lease-000001","from":"{{from}}","to":"9999-12-31T23:59:59Z","deviceSeconds":1}""";
        var response = await _provider.PostAsync("/v1/usage", Json(usage));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/v1/trades?party=b&offset=2147483647")]
    [InlineData("/v1/orders?offset=2147483000&limit=1000")]
    [InlineData("/v1/usage?offset=2147483647")]
    public async Task An_offset_near_int_max_is_invalid_not_a_negative_limit(string path)
    {
        Assert.Equal("invalid", await Problem(await _host.Operator.GetAsync(path), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task An_unknown_charset_is_invalid_not_500()
    {
        Assert.Equal("invalid", await Problem(await _buyer.PostAsync("/v1/bids", Json(Bid("2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00"), "application/json; charset=nope")), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Nul_in_a_body_or_a_query_is_invalid_not_500()
    {
        Assert.Equal("invalid", await Problem(await _host.Operator.PostAsync("/v1/reversals", Json("""{"id":"r1","txId":"a\u0000b","reason":"x"}""")), HttpStatusCode.BadRequest));
        Assert.Equal("invalid", await Problem(await _host.Operator.GetAsync("/v1/orders?party=a%00b"), HttpStatusCode.BadRequest));
        var batch = """{"records":[{"id":"u\u0000","lease":"l","from":"2026-12-01T00:00:00Z","to":"2026-12-01T01:00:00Z","deviceSeconds":1}]}""";
        Assert.Equal("invalid", await Problem(await _provider.PostAsync("/v1/usage/batch", Json(batch)), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Lone_surrogates_and_nul_in_cloudevents_are_malformed_lines()
    {
        var events = """[{"specversion":"1.0","type":"\ud800","source":"p","id":"e1","data":{}},{"specversion":"1.0","type":"computenet.usage.v1","source":"p","id":"e\u0000","data":{}},"""
            + """{"specversion":"1.0","type":"computenet.usage.v1","source":"p","id":"e3","data":{"lease":"l\u0000","from":"2026-12-01T00:00:00Z","to":"2026-12-01T01:00:00Z","deviceSeconds":1}},"""
            + """{"\udc00":1,"specversion":"1.0","type":"computenet.usage.v1","source":"p","id":"e4","data":{}}]""";
        var response = await _provider.PostAsync("/v1/usage/cloudevents", Json(events, "application/cloudevents-batch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, (await ReadAsync(response))!["rejected"]!.GetValue<int>());
    }

    [Fact]
    public async Task Null_in_a_list_is_invalid_naming_the_element()
    {
        var batch = await _provider.PostAsync("/v1/usage/batch", Json("""{"records":[null]}"""));
        Assert.Equal("invalid", await Problem(batch, HttpStatusCode.BadRequest));
        var party = await _host.Operator.PostAsync("/v1/parties", Json("""{"id":"c2","roles":["carrier"],"routes":[{},null]}"""));
        Assert.Equal("invalid", await Problem(party, HttpStatusCode.BadRequest));
        Assert.Equal("routes[1]", (await ReadAsync(party))!["field"]!.GetValue<string>());
    }
}
