using System.Text.Json;
using System.Text.Json.Nodes;
using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.Scenarios;

/// <summary>The scenario runner end to end against real PostgreSQL, checked against independently computed figures.</summary>
public sealed class ScenarioRunnerTests
{
    private static async Task<ScenarioResult> RunAsync(string json)
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        return await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
    }

    private static Task<ScenarioResult> RunFileAsync(string relative) => RunAsync(File.ReadAllText(TestDatabase.ScenarioPath(relative)));

    [Fact]
    public async Task One_day_example_without_vouchers_and_pairings_gives_the_skeleton_figures()
    {
        var r = await RunFileAsync("one-day.json");

        var trade = Assert.Single(r.Trades);
        Assert.Equal(58.00m, decimal.Parse(trade.Price));
        Assert.Equal(("b1", "of1", 8), (trade.Bid, trade.Offer, trade.Devices));
        Assert.Equal(0.156m, decimal.Parse(trade.ScuPerDevice));

        var invoice = Assert.Single(r.Invoices);
        var line = Assert.Single(invoice.Lines);
        Assert.Equal(("compute", false, 144_768L, 8_194L, 0L, 144_768L), (line.Kind, line.Late, line.AmountFen, line.TaxFen, line.VoucherFen, line.DueFen));
        Assert.Equal(144_768, invoice.AmountFen);

        Assert.Equal(144_768, r.Ledger.Balances["buyer:sme-sh-1"]);
        Assert.Equal(-140_425, r.Ledger.Balances["provider:prov-nx"]);
        Assert.Equal(-4_343, r.Ledger.Balances["platform:fees"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
        Assert.Equal(3, r.Ledger.Balances.Count);

        var statement = Assert.Single(Assert.Single(r.Statements).Providers);
        Assert.Equal(("prov-nx", 144_768L, 4_343L, 140_425L), (statement.Party, statement.GrossFen, statement.FeeFen, statement.NetFen));
        Assert.Equal(4_343, r.Statements[0].PlatformFeeFen);

        var rejection = Assert.Single(r.Rejections);
        Assert.Equal((2, "usage", "u0", "reported-early"), (rejection.Index, rejection.Type, rejection.Id, rejection.Code));
    }

    [Fact]
    public async Task Full_worked_example_matches_every_expected_output()
    {
        var r = await RunFileAsync("worked-example/scenario.json");

        AssertJsonEqual(File.ReadAllText(TestDatabase.ScenarioPath("worked-example/orders.json")), r.Orders);
        AssertJsonEqual(File.ReadAllText(TestDatabase.ScenarioPath("worked-example/trades.json")), r.Trades);
        var expectedInvoices = JsonNode.Parse(File.ReadAllText(TestDatabase.ScenarioPath("worked-example/invoices.json")))!.AsArray();
        AssertJsonEqual(expectedInvoices.ToJsonString(), WithoutHashes(r.Invoices));

        var expectedStatements = JsonNode.Parse(File.ReadAllText(TestDatabase.ScenarioPath("worked-example/statements.json")))!.AsArray();
        AssertJsonEqual(expectedStatements.ToJsonString(), WithoutHashes(r.Statements));
        Assert.True(r.Verification.Ok, string.Join("\n", r.Verification.Failures));
        // verify.json carries the comparison with the run's signed checkpoint: the close was signed, nothing is left uncovered.
        var checkpoints = r.Verification.Checkpoints!;
        Assert.True(checkpoints.Ok, string.Join("\n", checkpoints.Failures));
        Assert.Equal((1, "2026-12-01", 0), (checkpoints.Checkpoints, checkpoints.LatestPeriod, checkpoints.PeriodsNotYetCovered.Count));
        Assert.Equal(64, r.Statements[0].MerkleRoot!.Length);
        Assert.Equal(new string('0', 64), r.Invoices[0].PreviousHash);
        AssertJsonEqual(File.ReadAllText(TestDatabase.ScenarioPath("worked-example/ledger.json")), r.Ledger);

        // The voucher: discount 43,430 fen; the buyer owes 101,338; the issuer owes the platform 43,430.
        var issuer = Assert.Single(Assert.Single(r.Statements).Issuers);
        Assert.Equal(("sh-gov", 43_430L, 0L), (issuer.Party, issuer.RedeemedFen, issuer.LapsedFen));
        Assert.Equal(43_430, issuer.Programmes["sh-compute-2026"]);
        Assert.Equal(101_338, r.Ledger.Balances["buyer:sme-sh-1"]);
        Assert.Equal(43_430, r.Ledger.Balances["issuer:sh-gov"]);
        Assert.Equal(-140_425, r.Ledger.Balances["provider:prov-nx"]);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);

        // The repeated grant g1 and usage u1 are no-ops; the payment one fen above what is owed is refused over-balance.
        AssertJsonEqual(File.ReadAllText(TestDatabase.ScenarioPath("worked-example/rejections.json")), r.Rejections);
    }

    [Fact]
    public async Task Same_scenario_run_twice_gives_byte_identical_outputs()
    {
        var json = File.ReadAllText(TestDatabase.ScenarioPath("one-day.json"));
        var first = await RunAsync(json);
        var second = await RunAsync(json);

        foreach (var (a, b) in new (object, object)[]
                 {
                     (first.Orders, second.Orders), (first.Trades, second.Trades), (first.Invoices, second.Invoices),
                     (first.Statements, second.Statements), (first.Ledger, second.Ledger), (first.Rejections, second.Rejections),
                 })
        {
            Assert.Equal(JsonSerializer.Serialize(a, ScenarioJson.Options), JsonSerializer.Serialize(b, ScenarioJson.Options));
        }
        Assert.NotEqual(first.Schema, second.Schema);
    }

    [Fact]
    public async Task Action_going_back_in_time_is_rejected_and_the_run_goes_on()
    {
        var doc = JsonNode.Parse(File.ReadAllText(TestDatabase.ScenarioPath("one-day.json")))!;
        var actions = doc["actions"]!.AsArray();
        actions.Insert(2, JsonNode.Parse("""{ "at": "2026-11-29T00:00:00+08:00", "type": "close", "period": "2026-11-28" }"""));

        var r = await RunAsync(doc.ToJsonString());

        Assert.Contains(r.Rejections, x => x is { Index: 2, Type: "close", Id: "2026-11-28", Code: "time-backwards" });
        Assert.Single(r.Trades);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }

    [Fact]
    public async Task Malformed_scenario_file_is_refused_as_a_whole_with_a_readable_message()
    {
        var e1 = await Assert.ThrowsAsync<ScenarioFormatException>(() => RunAsync("{ not json"));
        Assert.Contains("not valid JSON", e1.Message);
        var e2 = await Assert.ThrowsAsync<ScenarioFormatException>(() => RunAsync("""{ "name": "x" }"""));
        Assert.Contains("actions", e2.Message);
    }

    [Fact]
    public async Task Ids_are_unique_in_the_file_across_parties_and_sides()
    {
        var doc = JsonNode.Parse(File.ReadAllText(TestDatabase.ScenarioPath("one-day.json")))!;
        var parties = doc["parties"]!.AsArray();
        parties.Add(JsonNode.Parse("""{ "id": "sme-bj", "roles": ["buyer", "provider"], "city": "beijing", "sme": true }"""));
        var actions = doc["actions"]!.AsArray();
        // another party reuses the offer id "of1" for a bid: id-reused
        actions.Insert(2, JsonNode.Parse("""
            { "at": "2026-11-30T10:30:00+08:00", "type": "bid", "id": "of1", "party": "sme-bj", "family": "intelligent", "devices": 1,
              "minScuPerDevice": "0.1", "minMemoryGb": 40, "from": "2026-12-03T00:00:00+08:00", "to": "2026-12-04T00:00:00+08:00",
              "tier": "cross-hub", "minGreen": "0", "price": "60.00", "commitment": "on-demand", "split": true, "tif": "GTC" }
            """));

        var r = await RunAsync(doc.ToJsonString());

        Assert.Contains(r.Rejections, x => x is { Index: 2, Type: "bid", Id: "of1", Code: "id-reused" });
        Assert.Contains(r.Orders, o => o is { Id: "of1", Party: "sme-bj", State: "rejected" });
        Assert.Single(r.Trades);
    }

    /// <summary>The expected outputs were computed without hashes (scenario-format.md): compare the figures only.</summary>
    private static JsonNode WithoutHashes<T>(T value)
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(value, ScenarioJson.Options))!;
        void Strip(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                o.Remove("hash");
                o.Remove("previousHash");
                o.Remove("merkleRoot");
                foreach (var child in o.Select(kv => kv.Value).ToList())
                {
                    Strip(child);
                }
            }
            else if (n is JsonArray a)
            {
                foreach (var child in a)
                {
                    Strip(child);
                }
            }
        }
        Strip(node);
        return node;
    }

    private static void AssertJsonEqual(string expectedJson, JsonNode actual) =>
        Assert.True(JsonValueEquals(JsonNode.Parse(expectedJson), actual), $"expected:\n{expectedJson}\nactual:\n{actual}");

    private static void AssertJsonEqual<T>(string expectedJson, T actual)
    {
        var expected = JsonNode.Parse(expectedJson)!;
        var got = JsonNode.Parse(JsonSerializer.Serialize(actual, ScenarioJson.Options))!;
        Assert.True(JsonValueEquals(expected, got), $"expected:\n{expected}\nactual:\n{got}");
    }

    /// <summary>Compares JSON by value: decimal strings compared as numbers (scenario-format.md), key order ignored.</summary>
    private static bool JsonValueEquals(JsonNode? a, JsonNode? b)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (JsonObject oa, JsonObject ob):
                return oa.Count == ob.Count && oa.All(kv => ob.TryGetPropertyValue(kv.Key, out var v) && JsonValueEquals(kv.Value, v));
            case (JsonArray aa, JsonArray ab):
                return aa.Count == ab.Count && aa.Zip(ab).All(p => JsonValueEquals(p.First, p.Second));
            case (JsonValue va, JsonValue vb):
                var sa = va.ToJsonString().Trim('"');
                var sb = vb.ToJsonString().Trim('"');
                return sa == sb || (decimal.TryParse(sa, System.Globalization.CultureInfo.InvariantCulture, out var da)
                    && decimal.TryParse(sb, System.Globalization.CultureInfo.InvariantCulture, out var db) && da == db);
            default:
                return false;
        }
    }

    [Fact]
    public async Task The_issue_13_overflow_record_and_a_lone_surrogate_are_invalid_and_the_day_closes()
    {
        // market-rules §6: transferGb = 1e21 and an escaped lone surrogate in an id are `invalid` rejections (data), the
        // run goes on and the one-day figures are unchanged.
        var scenario = JsonNode.Parse(File.ReadAllText(TestDatabase.ScenarioPath("one-day.json")))!.AsObject();
        var actions = scenario["actions"]!.AsArray();
        var bid = actions[1]!.DeepClone().AsObject();
        bid["id"] = "LONE";
        bid["at"] = "2026-11-30T10:30:00+08:00";
        actions.Insert(2, bid);
        actions.Insert(5, JsonNode.Parse("""
            { "at": "2026-12-02T00:20:00+08:00", "type": "usage", "id": "u-huge", "party": "prov-nx", "bid": "b1", "offer": "of1",
              "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-01T01:00:00+08:00", "deviceSeconds": 1, "energyKwh": "0",
              "greenKwh": "0", "transferGb": "1000000000000000000000" }
            """));
        var json = scenario.ToJsonString().Replace("\"LONE\"", "\"b\\ud800\"");

        var r = await RunAsync(json);

        Assert.Contains(r.Rejections, x => x.Index == 2 && x.Code == "invalid" && x.Reason.Contains("lone surrogate", StringComparison.Ordinal));
        Assert.Contains(r.Rejections, x => x.Index == 5 && x.Id == "u-huge" && x.Code == "invalid" && x.Reason.Contains("GB", StringComparison.Ordinal));
        Assert.Equal(144_768, Assert.Single(r.Invoices).AmountFen);
        Assert.Equal(0, r.Ledger.TrialBalanceFen);
    }
}
