using System.Net;
using System.Net.Http.Json;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>The §13 voucher over HTTP: programme, grant, redemption at close, claim with its evidence, programme report.</summary>
public sealed class VoucherApiTests
{
    [Fact]
    public async Task Voucher_is_redeemed_at_close_and_claimed_with_its_evidence()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var buyer = (await host.RegisterAsync("sme-sh-1", ["buyer"], "shanghai", sme: true)).Client;
        var other = (await host.RegisterAsync("sme-sh-2", ["buyer"], "shanghai", sme: true)).Client;
        var provider = (await host.RegisterAsync("prov-nx", ["provider"])).Client;
        var issuer = (await host.RegisterAsync("sh-gov", ["issuer"])).Client;

        Assert.Equal(HttpStatusCode.Created, (await issuer.PostAsJsonAsync("/v1/programmes", new
        {
            id = "sh-compute-2026", kind = "compute", coverageBp = 3000, capFen = 100000, budgetFen = 10000000,
            validFrom = "2026-12-01T00:00:00+08:00", validTo = "2027-01-01T00:00:00+08:00", buyerCities = new[] { "shanghai" }, families = new[] { "intelligent" },
        }, Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await issuer.PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "sh-compute-2026", buyer = "sme-sh-1", faceFen = 100000 }, Json)).StatusCode);
        var repeat = await issuer.PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "sh-compute-2026", buyer = "sme-sh-1", faceFen = 100000 }, Json);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.True((await ReadAsync(repeat))!["repeat"]!.GetValue<bool>());
        var overCap = await issuer.PostAsJsonAsync("/v1/grants", new { id = "g2", programme = "sh-compute-2026", buyer = "sme-sh-1", faceFen = 1 }, Json);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, overCap.StatusCode);
        Assert.Equal("over-cap", (await ReadAsync(overCap))!["code"]!.GetValue<string>());

        await provider.PostAsJsonAsync("/v1/offers", new { id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00" }, Json);
        var bid = await buyer.PostAsJsonAsync("/v1/bids", new { id = "b1", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0.5", price = "60.00",
            commitment = "on-demand", split = true, tif = "GTC" }, Json);
        var lease = (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
        host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await provider.PostAsJsonAsync("/v1/usage", new { id = "u1", lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00",
            deviceSeconds = 576000, energyKwh = "420.5", greenKwh = "357.4", transferGb = "0" }, Json);
        host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        Assert.Equal(HttpStatusCode.OK, (await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null)).StatusCode);

        var invoice = (await ReadAsync(await buyer.GetAsync("/v1/invoices")))!["items"]![0]!;
        Assert.Equal((43_430L, 101_338L), (invoice["voucherFen"]!.GetValue<long>(), invoice["dueFen"]!.GetValue<long>()));
        var voucher = Assert.Single((await ReadAsync(await buyer.GetAsync("/v1/vouchers")))!["items"]!.AsArray())!;
        Assert.Equal(56_570, voucher["balanceFen"]!.GetValue<long>());
        Assert.Empty((await ReadAsync(await other.GetAsync("/v1/vouchers")))!["items"]!.AsArray());

        var claim = Assert.Single((await ReadAsync(await issuer.GetAsync("/v1/claims")))!["items"]!.AsArray())!;
        Assert.Equal(43_430, claim["redeemedFen"]!.GetValue<long>());
        var item = Assert.Single(claim["items"]!.AsArray())!;
        Assert.Equal((lease, 144_768L), (item["lease"]!["leaseId"]!.GetValue<string>(), item["line"]!["amountFen"]!.GetValue<long>()));
        Assert.Equal("u1", Assert.Single(item["usage"]!.AsArray())!["recordId"]!.GetValue<string>());

        var programme = Assert.Single((await ReadAsync(await issuer.GetAsync("/v1/programmes")))!["items"]!.AsArray())!;
        Assert.Equal(24.96m, programme["scuHoursSubsidised"]!.GetValue<decimal>());
        Assert.Equal(1m, programme["westernHubShare"]!.GetValue<decimal>());
        Assert.Equal((100_000L, 43_430L, 1), (programme["programme"]!["grantedFen"]!.GetValue<long>(), programme["programme"]!["redeemedFen"]!.GetValue<long>(),
            programme["programme"]!["enterprises"]!.GetValue<int>()));

        // A provider's statements show only its own figures: no issuer's claim, no region's share.
        var providerView = Assert.Single((await ReadAsync(await provider.GetAsync("/v1/statements")))!.AsArray())!;
        Assert.Empty(providerView["issuers"]!.AsArray());
        Assert.Empty(providerView["regions"]!.AsArray());
        var issuerView = Assert.Single((await ReadAsync(await issuer.GetAsync("/v1/statements")))!.AsArray())!;
        Assert.Equal(43_430, Assert.Single(issuerView["issuers"]!.AsArray())!["redeemedFen"]!.GetValue<long>());
        Assert.Empty(issuerView["providers"]!.AsArray());

        var ledger = (await ReadAsync(await host.Operator.GetAsync("/v1/ledger")))!;
        Assert.Equal(43_430, ledger["balances"]!["issuer:sh-gov"]!.GetValue<long>());
        Assert.Equal(0, ledger["trialBalanceFen"]!.GetValue<long>());
    }
}
