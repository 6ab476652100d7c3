using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>Usage batches and CloudEvents over HTTP: per-record outcomes, nothing half-stored, repeats as no-ops.</summary>
public sealed class UsageIngestionTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private HttpClient _provider = null!;
    private string _lease = "";

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var buyer = (await _host.RegisterAsync("b", ["buyer"], "shanghai", sme: true)).Client;
        _provider = (await _host.RegisterAsync("p", ["provider"])).Client;
        await _provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
        }, Json);
        var bid = await buyer.PostAsJsonAsync("/v1/bids", new
        {
            id = "b1", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
            price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
        }, Json);
        _lease = (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
        _host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private object Hour(string id, int hour, long deviceSeconds = 28_800) => new
    {
        id, lease = _lease, from = At("2026-12-01T00:00:00+08:00").Plus(NodaTime.Duration.FromHours(hour)).ToDateTimeOffset(),
        to = At("2026-12-01T00:00:00+08:00").Plus(NodaTime.Duration.FromHours(hour + 1)).ToDateTimeOffset(),
        deviceSeconds, energyKwh = "10", greenKwh = "8", transferGb = "0",
    };

    [Fact]
    public async Task Batch_stores_the_valid_records_and_reports_each_refused_one()
    {
        var response = await _provider.PostAsJsonAsync("/v1/usage/batch", new
        {
            records = new[]
            {
                Hour("h0", 0), Hour("h1", 1),
                Hour("h1-overlap", 1),                 // overlaps h1, accepted earlier in the same batch
                Hour("h2-over", 2, 8 * 3600 + 1),      // above 8 devices × 3600 s
                Hour("h0", 0),                         // exact repeat of h0 within the batch
                Hour("h3", 3),
            },
        }, Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await ReadAsync(response))!;
        Assert.Equal((3, 1, 2), (result["stored"]!.GetValue<int>(), result["repeats"]!.GetValue<int>(), result["rejected"]!.GetValue<int>()));
        var records = result["records"]!.AsArray();
        Assert.Equal("overlap", records[2]!["code"]!.GetValue<string>());
        Assert.Equal("over-capacity", records[3]!["code"]!.GetValue<string>());
        Assert.Equal("repeat", records[4]!["status"]!.GetValue<string>());

        var again = (await ReadAsync(await _provider.PostAsJsonAsync("/v1/usage/batch", new { records = new[] { Hour("h0", 0), Hour("h3", 3) } }, Json)))!;
        Assert.Equal((0, 2), (again["stored"]!.GetValue<int>(), again["repeats"]!.GetValue<int>()));
        var stored = (await ReadAsync(await _provider.GetAsync($"/v1/usage?lease={_lease}")))!["items"]!.AsArray();
        Assert.Equal(["h0", "h1", "h3"], stored.Select(r => r!["recordId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CloudEvents_in_structured_mode_are_recorded_and_a_forged_source_is_refused()
    {
        object Event(string id, int hour, string source = "p") => new
        {
            specversion = "1.0", type = "computenet.usage.v1", source, id, datacontenttype = "application/json",
            data = new
            {
                lease = _lease, from = At("2026-12-01T00:00:00+08:00").Plus(NodaTime.Duration.FromHours(hour)).ToDateTimeOffset(),
                to = At("2026-12-01T00:00:00+08:00").Plus(NodaTime.Duration.FromHours(hour + 1)).ToDateTimeOffset(),
                deviceSeconds = 3600, energyKwh = "1", greenKwh = "1", transferGb = "0",
            },
        };

        var single = new StringContent(JsonSerializer.Serialize(Event("ce-1", 5), Json), Encoding.UTF8, "application/cloudevents+json");
        var one = (await ReadAsync(await _provider.PostAsync("/v1/usage/cloudevents", single)))!;
        Assert.Equal(1, one["stored"]!.GetValue<int>());

        var batch = new StringContent(JsonSerializer.Serialize(new[] { Event("ce-2", 6), Event("ce-3", 7, source: "someone-else") }, Json),
            Encoding.UTF8, "application/cloudevents-batch+json");
        var two = (await ReadAsync(await _provider.PostAsync("/v1/usage/cloudevents", batch)))!;
        Assert.Equal((1, 1), (two["stored"]!.GetValue<int>(), two["rejected"]!.GetValue<int>()));
        Assert.Equal("invalid", two["records"]![1]!["code"]!.GetValue<string>());
        Assert.Contains("source must be the calling provider", two["records"]![1]!["reason"]!.GetValue<string>());
        Assert.Equal("ce-3", two["records"]![1]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_whole()
    {
        var records = Enumerable.Range(0, 10_001).Select(i => Hour($"x{i}", 0)).ToArray();
        var response = await _provider.PostAsJsonAsync("/v1/usage/batch", new { records }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty((await ReadAsync(await _provider.GetAsync("/v1/usage")))!["items"]!.AsArray());
    }
}
