using System.Text.Json.Nodes;
using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>Each line kind rated end to end through a scenario, against figures computed by hand in the comments.</summary>
public sealed class RatingScenarioTests
{
    private static async Task<ScenarioResult> RunAsync(JsonNode scenario)
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        return await TestDatabase.Runner().RunAsync(scenario.ToJsonString(), new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
    }

    private static JsonNode Scenario(string parties, string actions, string latencies = "[]") => JsonNode.Parse($$"""
        {
          "name": "rating",
          "latencies": {{latencies}},
          "parties": [
            { "id": "sme-sh", "roles": ["buyer"], "city": "shanghai", "sme": true },
            { "id": "sme-bj", "roles": ["buyer"], "city": "beijing", "sme": true },
            { "id": "prov", "roles": ["provider"] },
            {{parties}}
          ],
          "actions": {{actions}}
        }
        """)!;

    private static string Offer(string id, string cluster, string from = "2026-12-01T00:00:00+08:00", string to = "2026-12-03T00:00:00+08:00") => $$"""
        { "at": "2026-11-30T09:00:00+08:00", "type": "offer", "id": "{{id}}", "party": "prov", "cluster": "{{cluster}}",
          "resourceClass": "ai-fp16-80g", "devices": 16, "from": "{{from}}", "to": "{{to}}", "price": "58.00" }
        """;

    private static string Bid(string id, string party, string tier, string commitment, int devices = 2,
        string from = "2026-12-01T00:00:00+08:00", string to = "2026-12-02T00:00:00+08:00") => $$"""
        { "at": "2026-11-30T10:00:00+08:00", "type": "bid", "id": "{{id}}", "party": "{{party}}", "family": "intelligent", "devices": {{devices}},
          "minScuPerDevice": "0.1", "minMemoryGb": 40, "from": "{{from}}", "to": "{{to}}", "tier": "{{tier}}", "minGreen": "0",
          "price": "60.00", "commitment": "{{commitment}}", "split": true, "tif": "GTC" }
        """;

    private static string Usage(string id, string bid, string offer, string from, string to, long deviceSeconds, string gb, string at) => $$"""
        { "at": "{{at}}", "type": "usage", "id": "{{id}}", "party": "prov", "bid": "{{bid}}", "offer": "{{offer}}",
          "from": "{{from}}", "to": "{{to}}", "deviceSeconds": {{deviceSeconds}}, "energyKwh": "10", "greenKwh": "5", "transferGb": "{{gb}}" }
        """;

    private static string Close(string period, string at) => $$"""{ "at": "{{at}}", "type": "close", "period": "{{period}}" }""";

