using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>Cross-region revenue sharing (结对子, market-rules §8) through scenarios.</summary>
public sealed class PairingScenarioTests
{
    private static async Task<ScenarioResult> RunAsync(string pairings)
    {
        var json = File.ReadAllText(TestDatabase.ScenarioPath("one-day.json")).Replace("\"name\": \"one-day\",", $"\"name\": \"pairing\", \"pairings\": {pairings},");
        var cs = await TestDatabase.ConnectionStringAsync();
        return await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Overlapping_agreement_is_refused_whole_and_a_successor_from_a_date_takes_over()
    {
        // sh-nx-1 ends at 12-01 00:00; its successor (2/1/1 weights) starts then and applies to the 12-01 period.
        var r = await RunAsync("""
            [ { "id": "sh-nx-1", "demandRegion": "east-sh", "demandCities": ["shanghai"], "supplyHub": "ningxia",
                "weights": { "platform": 50, "demand": 25, "supply": 25 }, "validTo": "2026-12-01T00:00:00+08:00" },
              { "id": "sh-nx-2", "demandRegion": "east-sh", "demandCities": ["shanghai", "hangzhou"], "supplyHub": "ningxia",
                "weights": { "platform": 2, "demand": 1, "supply": 1 }, "validFrom": "2026-12-01T00:00:00+08:00" },
              { "id": "overlap", "demandRegion": "east-hz", "demandCities": ["hangzhou"], "supplyHub": "ningxia",
                "weights": { "platform": 1, "demand": 1, "supply": 1 }, "validFrom": "2026-12-05T00:00:00+08:00" } ]
            """);

        var rejection = Assert.Single(r.Rejections, x => x.Type == "pairing");
        Assert.Equal((-1, "overlap", "overlapping-pairing"), (rejection.Index, rejection.Id, rejection.Code));
        // fee 4,343 split 2/1/1: 2171.5 / 1085.75 / 1085.75 → floors 2171 / 1085 / 1085, leftover 2 fen to the largest remainders
        // (0.75, 0.75 beat 0.5; ties to the part listed first) → 2171 / 1086 / 1086.
        var statements = Assert.Single(r.Statements);
        Assert.Equal(2_171, statements.PlatformFeeFen);
        Assert.Equal([("east-sh", 1_086L), ("ningxia", 1_086L)], statements.Regions.Select(x => (x.Region, x.ShareFen)));
        Assert.Equal(-1_086, r.Ledger.Balances["region:east-sh"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }

    [Fact]
    public async Task Without_an_agreement_for_the_pair_the_platform_keeps_the_whole_fee()
    {
        var r = await RunAsync("""
            [ { "id": "bj-nx", "demandRegion": "north", "demandCities": ["beijing"], "supplyHub": "ningxia",
                "weights": { "platform": 50, "demand": 25, "supply": 25 } } ]
            """);

        Assert.Equal(4_343, Assert.Single(r.Statements).PlatformFeeFen);
        Assert.Empty(r.Statements[0].Regions);
        Assert.DoesNotContain(r.Ledger.Balances.Keys, k => k.StartsWith("region:"));
    }
}
