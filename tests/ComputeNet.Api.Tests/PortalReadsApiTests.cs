using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The portal's provider, carrier, issuer and regulator reads (issue 14) over real HTTP on a small day whose figures are
/// worked out by hand below (and, for the regulator's, against the metering report and the invoices): who sees what, and
/// that another party gets nothing of it.
/// </summary>
/// <remarks>
/// The day (Asia/Shanghai, daily periods; SCU per device of ai-fp16-80g = 0.156):
/// <list type="bullet">
/// <item>prov-nx offers of1: 10 devices in zhongwei 12-01 00:00 → 12-03 00:00 at 58; of2: 4 devices 12-01 00:00 → 12-02 00:00 at 59, cancelled at
/// 12-01 06:00. prov-wh offers of3: 5 devices in wuhu for 12-01 at 70 (nothing buys it).</item>
/// <item>sme-sh (shanghai, east) bids 8 devices 12-01 00:00 → 12:00 → lease L1 on of1; sme-cd (chengdu, west) bids 2 devices for 12-01 → L2 on of1
/// (of1, the cheaper, still has 2 free devices every hour).</item>
/// <item>Usage: L1 u1 00:00–01:00 28,800 device-s, 10 kWh (9 green), 5 GB; u2 01:00–12:00 316,800 device-s, 100 kWh (80 green), 20 GB;
/// L2 u3 00:00–24:00 172,800 device-s, 50 kWh (45 green), 3 GB. carrier-a serves shanghai→zhongwei, carrier-b chengdu→zhongwei.</item>
/// <item>sh-gov's programme sh-compute (compute, 30 %, shanghai, valid 12-01 → 12-03): g1 50,000 fen on 11-30, g2 20,000 fen on 12-01.</item>
/// </list>
/// </remarks>
public sealed class PortalReadsApiTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private readonly Dictionary<string, HttpClient> _as = [];
    private string _l1 = "", _l2 = "";

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        foreach (var (id, roles, city, sme, routes) in new (string, string[], string?, bool, object?)[]
                 {
                     ("sme-sh", ["buyer"], "shanghai", true, null), ("sme-cd", ["buyer"], "chengdu", true, null),
                     ("prov-nx", ["provider"], null, false, null), ("prov-wh", ["provider"], null, false, null),
                     ("carrier-a", ["carrier"], null, false, new[] { new { cities = new[] { "shanghai" }, clusters = new[] { "zhongwei" } } }),
                     ("carrier-b", ["carrier"], null, false, new[] { new { cities = new[] { "chengdu" }, clusters = new[] { "zhongwei" } } }),
                     ("sh-gov", ["issuer"], null, false, null), ("other-gov", ["issuer"], null, false, null), ("ndrc", ["regulator"], null, false, null),
                 })
        {
            _as[id] = (await _host.RegisterAsync(id, roles, city, sme, routes)).Client;
        }
        await Created(_as["prov-nx"].PostAsJsonAsync("/v1/offers", Offer("of1", "zhongwei", 10, "2026-12-03T00:00:00+08:00", "58.00"), Json));
        await Created(_as["prov-nx"].PostAsJsonAsync("/v1/offers", Offer("of2", "zhongwei", 4, "2026-12-02T00:00:00+08:00", "59.00"), Json));
        await Created(_as["prov-wh"].PostAsJsonAsync("/v1/offers", Offer("of3", "wuhu", 5, "2026-12-02T00:00:00+08:00", "70.00"), Json));
        _l1 = await LeaseOf(_as["sme-sh"], "b1", 8, "2026-12-01T12:00:00+08:00");
        _l2 = await LeaseOf(_as["sme-cd"], "b2", 2, "2026-12-02T00:00:00+08:00");
        await Created(_as["sh-gov"].PostAsJsonAsync("/v1/programmes", new
        {
            id = "sh-compute", kind = "compute", coverageBp = 3000, capFen = 100000, budgetFen = 1000000,
            validFrom = "2026-12-01T00:00:00+08:00", validTo = "2026-12-03T00:00:00+08:00", buyerCities = new[] { "shanghai" },
        }, Json));
        await Created(_as["sh-gov"].PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "sh-compute", buyer = "sme-sh", faceFen = 50000 }, Json));

        _host.Clock.Set(At("2026-12-01T06:00:00+08:00"));
        await Ok(_as["prov-nx"].PostAsync("/v1/orders/of2/cancel", null));
        await Created(_as["sh-gov"].PostAsJsonAsync("/v1/grants", new { id = "g2", programme = "sh-compute", buyer = "sme-sh", faceFen = 20000 }, Json));

        _host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await Usage("u1", _l1, "2026-12-01T00:00:00+08:00", "2026-12-01T01:00:00+08:00", 28_800, "10", "9", "5");
        await Usage("u2", _l1, "2026-12-01T01:00:00+08:00", "2026-12-01T12:00:00+08:00", 316_800, "100", "80", "20");
        await Usage("u3", _l2, "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00", 172_800, "50", "45", "3");
        _host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await Ok(_host.Operator.PostAsync("/v1/periods/2026-12-01/close", null));
        _host.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await Ok(_host.Operator.PostAsync("/v1/periods/2026-12-02/close", null));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static object Offer(string id, string cluster, int devices, string to, string price) =>
        new { id, cluster, resourceClass = "ai-fp16-80g", devices, from = "2026-12-01T00:00:00+08:00", to, price };

    private async Task<string> LeaseOf(HttpClient buyer, string id, int devices, string to)
    {
        var bid = await Created(buyer.PostAsJsonAsync("/v1/bids", new
        {
            id, family = "intelligent", devices, minScuPerDevice = "0.1", minMemoryGb = 40, from = "2026-12-01T00:00:00+08:00", to,
            tier = "cross-hub", minGreen = "0", price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
        }, Json));
        var lease = Assert.Single((await ReadAsync(bid))!["leases"]!.AsArray())!;
        return lease.GetValue<string>();
    }

    private async Task Usage(string id, string lease, string from, string to, long deviceSeconds, string energy, string green, string gb) =>
        await Created(_as["prov-nx"].PostAsJsonAsync("/v1/usage", new { id, lease, from, to, deviceSeconds, energyKwh = energy, greenKwh = green, transferGb = gb }, Json));

    private static async Task<HttpResponseMessage> Created(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static async Task<HttpResponseMessage> Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private async Task<JsonNode> Get(string who, string path) => (await ReadAsync(await Ok((who == "operator" ? _host.Operator : _as[who]).GetAsync(path))))!;

    private static (long Offered, long Leased, decimal? Utilisation, long Delivered) Point(JsonNode series, string bucket)
    {
        var p = series["points"]!.AsArray().Single(p => p!["bucket"]!.GetValue<string>() == bucket)!;
        return (p["offeredDeviceHours"]!.GetValue<long>(), p["leasedDeviceHours"]!.GetValue<long>(), p["utilisation"]?.GetValue<decimal>(),
            p["deliveredDeviceSeconds"]!.GetValue<long>());
    }

    private static JsonNode Series(JsonNode view, string list, string key, string value) =>
        view[list]!.AsArray().Single(s => s![key]?.GetValue<string>() == value)!;

    [Fact]
    public async Task A_providers_utilisation_per_offer_and_cluster_per_period_and_per_hour()
    {
        var byPeriod = await Get("prov-nx", "/v1/utilisation?by=period&from=2026-12-01&to=2026-12-02");
        Assert.Equal(["2026-12-01", "2026-12-02"], byPeriod["buckets"]!.AsArray().Select(b => b!["key"]!.GetValue<string>()));
        Assert.Equal(["of1", "of2"], byPeriod["offers"]!.AsArray().Select(o => o!["offer"]!.GetValue<string>()));
        // of1: 10 devices × 24 h offered each day; leased 8 × 12 + 2 × 24 = 144 on 12-01; delivered 28,800 + 316,800 + 172,800.
        Assert.Equal((240L, 144L, 0.6m, 518_400L), Point(Series(byPeriod, "offers", "offer", "of1"), "2026-12-01"));
        Assert.Equal((240L, 0L, 0m, 0L), Point(Series(byPeriod, "offers", "offer", "of1"), "2026-12-02"));
        // of2: 4 devices until its cancellation at 06:00.
        Assert.Equal((24L, 0L, 0m, 0L), Point(Series(byPeriod, "offers", "offer", "of2"), "2026-12-01"));
        Assert.Single(Series(byPeriod, "offers", "offer", "of2")["points"]!.AsArray());
        var zhongwei = Assert.Single(byPeriod["clusters"]!.AsArray())!;
        Assert.Equal("zhongwei", zhongwei["cluster"]!.GetValue<string>());
        Assert.Equal((264L, 144L, 0.5455m, 518_400L), Point(zhongwei, "2026-12-01"));

        // Hours of 12-01 from 00:00 to 03:00 (+08:00): u1 and u3 start at 00:00, u2 at 01:00.
        var byHour = await Get("prov-nx", "/v1/utilisation?by=hour&from=2026-12-01T00:00:00%2B08:00&to=2026-12-01T03:00:00%2B08:00");
        Assert.Equal(["2026-11-30T16:00:00Z", "2026-11-30T17:00:00Z", "2026-11-30T18:00:00Z"], byHour["buckets"]!.AsArray().Select(b => b!["key"]!.GetValue<string>()));
        var of1 = Series(byHour, "offers", "offer", "of1");
        Assert.Equal((10L, 10L, 1m, 201_600L), Point(of1, "2026-11-30T16:00:00Z"));
        Assert.Equal((10L, 10L, 1m, 316_800L), Point(of1, "2026-11-30T17:00:00Z"));
        Assert.Equal((10L, 10L, 1m, 0L), Point(of1, "2026-11-30T18:00:00Z"));
        Assert.Equal((4L, 0L, 0m, 0L), Point(Series(byHour, "offers", "offer", "of2"), "2026-11-30T18:00:00Z"));
        Assert.Equal((14L, 10L, 0.7143m, 201_600L), Point(Assert.Single(byHour["clusters"]!.AsArray())!, "2026-11-30T16:00:00Z"));

        // Another provider gets only its own, whatever it asks for; a regulator any provider's, or every cluster's.
        var other = await Get("prov-wh", "/v1/utilisation?from=2026-12-01&to=2026-12-01&provider=prov-nx");
        Assert.Equal("prov-wh", other["provider"]!.GetValue<string>());
        Assert.Equal(["of3"], other["offers"]!.AsArray().Select(o => o!["offer"]!.GetValue<string>()));
        Assert.Equal((120L, 0L, 0m, 0L), Point(Series(other, "offers", "offer", "of3"), "2026-12-01"));
        var asRegulator = await Get("ndrc", "/v1/utilisation?from=2026-12-01&to=2026-12-01&provider=prov-nx");
        Assert.Equal(byPeriod["offers"]![0]!["points"]![0]!.ToJsonString(), asRegulator["offers"]![0]!["points"]![0]!.ToJsonString());
        var everyone = await Get("ndrc", "/v1/utilisation?from=2026-12-01&to=2026-12-01");
        Assert.Empty(everyone["offers"]!.AsArray());
        Assert.Equal((120L, 0L, 0m, 0L), Point(Series(everyone, "clusters", "cluster", "wuhu"), "2026-12-01"));
        Assert.Equal((264L, 144L, 0.5455m, 518_400L), Point(Series(everyone, "clusters", "cluster", "zhongwei"), "2026-12-01"));
        Assert.Equal(HttpStatusCode.Forbidden, (await _as["sme-sh"].GetAsync("/v1/utilisation")).StatusCode);
    }

    [Fact]
    public async Task Bad_ranges_are_refused_with_a_problem_naming_the_field()
    {
        foreach (var (query, field) in new[]
                 {
                     ("by=week", "by"), ("from=2026-12-03&to=2026-12-01", "from"), ("from=2026-13-01", "from"), ("from=2025-01-01&to=2026-12-01", "to"),
                     ("by=hour&from=2026-12-01T00:30:00Z&to=2026-12-01T02:00:00Z", "from"), ("by=hour&from=2026-12-01T00:00:00Z&to=2027-01-02T00:00:00Z", "to"),
                     ("by=hour&from=yesterday", "from"),
                 })
        {
            var response = await _as["prov-nx"].GetAsync($"/v1/utilisation?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
            var problem = (await ReadAsync(response))!;
            Assert.Equal(("invalid", field), (problem["code"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await _as["carrier-a"].GetAsync("/v1/transport?from=2026-12-01T00")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _as["sh-gov"].GetAsync("/v1/exports/claims")).StatusCode);
    }

    [Fact]
    public async Task A_carriers_traffic_and_revenue_per_route_and_period_match_its_invoiced_transport_lines()
    {
        // The transport lines the closes issued, as the regulator reads the invoices: per buyer (= per route here).
        var invoices = (await Get("ndrc", "/v1/invoices?period=2026-12-01"))["items"]!.AsArray();
        (long Amount, long Fee) LineOf(string buyer)
        {
            var line = invoices.Single(i => i!["buyer"]!.GetValue<string>() == buyer)!["lines"]!.AsArray().Single(l => l!["kind"]!.GetValue<string>() == "transport")!;
            return (line["amountFen"]!.GetValue<long>(), line["feeFen"]!.GetValue<long>());
        }
        var (shAmount, shFee) = LineOf("sme-sh");
        var (cdAmount, cdFee) = LineOf("sme-cd");
        Assert.True(shAmount > 0 && cdAmount > 0);

        var a = await Get("carrier-a", "/v1/transport?from=2026-12-01&to=2026-12-02&carrier=carrier-b");
        Assert.Equal("carrier-a", a["carrier"]!.GetValue<string>());
        var route = Assert.Single(a["routes"]!.AsArray())!;
        Assert.Equal(("carrier-a", "shanghai", "zhongwei", "2026-12-01"), (route["carrier"]!.GetValue<string>(), route["city"]!.GetValue<string>(),
            route["cluster"]!.GetValue<string>(), route["period"]!.GetValue<string>()));
        Assert.Equal((25m, 2L, 25m, shAmount, shFee, shAmount - shFee, 1), (route["transferredGb"]!.GetValue<decimal>(), route["records"]!.GetValue<long>(),
            route["billedGb"]!.GetValue<decimal>(), route["revenueFen"]!.GetValue<long>(), route["feeFen"]!.GetValue<long>(), route["netFen"]!.GetValue<long>(),
            route["lines"]!.GetValue<int>()));
        var b = Assert.Single((await Get("carrier-b", "/v1/transport?from=2026-12-01&to=2026-12-01"))["routes"]!.AsArray())!;
        Assert.Equal(("chengdu", 3m, cdAmount - cdFee), (b["city"]!.GetValue<string>(), b["transferredGb"]!.GetValue<decimal>(), b["netFen"]!.GetValue<long>()));
        var all = (await Get("ndrc", "/v1/transport?from=2026-12-01&to=2026-12-02"))["routes"]!.AsArray();
        Assert.Equal(["carrier-a", "carrier-b"], all.Select(r => r!["carrier"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Forbidden, (await _as["prov-nx"].GetAsync("/v1/transport")).StatusCode);
    }

    [Fact]
    public async Task An_issuers_programme_per_period_and_its_claims_with_evidence_as_csv()
    {
        var claim = Assert.Single((await Get("sh-gov", "/v1/claims?period=2026-12-01"))["items"]!.AsArray())!;
        var redeemed = claim["redeemedFen"]!.GetValue<long>();
        // L1's compute line: 14.976 SCU-hours × 58 yuan = 868.608 yuan → 86,861 fen; 30 % of it from g1 (granted first).
        Assert.Equal(26_058, redeemed);

        var view = await Get("sh-gov", "/v1/programmes/sh-compute/periods?from=2026-11-30&to=2026-12-03");
        Assert.Equal((1_000_000L, 70_000L, 26_058L, 70_000L - 26_058L), (view["budgetFen"]!.GetValue<long>(), view["grantedFen"]!.GetValue<long>(),
            view["redeemedFen"]!.GetValue<long>(), view["lapsedFen"]!.GetValue<long>()));
        var periods = view["periods"]!.AsArray().Select(p => (p!["period"]!.GetValue<string>(), p["grantedFen"]!.GetValue<long>(), p["grants"]!.GetValue<int>(),
            p["redeemedFen"]!.GetValue<long>(), p["lapsedFen"]!.GetValue<long>(), p["lapses"]!.GetValue<int>(), p["closed"]!.GetValue<bool>())).ToList();
        // Both vouchers lapse when 12-02, the last period starting inside the validity, is closed.
        Assert.Equal(
        [
            ("2026-11-30", 50_000L, 1, 0L, 0L, 0, false), ("2026-12-01", 20_000L, 1, 26_058L, 0L, 0, true),
            ("2026-12-02", 0L, 0, 0L, 70_000L - 26_058L, 2, true), ("2026-12-03", 0L, 0, 0L, 0L, 0, false),
        ], periods);
        Assert.Equal(HttpStatusCode.NotFound, (await _as["other-gov"].GetAsync("/v1/programmes/sh-compute/periods")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _as["sh-gov"].GetAsync("/v1/programmes/no-such/periods")).StatusCode);
        Assert.Equal(view.ToJsonString(), (await Get("ndrc", "/v1/programmes/sh-compute/periods?from=2026-11-30&to=2026-12-03")).ToJsonString());

        var csv = await _as["sh-gov"].GetAsync("/v1/exports/claims?period=2026-12-01");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var rows = Rows(await csv.Content.ReadAsStringAsync());
        Assert.Equal("period", rows[0][0]);
        var header = rows[0];
        var data = rows.Skip(1).Select(r => header.Zip(r).ToDictionary(x => x.First, x => x.Second)).ToList();
        Assert.Equal(["u1", "u2"], data.Select(r => r["record"]));
        Assert.All(data, r => Assert.Equal(("sh-gov", "sh-compute", "g1", "sme-sh", "26058", _l1, "compute"),
            (r["issuer"], r["programme"], r["voucher"], r["buyer"], r["redeemed_fen"], r["lease"], r["line_kind"])));
        Assert.Equal(["28800", "316800"], data.Select(r => r["device_seconds"]));
        Assert.Equal([1.248m, 13.728m], data.Select(r => decimal.Parse(r["scu_hours"], System.Globalization.CultureInfo.InvariantCulture)));

        // Another issuer gets the header only, whatever it asks for; the regulator every issuer's.
        Assert.Single(Rows(await (await _as["other-gov"].GetAsync("/v1/exports/claims?period=2026-12-01&issuer=sh-gov")).Content.ReadAsStringAsync()));
        Assert.Equal(3, Rows(await (await _as["ndrc"].GetAsync("/v1/exports/claims?period=2026-12-01")).Content.ReadAsStringAsync()).Count);
    }

    private static List<string[]> Rows(string csv)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(new StringReader(csv)) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }
        return rows;
    }

    [Fact]
    public async Task The_regulators_map_clusters_flows_and_period_status()
    {
        var view = await Get("ndrc", "/v1/reports/regional?from=2026-12-01&to=2026-12-01");
        Assert.Equal(8, view["hubs"]!.AsArray().Count);
        Assert.Equal(10, view["clusters"]!.AsArray().Count);
        var ningxia = Series(view, "hubs", "id", "ningxia");
        Assert.Equal(("resource", 37.51, 105.19), (ningxia["kind"]!.GetValue<string>(), ningxia["lat"]!.GetValue<double>(), ningxia["lon"]!.GetValue<double>()));
        var chengyu = Series(view, "hubs", "id", "chengyu");
        Assert.Equal((29.98, 105.31), (chengyu["lat"]!.GetValue<double>(), chengyu["lon"]!.GetValue<double>())); // mean of tianfu and chongqing
        Assert.Equal(0.85m, Series(view, "clusters", "id", "zhongwei")["referenceGreenShare"]!.GetValue<decimal>());

        var period = Assert.Single(view["periods"]!.AsArray())!;
        var zhongwei = Series(period, "clusters", "cluster", "zhongwei");
        // 14.976 + 7.488 SCU-hours; 160 kWh of which 134 green; 28 GB.
        Assert.Equal((264L, 144L, 0.5455m, 22.464m, 160m, 134m, 0.8375m, 28m), (zhongwei["offeredDeviceHours"]!.GetValue<long>(),
            zhongwei["leasedDeviceHours"]!.GetValue<long>(), zhongwei["utilisation"]!.GetValue<decimal>(), zhongwei["scuHours"]!.GetValue<decimal>(),
            zhongwei["energyKwh"]!.GetValue<decimal>(), zhongwei["greenKwh"]!.GetValue<decimal>(), zhongwei["greenShare"]!.GetValue<decimal>(),
            zhongwei["transferGb"]!.GetValue<decimal>()));
        var wuhu = Series(period, "clusters", "cluster", "wuhu");
        Assert.Equal((120L, 0m), (wuhu["offeredDeviceHours"]!.GetValue<long>(), wuhu["scuHours"]!.GetValue<decimal>()));
        Assert.Null(wuhu["greenShare"]);
        var flows = period["flows"]!.AsArray().Select(f => (f!["buyerCity"]!.GetValue<string>(), f["side"]!.GetValue<string>(), f["hub"]!.GetValue<string>(),
            f["scuHours"]!.GetValue<decimal>(), f["transferGb"]!.GetValue<decimal>())).ToList();
        Assert.Equal([("chengdu", "west", "ningxia", 7.488m, 3m), ("shanghai", "east", "ningxia", 14.976m, 25m)], flows);
        Assert.Equal((22.464m, 14.976m, 0.6667m, 25m), (period["scuHours"]!.GetValue<decimal>(), period["eastToWestScuHours"]!.GetValue<decimal>(),
            period["eastToWestShare"]!.GetValue<decimal>(), period["eastToWestTransferGb"]!.GetValue<decimal>()));

        // The same period's metering report (usage records read directly) agrees cluster by cluster.
        var report = await Get("ndrc", "/v1/reports/metering?period=2026-12-01");
        foreach (var c in report["clusters"]!.AsArray())
        {
            var mine = Series(period, "clusters", "cluster", c!["id"]!.GetValue<string>());
            foreach (var (theirs, ours) in new[] { ("scuHours", "scuHours"), ("energyKwh", "energyKwh"), ("greenKwh", "greenKwh"), ("greenShare", "greenShare"),
                         ("offeredDeviceHours", "offeredDeviceHours"), ("leasedDeviceHours", "leasedDeviceHours"), ("utilisation", "utilisation") })
            {
                Assert.True(c[theirs]?.GetValue<decimal>() == mine[ours]?.GetValue<decimal>(), $"{c["id"]} {theirs}: {c[theirs]} against {mine[ours]}");
            }
        }
        Assert.Equal(report["eastToWestScuHours"]!.GetValue<decimal>(), period["eastToWestScuHours"]!.GetValue<decimal>());
        Assert.Equal(report["eastToWestShare"]!.GetValue<decimal>(), period["eastToWestShare"]!.GetValue<decimal>());

        var statuses = (await Get("ndrc", "/v1/periods?from=2026-11-30&to=2026-12-04")).AsArray()
            .Select(p => (p!["period"]!.GetValue<string>(), p["state"]!.GetValue<string>(), p["checkpointed"]!.GetValue<bool>(), p["verify"]?.GetValue<string>()))
            .ToList();
        Assert.Equal(
        [
            ("2026-11-30", "ended", false, null), ("2026-12-01", "closed", true, "/v1/verify/periods/2026-12-01"),
            ("2026-12-02", "closed", true, "/v1/verify/periods/2026-12-02"), ("2026-12-03", "open", false, null), ("2026-12-04", "open", false, null),
        ], statuses);
        var closed = (await Get("ndrc", "/v1/periods?from=2026-12-01&to=2026-12-01")).AsArray().Single()!;
        var checkpoint = await Get("ndrc", "/v1/checkpoints/2026-12-01");
        Assert.Equal(checkpoint["merkleRoot"]!.GetValue<string>(), closed["merkleRoot"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _as["ndrc"].GetAsync(closed["verify"]!.GetValue<string>())).StatusCode);

        foreach (var who in new[] { "sme-sh", "prov-nx", "carrier-a", "sh-gov" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await _as[who].GetAsync("/v1/reports/regional")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await _as[who].GetAsync("/v1/periods")).StatusCode);
        }
    }
}