    [Fact]
    public async Task Transport_lines_are_priced_by_the_actual_tier_and_earned_by_the_route_carrier()
    {
        // Shanghai–中卫 is cross-hub (0.08 yuan/GB); Beijing–张家口 is 1.1 ms, regional (0.05); with a measured 0.9 ms it would be city (0.02).
        var scenario = Scenario(
            """{ "id": "carrier-1", "roles": ["carrier"], "routes": [ { "cities": ["shanghai", "beijing"], "clusters": ["zhongwei", "zhangjiakou"] } ] }""",
            $"""
            [ {Offer("of-nx", "zhongwei")}, {Offer("of-zjk", "zhangjiakou")},
              {Bid("b-sh", "sme-sh", "cross-hub", "on-demand")}, {Bid("b-bj", "sme-bj", "regional", "on-demand")},
              {Usage("u1", "b-sh", "of-nx", "2026-12-01T00:00:00+08:00", "2026-12-01T12:00:00+08:00", 0, "1250.5", "2026-12-01T12:00:00+08:00")},
              {Usage("u2", "b-bj", "of-zjk", "2026-12-01T00:00:00+08:00", "2026-12-01T12:00:00+08:00", 0, "333.33", "2026-12-01T12:00:00+08:00")},
              {Close("2026-12-01", "2026-12-02T01:00:00+08:00")} ]
            """);

        var r = await RunAsync(scenario);

        Assert.Empty(r.Rejections);
        var sh = Assert.Single(Assert.Single(r.Invoices, i => i.Buyer == "sme-sh").Lines);
        // 1250.5 GB × 0.08 = 100.04 yuan; tax round(10004 × 6 / 106) = 566
        Assert.Equal(("transport", 10_004L, 566L), (sh.Kind, sh.AmountFen, sh.TaxFen));
        var bj = Assert.Single(Assert.Single(r.Invoices, i => i.Buyer == "sme-bj").Lines);
        // 333.33 GB × 0.05 = 16.6665 yuan → 1666.65 fen → 1667 (half away from zero)
        Assert.Equal(("transport", 1_667L), (bj.Kind, bj.AmountFen));
        var carrier = Assert.Single(Assert.Single(r.Statements).Carriers);
        // fees: share(10004, 100 bp) = 100; share(1667, 100 bp) = 16.67 → 17
        Assert.Equal(("carrier-1", 11_671L, 117L, 11_554L), (carrier.Party, carrier.GrossFen, carrier.FeeFen, carrier.NetFen));
        Assert.Equal(-11_554, r.Ledger.Balances["carrier:carrier-1"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);

        scenario["latencies"] = JsonNode.Parse("""[ { "city": "beijing", "cluster": "zhangjiakou", "ms": "0.9" } ]""");
        var city = await RunAsync(scenario);
        // with the measured 0.9 ms the pair is city tier: 333.33 × 0.02 = 6.6666 yuan → 667 fen
        Assert.Equal(667, Assert.Single(Assert.Single(city.Invoices, i => i.Buyer == "sme-bj").Lines).AmountFen);
    }

    [Fact]
    public async Task Usage_naming_a_route_no_carrier_serves_is_refused_no_carrier()
    {
        var r = await RunAsync(Scenario(
            """{ "id": "ops", "roles": ["operator"] }""",
            $"""
            [ {Offer("of-nx", "zhongwei")}, {Bid("b-sh", "sme-sh", "cross-hub", "on-demand")},
              {Usage("u1", "b-sh", "of-nx", "2026-12-01T00:00:00+08:00", "2026-12-01T12:00:00+08:00", 1000, "1", "2026-12-01T12:00:00+08:00")} ]
            """));

        Assert.Equal(("usage", "u1", "no-carrier"), (r.Rejections[0].Type, r.Rejections[0].Id, r.Rejections[0].Code));
    }

    [Fact]
    public async Task Reserved_lease_across_midnight_is_billed_per_period_and_credited_when_delivery_falls_short()
    {
        // 2 devices reserved 20:00–04:00: 4 h in each day. Each day: 2 × 4 × 3600 = 28,800 device-seconds
        // × 0.156 × 58.00 × 100 / 3600 = 7,238.4 → 7,238 fen. Delivered 50,000 of 57,600 device-seconds (86.8 % < 99 %):
        // SLA credit in the period of the last hour (12-02) = −share(7,238 + 7,238, 1000 bp) = −1,447.6 → −1,448.
        var r = await RunAsync(Scenario(
            """{ "id": "ops", "roles": ["operator"] }""",
            $"""
            [ {Offer("of-nx", "zhongwei")},
              {Bid("b-res", "sme-sh", "cross-hub", "reserved", 2, "2026-12-01T20:00:00+08:00", "2026-12-02T04:00:00+08:00")},
              {Usage("u1", "b-res", "of-nx", "2026-12-01T20:00:00+08:00", "2026-12-02T04:00:00+08:00", 50000, "0", "2026-12-02T04:00:00+08:00")},
              {Close("2026-12-01", "2026-12-02T05:00:00+08:00")},
              {Close("2026-12-02", "2026-12-03T01:00:00+08:00")} ]
            """));

        Assert.Empty(r.Rejections);
        var day1 = Assert.Single(r.Invoices, i => i.Period == "2026-12-01");
        Assert.Equal([("compute", 7_238L)], day1.Lines.Select(l => (l.Kind, l.AmountFen)));
        var day2 = Assert.Single(r.Invoices, i => i.Period == "2026-12-02");
        Assert.Equal([("compute", 7_238L, 410L), ("sla-credit", -1_448L, -82L)], day2.Lines.Select(l => (l.Kind, l.AmountFen, l.TaxFen)));
        Assert.Equal(5_790, day2.AmountFen);

        // fees 217 per compute line, none on the credit; the provider bears the credit whole.
        Assert.Equal(13_028, r.Ledger.Balances["buyer:sme-sh"]);
        Assert.Equal(-12_594, r.Ledger.Balances["provider:prov"]);
        Assert.Equal(-434, r.Ledger.Balances["platform:fees"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
        var provider = Assert.Single(r.Statements[1].Providers);
        Assert.Equal((5_790L, 217L, 5_573L), (provider.GrossFen, provider.FeeFen, provider.NetFen));
    }

    [Fact]
    public async Task Reserved_lease_delivered_in_full_gets_no_credit_and_on_demand_record_straddling_midnight_belongs_to_its_start()
    {
        // An on-demand record 23:00–01:00 belongs wholly to the day it starts in (12-01).
        var r = await RunAsync(Scenario(
            """{ "id": "ops", "roles": ["operator"] }""",
            $"""
            [ {Offer("of-nx", "zhongwei")},
              {Bid("b-res", "sme-sh", "cross-hub", "reserved", 2, "2026-12-01T20:00:00+08:00", "2026-12-02T04:00:00+08:00")},
              {Bid("b-od", "sme-bj", "cross-hub", "on-demand", 2, "2026-12-01T20:00:00+08:00", "2026-12-02T04:00:00+08:00")},
              {Usage("u1", "b-res", "of-nx", "2026-12-01T20:00:00+08:00", "2026-12-02T04:00:00+08:00", 57600, "0", "2026-12-02T04:00:00+08:00")},
              {Usage("u2", "b-od", "of-nx", "2026-12-01T23:00:00+08:00", "2026-12-02T01:00:00+08:00", 14400, "0", "2026-12-02T04:00:00+08:00")},
              {Close("2026-12-01", "2026-12-02T05:00:00+08:00")},
              {Close("2026-12-02", "2026-12-03T01:00:00+08:00")} ]
            """));

        Assert.Empty(r.Rejections);
        Assert.DoesNotContain(r.Invoices.SelectMany(i => i.Lines), l => l.Kind == "sla-credit");
        // 14,400 × 0.156 × 58 × 100 / 3600 = 3,619.2 → 3,619 fen, all on 12-01
        var od = Assert.Single(r.Invoices, i => i.Buyer == "sme-bj");
        Assert.Equal(("2026-12-01", 3_619L), (od.Period, Assert.Single(od.Lines).AmountFen));
    }
}
