using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// POST /v1/cash type refund and payout to a region (market-rules §14) over real HTTP, as bank transfers (no payment provider
/// configured). One closed day under the sh-nx pairing: alice owes 144,768 fen, each region is owed 1,086 fen.
/// </summary>
public sealed class CashRefundApiTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private string _lease = "";

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var alice = (await _host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true)).Client;
        var provider = (await _host.RegisterAsync("prov-nx", ["provider"])).Client;
        await _host.RegisterAsync("both", ["buyer", "issuer"], "shanghai", sme: true);
        await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/pairings", new
        {
            id = "sh-nx", demandRegion = "east-sh", demandCities = new[] { "shanghai" }, supplyHub = "ningxia",
            weights = new { platform = 50, demand = 25, supply = 25 },
        }, Json));
        _lease = (await ClosedDay.CloseAsync(_host, provider, [(alice, "bid-alice", "u1")], metered: true))[0];
        _host.Clock.Set(At("2026-12-02T09:00:00+08:00"));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<HttpResponseMessage> Cash(string type, string? id, string party, long amountFen, string? account = null) =>
        _host.Operator.PostAsJsonAsync("/v1/cash", new { type, id, party, amountFen, account }, Json, Ct);

    private async Task<long> Balance(string account) =>
        (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger", Ct)))["balances"]?[account]?.GetValue<long>() ?? 0;

    private static string Code(JsonNode problem) => problem["code"]!.GetValue<string>();

    [Fact]
    public async Task A_region_is_paid_its_revenue_share_once_and_never_above_it()
    {
        Assert.Equal(-1_086, await Balance("region:ningxia"));
        Assert.Equal("over-balance", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("payout", "rs-1", "ningxia", 1_087, "region"))));
        var paid = await Expect(HttpStatusCode.Created, Cash("payout", "rs-1", "ningxia", 1_086, "region"));
        Assert.Equal(("rs-1", "payout", "ningxia", "region:ningxia", 1_086L, false),
            (paid["id"]!.GetValue<string>(), paid["type"]!.GetValue<string>(), paid["party"]!.GetValue<string>(), paid["account"]!.GetValue<string>(),
                paid["amountFen"]!.GetValue<long>(), paid["repeat"]!.GetValue<bool>()));
        Assert.True((await Expect(HttpStatusCode.OK, Cash("payout", "rs-1", "ningxia", 1_086, "region")))["repeat"]!.GetValue<bool>());
        Assert.Equal("id-reused", Code(await Expect(HttpStatusCode.Conflict, Cash("payout", "rs-1", "east-sh", 1_086, "region"))));
        Assert.Equal(0, await Balance("region:ningxia"));
        Assert.Equal("over-balance", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("payout", "rs-2", "ningxia", 1, "region"))));
        var unknown = await Expect(HttpStatusCode.BadRequest, Cash("payout", "rs-3", "atlantis", 1, "region"));
        Assert.Equal("invalid", Code(unknown));
        Assert.Equal("invalid", Code(await Expect(HttpStatusCode.BadRequest, Cash("payout", "rs-4", "east-sh", 0, "region"))));
        await Expect(HttpStatusCode.Created, Cash("payout", "rs-5", "east-sh", 1_086, "region"));
        Assert.Equal(0, await Balance("region:east-sh"));
        Assert.Equal(0, (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger", Ct)))["trialBalanceFen"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_buyer_in_credit_is_refunded_up_to_what_the_platform_owes_it()
    {
        Assert.Equal("over-balance", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-1", "alice", 1))));
        await Expect(HttpStatusCode.Created, Cash("payment", "pay-1", "alice", 144_768));
        // The charge was wrong (usage reported twice): reversed after alice paid, the platform owes her what she paid.
        await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/reversals",
            new { id = "fix-1", txId = $"2026-12-01/{_lease}/compute", reason = "usage reported twice" }, Json, Ct));
        Assert.Equal(-144_768, await Balance("buyer:alice"));

        Assert.Equal("over-balance", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-1", "alice", 144_769))));
        var refunded = await Expect(HttpStatusCode.Created, Cash("refund", "rf-1", "alice", 144_768));
        Assert.Equal(("refund", "buyer:alice"), (refunded["type"]!.GetValue<string>(), refunded["account"]!.GetValue<string>()));
        Assert.True((await Expect(HttpStatusCode.OK, Cash("refund", "rf-1", "alice", 144_768)))["repeat"]!.GetValue<bool>());
        Assert.Equal("id-reused", Code(await Expect(HttpStatusCode.Conflict, Cash("refund", "rf-1", "alice", 1))));
        Assert.Equal("id-reused", Code(await Expect(HttpStatusCode.Conflict, Cash("payment", "pay-1", "alice", 1))));
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.Equal("over-balance", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-2", "alice", 1))));

        Assert.Equal("unknown-party", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-3", "nobody", 1))));
        Assert.Equal("wrong-role", Code(await Expect(HttpStatusCode.Forbidden, Cash("refund", "rf-4", "prov-nx", 1))));
        Assert.Equal("invalid", Code(await Expect(HttpStatusCode.BadRequest, Cash("refund", "rf-5", "both", 1))));
        Assert.Equal("over-balance", Code(await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-5", "both", 1, "issuer"))));
        Assert.Equal("invalid", Code(await Expect(HttpStatusCode.BadRequest, Cash("refund", "rf-6", "alice", -1))));
        Assert.Equal("invalid", Code(await Expect(HttpStatusCode.BadRequest, Cash("refund", null, "alice", 1))));
        Assert.Equal(0, (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger", Ct)))["trialBalanceFen"]!.GetValue<long>());
    }
}
