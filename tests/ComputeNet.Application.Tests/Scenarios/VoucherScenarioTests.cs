using System.Text.Json.Nodes;
using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>Vouchers end to end through scenarios, against figures computed by hand (market-rules §9).</summary>
public sealed class VoucherScenarioTests
{
    private static async Task<ScenarioResult> RunAsync(string programmes, string actions)
    {
        var json = $$"""
            {
              "name": "vouchers",
              "parties": [
                { "id": "sme-sh", "roles": ["buyer"], "city": "shanghai", "sme": true },
                { "id": "big-sh", "roles": ["buyer"], "city": "shanghai", "sme": false },
                { "id": "sme-bj", "roles": ["buyer"], "city": "beijing", "sme": true },
                { "id": "prov", "roles": ["provider"] },
                { "id": "sh-gov", "roles": ["issuer"] },
                { "id": "west-fund", "roles": ["issuer"] }
              ],
              "programmes": {{programmes}},
              "actions": {{actions}}
            }
            """;
        var cs = await TestDatabase.ConnectionStringAsync();
        return await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
    }

    private const string Market = """
        { "at": "2026-11-30T09:00:00+08:00", "type": "offer", "id": "of-nx", "party": "prov", "cluster": "zhongwei", "resourceClass": "ai-fp16-80g",
          "devices": 64, "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-08T00:00:00+08:00", "price": "58.00" },
        { "at": "2026-11-30T09:01:00+08:00", "type": "offer", "id": "of-zjk", "party": "prov", "cluster": "zhangjiakou", "resourceClass": "ai-fp16-80g",
          "devices": 64, "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-08T00:00:00+08:00", "price": "58.00" },
        { "at": "2026-11-30T10:00:00+08:00", "type": "bid", "id": "b1", "party": "sme-sh", "family": "intelligent", "devices": 8, "minScuPerDevice": "0.1",
          "minMemoryGb": 40, "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-03T00:00:00+08:00", "tier": "cross-hub", "minGreen": "0.8",
          "price": "60.00", "commitment": "on-demand", "split": true, "tif": "GTC" }
        """;

    private static string Usage(string id, string day) => $$"""
        { "at": "2026-12-0{{int.Parse(day) + 1}}T00:10:00+08:00", "type": "usage", "id": "{{id}}", "party": "prov", "bid": "b1", "offer": "of-nx",
          "from": "2026-12-0{{day}}T00:00:00+08:00", "to": "2026-12-0{{day}}T20:00:00+08:00", "deviceSeconds": 576000, "energyKwh": "1", "greenKwh": "1", "transferGb": "0" }
        """;

    private static string Close(string day) => $$"""{ "at": "2026-12-0{{int.Parse(day) + 1}}T01:00:00+08:00", "type": "close", "period": "2026-12-0{{day}}" }""";

    private static string Programme(string id, string issuer, long cap, long budget, string from, string to, string extra = "") => $$"""
        { "id": "{{id}}", "issuer": "{{issuer}}", "kind": "compute", "coverageBp": 3000, "capFen": {{cap}}, "budgetFen": {{budget}},
          "validFrom": "{{from}}", "validTo": "{{to}}" {{extra}} }
        """;

    private static string Grant(string id, string programme, string buyer, long face, string at = "2026-11-30T08:00:00+08:00") =>
        $$"""{ "at": "{{at}}", "type": "grant", "id": "{{id}}", "programme": "{{programme}}", "buyer": "{{buyer}}", "faceFen": {{face}} }""";

