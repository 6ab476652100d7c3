using System.Net;
using System.Net.Http.Json;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// A region's revenue share paid by Stripe Connect transfer to the region's connected account (market-rules §14, issue 15)
/// over real HTTP against <see cref="FakeStripe"/>. One closed day under the sh-nx pairing: each region is owed 1,086 fen.
/// </summary>
public sealed class StripeRegionPayoutTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private ApiTestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"), _stripe.HostArgs());
        var alice = (await _host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true)).Client;
        var provider = (await _host.RegisterAsync("prov-nx", ["provider"])).Client;
        await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/pairings", new
        {
            id = "sh-nx", demandRegion = "east-sh", demandCities = new[] { "shanghai" }, supplyHub = "ningxia",
            weights = new { platform = 50, demand = 25, supply = 25 },
        }, Json));
        await ClosedDay.CloseAsync(_host, provider, [(alice, "bid-alice", "u1")], metered: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> Balance(string account) =>
        (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger", Ct)))["balances"]?[account]?.GetValue<long>() ?? 0;

    [Fact]
    public async Task A_region_with_a_connected_account_is_paid_its_share_by_transfer_once_and_a_bank_payout_sees_it()
    {
        Assert.Equal(-1_086, await Balance("region:ningxia"));
        // Without a connected account the region is paid by bank transfer (POST /v1/cash).
        Assert.Equal("no-payout-account", (await Expect(HttpStatusCode.UnprocessableEntity, _host.Operator.PostAsJsonAsync("/v1/payouts",
            new { id = "rpo-1", party = "ningxia", account = "region" }, Json, Ct)))["code"]!.GetValue<string>());
        Assert.Equal("invalid", (await Expect(HttpStatusCode.BadRequest, _host.Operator.PutAsJsonAsync("/v1/regions/atlantis/payout-account",
            new { connectedAccountId = "acct_atlantis" }, Json, Ct)))["code"]!.GetValue<string>());
        Assert.Equal("invalid", (await Expect(HttpStatusCode.BadRequest, _host.Operator.PostAsJsonAsync("/v1/payouts",
            new { id = "rpo-0", party = "atlantis", account = "region" }, Json, Ct)))["code"]!.GetValue<string>());
        var set = await Expect(HttpStatusCode.OK, _host.Operator.PutAsJsonAsync("/v1/regions/ningxia/payout-account", new { connectedAccountId = "acct_ningxia" }, Json, Ct));
        Assert.Equal("region:ningxia", set["party"]!.GetValue<string>());

        // A failed transfer keeps the share reserved: a bank payout of the region meanwhile finds nothing free.
        _stripe.FailNextTransfers(1);
        var failed = await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "rpo-1", party = "ningxia", account = "region" }, Json, Ct));
        Assert.Equal(("failed", 1_086L, "acct_ningxia", "region:ningxia"), (failed["status"]!.GetValue<string>(), failed["amountFen"]!.GetValue<long>(),
            failed["destination"]!.GetValue<string>(), failed["account"]!.GetValue<string>()));
        Assert.Equal("over-balance", (await Expect(HttpStatusCode.UnprocessableEntity, _host.Operator.PostAsJsonAsync("/v1/cash",
            new { type = "payout", id = "bank-ningxia", party = "ningxia", account = "region", amountFen = 1 }, Json, Ct)))["code"]!.GetValue<string>());

        var paid = await Expect(HttpStatusCode.OK, _host.Operator.PostAsync("/v1/payouts/rpo-1/retry", null, Ct));
        Assert.Equal(("paid", "stripe-payout-rpo-1"), (paid["status"]!.GetValue<string>(), paid["cashId"]!.GetValue<string>()));
        Assert.Equal(0, await Balance("region:ningxia"));
        Assert.Equal(1, _stripe.TransferCount);
        Assert.True((await Expect(HttpStatusCode.OK, _host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "rpo-1", party = "ningxia", account = "region" }, Json, Ct)))["repeat"]!.GetValue<bool>());
        Assert.Equal(1, _stripe.TransferCount);
        // The other region has no connected account: a bank transfer recorded as cash, as before.
        await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/cash",
            new { type = "payout", id = "bank-east-sh", party = "east-sh", account = "region", amountFen = 1_086 }, Json, Ct));
        Assert.Equal(0, await Balance("region:east-sh"));
        Assert.True((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation", Ct)))["matches"]!.GetValue<bool>());
    }
}
