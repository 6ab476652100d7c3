using System.Net;
using System.Net.Http.Json;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The closed market day the API tests start from (market-rules §13), traded, metered and closed over real HTTP: prov-nx
/// offers of1 (64 ai-fp16-80g devices at zhongwei for the week from 2026-12-01, at 58.00); each buyer bids on demand for 8
/// of them on 2026-12-01 at 60.00 and is matched at once; at 00:10 the next morning the provider reports the full day on
/// each lease (576,000 device-seconds, a line of 144,768 fen); at 01:00 the operator closes 2026-12-01. The parties, and
/// what a test sets up before the offer (programmes, grants, pairings, the clock), stay in the test.
/// </summary>
public static class ClosedDay
{
    /// <summary>
    /// Trades, meters and closes the day on <paramref name="host"/>, the offer at the host clock's current time; returns
    /// the lease of each line, in the order of <paramref name="lines"/>.
    /// </summary>
    /// <param name="lines">Each buyer's line: its client, its bid's id and the id of the usage record on its lease.</param>
    /// <param name="metered">The usage records also report 100 kWh, 85 of them green, and no transfer; otherwise no energy at all.</param>
    public static async Task<IReadOnlyList<string>> CloseAsync(ApiTestHost host, HttpClient provider,
        IReadOnlyList<(HttpClient Buyer, string Bid, string Usage)> lines, bool metered = false)
    {
        await Expect(HttpStatusCode.Created, provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
        }, Json));
        var leases = new List<string>();
        foreach (var (buyer, bid, _) in lines)
        {
            var matched = await Expect(HttpStatusCode.Created, buyer.PostAsJsonAsync("/v1/bids", new
            {
                id = bid, family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
                from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
                price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
            }, Json));
            leases.Add(matched["leases"]![0]!.GetValue<string>());
        }

        host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        foreach (var ((_, _, usage), lease) in lines.Zip(leases))
        {
            await Expect(HttpStatusCode.Created, provider.PostAsJsonAsync("/v1/usage", new
            {
                id = usage, lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", deviceSeconds = 576_000,
                energyKwh = metered ? "100" : null, greenKwh = metered ? "85" : null, transferGb = metered ? "0" : null,
            }, Json));
        }
        host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await Expect(HttpStatusCode.OK, host.Operator.PostAsync("/v1/periods/2026-12-01/close", null));
        return leases;
    }
}