    [Fact]
    public async Task A_voucher_running_out_mid_line_gives_what_is_left_and_the_next_line_gets_nothing()
    {
        // Each day's line is 144,768 fen; 30 % = 43,430. A 50,000 voucher covers 43,430 on day 1 and the 6,570 left on day 2.
        var r = await RunAsync($"[{Programme("p", "sh-gov", 100_000, 1_000_000, "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")}]",
            $"[{Grant("g", "p", "sme-sh", 50_000)}, {Market}, {Usage("u1", "1")}, {Close("1")}, {Usage("u2", "2")}, {Close("2")}]");

        Assert.Empty(r.Rejections);
        Assert.Equal([(43_430L, 101_338L), (6_570L, 138_198L)], r.Invoices.Select(i => (i.VoucherFen, i.DueFen)));
        Assert.Equal([43_430L, 6_570L], r.Statements.Select(s => Assert.Single(s.Issuers).RedeemedFen));
        Assert.Equal(50_000, r.Ledger.Balances["issuer:sh-gov"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }

    [Fact]
    public async Task Of_two_programmes_only_the_one_whose_rules_match_applies_and_the_earlier_expiring_one_is_taken_first()
    {
        // west-fund covers only super-computing families: not this intelligent lease. sh-gov's two vouchers: the one expiring first is used.
        var r = await RunAsync($$"""
            [ {{Programme("west", "west-fund", 100_000, 1_000_000, "2026-12-01T00:00:00+08:00", "2026-12-05T00:00:00+08:00", ", \"families\": [\"super\"]")}},
              {{Programme("long", "sh-gov", 100_000, 1_000_000, "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")}},
              {{Programme("short", "sh-gov", 100_000, 1_000_000, "2026-12-01T00:00:00+08:00", "2026-12-10T00:00:00+08:00")}} ]
            """,
            $"[{Grant("gw", "west", "sme-sh", 90_000)}, {Grant("gl", "long", "sme-sh", 90_000)}, {Grant("gs", "short", "sme-sh", 90_000)}, {Market}, {Usage("u1", "1")}, {Close("1")}]");

        var line = Assert.Single(Assert.Single(r.Invoices).Lines);
        Assert.Equal(("short", 43_430L), (line.Voucher, line.VoucherFen));
    }

    [Fact]
    public async Task Grants_are_checked_in_order_and_rejected_whole()
    {
        var r = await RunAsync($$"""
            [ {{Programme("p", "sh-gov", 100_000, 150_000, "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", ", \"buyerCities\": [\"shanghai\"]")}} ]
            """,
            $$"""
            [ {{Grant("g0", "nope", "sme-sh", 1)}}, {{Grant("g1", "p", "big-sh", 10_000)}}, {{Grant("g2", "p", "sme-bj", 10_000)}},
              {{Grant("g3", "p", "sme-sh", 100_001)}}, {{Grant("g4", "p", "sme-sh", 100_000)}}, {{Grant("g4", "p", "sme-sh", 100_000)}},
              {{Grant("g5", "p", "sme-sh", 1)}}, {{Grant("g4", "p", "sme-sh", 5)}}, {{Grant("g6", "p", "nobody", 5)}},
              {{Grant("g7", "p", "sme-sh", 0)}}, {{Grant("g8", "p", "sme-sh", 5, "2027-01-01T00:00:00+08:00")}} ]
            """);

        Assert.Equal(
            [("g0", "invalid"), ("g1", "not-sme"), ("g2", "not-eligible"), ("g3", "over-cap"), ("g5", "over-cap"), ("g4", "id-reused"),
             ("g6", "unknown-party"), ("g7", "invalid"), ("g8", "not-eligible")],
            r.Rejections.Select(x => (x.Id!, x.Code)));
    }

    [Fact]
    public async Task A_voucher_lapses_once_every_period_of_its_validity_is_closed_and_the_budget_returns()
    {
        // Valid for 12-01 only: redeems 43,430 on day 1, lapses 56,570 when 12-01 closes; day 2 is not covered.
        var r = await RunAsync($"[{Programme("p", "sh-gov", 100_000, 100_000, "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00")}]",
            $"[{Grant("g", "p", "sme-sh", 100_000)}, {Market}, {Usage("u1", "1")}, {Close("1")}, {Usage("u2", "2")}, {Close("2")}]");

        var day1 = Assert.Single(r.Statements[0].Issuers);
        Assert.Equal((43_430L, 56_570L), (day1.RedeemedFen, day1.LapsedFen));
        Assert.Empty(r.Statements[1].Issuers);
        Assert.Equal([43_430L, 0L], r.Invoices.Select(i => i.VoucherFen));
    }

    [Fact]
    public async Task Unknown_kinds_and_coverage_above_100_percent_are_refused_at_set_up()
    {
        var r = await RunAsync($$"""
            [ { "id": "bad-kind", "issuer": "sh-gov", "kind": "gold", "coverageBp": 3000, "capFen": 1, "budgetFen": 1,
                "validFrom": "2026-12-01T00:00:00+08:00", "validTo": "2027-01-01T00:00:00+08:00" },
              { "id": "too-much", "issuer": "sh-gov", "kind": "compute", "coverageBp": 10001, "capFen": 1, "budgetFen": 1,
                "validFrom": "2026-12-01T00:00:00+08:00", "validTo": "2027-01-01T00:00:00+08:00" },
              { "id": "backwards", "issuer": "sh-gov", "kind": "compute", "coverageBp": 3000, "capFen": 1, "budgetFen": 1,
                "validFrom": "2027-01-01T00:00:00+08:00", "validTo": "2026-12-01T00:00:00+08:00" },
              { "id": "no-issuer", "issuer": "prov", "kind": "compute", "coverageBp": 3000, "capFen": 1, "budgetFen": 1,
                "validFrom": "2026-12-01T00:00:00+08:00", "validTo": "2027-01-01T00:00:00+08:00" } ]
            """, "[]");

        Assert.Equal([("bad-kind", "invalid"), ("too-much", "invalid"), ("backwards", "invalid"), ("no-issuer", "wrong-role")],
            r.Rejections.Select(x => (x.Id!, x.Code)));
        Assert.All(r.Rejections, x => Assert.Equal((-1, "programme"), (x.Index, x.Type)));
    }
}
