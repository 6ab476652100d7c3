using System.Net;
using System.Net.Http.Json;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>The §13 market day over real HTTP: register → offer → bid → usage → close → invoice.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task Register_offer_bid_usage_close_invoice_over_http()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var (buyer, _) = await host.RegisterAsync("sme-sh-1", ["buyer"], "shanghai", sme: true);
        var (provider, _) = await host.RegisterAsync("prov-nx", ["provider"]);

        host.Clock.Set(At("2026-11-30T09:00:00+08:00"));
        var offer = await provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
        }, Json);
        Assert.Equal(HttpStatusCode.Created, offer.StatusCode);

        host.Clock.Set(At("2026-11-30T10:00:00+08:00"));
        var bidBody = new
        {
            id = "b1", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0.5",
            price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
        };
        var bid = await buyer.PostAsJsonAsync("/v1/bids", bidBody, Json);
        Assert.Equal(HttpStatusCode.Created, bid.StatusCode);
        var placed = (await ReadAsync(bid))!;
        Assert.Equal("filled", placed["state"]!.GetValue<string>());
        var lease = placed["leases"]![0]!.GetValue<string>();
        Assert.Equal("/v1/orders/b1", bid.Headers.Location!.OriginalString);

        var repeat = await buyer.PostAsJsonAsync("/v1/bids", bidBody, Json);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.True((await ReadAsync(repeat))!["repeat"]!.GetValue<bool>());

        var trades = (await ReadAsync(await buyer.GetAsync("/v1/trades")))!["items"]!.AsArray();
        Assert.Equal(58.00m, Assert.Single(trades)!["price"]!.GetValue<decimal>());

        host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        var usage = await provider.PostAsJsonAsync("/v1/usage", new
        {
            id = "u1", lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00",
            deviceSeconds = 576000, energyKwh = "420.5", greenKwh = "357.4", transferGb = "0",
        }, Json);
        Assert.Equal(HttpStatusCode.Created, usage.StatusCode);

        host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        var close = await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);

        var invoices = (await ReadAsync(await buyer.GetAsync("/v1/invoices?period=2026-12-01")))!["items"]!.AsArray();
        var invoice = Assert.Single(invoices)!;
        var line = Assert.Single(invoice["lines"]!.AsArray())!;
        Assert.Equal(144_768, line["amountFen"]!.GetValue<long>());
        Assert.Equal(8_194, line["taxFen"]!.GetValue<long>());
        Assert.Equal(144_768, invoice["dueFen"]!.GetValue<long>());

        var statements = (await ReadAsync(await provider.GetAsync("/v1/statements")))!.AsArray();
        var statement = Assert.Single(Assert.Single(statements)!["providers"]!.AsArray())!;
        Assert.Equal((144_768L, 4_343L, 140_425L), (statement["grossFen"]!.GetValue<long>(), statement["feeFen"]!.GetValue<long>(), statement["netFen"]!.GetValue<long>()));

        var regulator = (await host.RegisterAsync("ndrc", ["regulator"])).Client;
        var ledger = (await ReadAsync(await regulator.GetAsync("/v1/ledger")))!;
        Assert.Equal(0, ledger["trialBalanceFen"]!.GetValue<long>());
        Assert.Equal(144_768, ledger["balances"]!["buyer:sme-sh-1"]!.GetValue<long>());
        Assert.Equal(-140_425, ledger["balances"]!["provider:prov-nx"]!.GetValue<long>());
        var verify = (await ReadAsync(await regulator.GetAsync("/v1/verify")))!;
        Assert.True(verify["ok"]!.GetValue<bool>());
        Assert.Equal(1, verify["periods"]!.GetValue<int>());
        Assert.True(verify["checkpoints"]!["ok"]!.GetValue<bool>());

        // The line's transaction, proved in the period's tree and checked offline with the published key.
        var proof = (await regulator.GetFromJsonAsync<Domain.Audit.InclusionProof>($"/v1/proofs?txId={Uri.EscapeDataString($"2026-12-01/{lease}/compute")}", Json))!;
        var key = (await ReadAsync(await buyer.GetAsync("/v1/public-key")))!["publicKeyPem"]!.GetValue<string>();
        var check = Domain.Audit.Proofs.Verify(proof, Domain.Audit.Checkpoints.PublicKeys([key]));
        Assert.True(check.Ok, string.Join("\n", check.Failures));
        Assert.Equal(("period", 1L), (proof.Log, proof.TreeSize));

        var verified = (await ReadAsync(await regulator.GetAsync("/v1/verify/statements/2026-12-01/invoice/sme-sh-1")))!;
        Assert.True(verified["ok"]!.GetValue<bool>(), verified.ToJsonString());
        Assert.Equal(invoice["hash"]!.GetValue<string>(), verified["checkpointHead"]!.GetValue<string>());
        var chain = (await ReadAsync(await regulator.GetAsync("/v1/verify/chains/provider/prov-nx")))!;
        Assert.True(chain["ok"]!.GetValue<bool>());
        Assert.Single(chain["statements"]!.AsArray());
        var badKind = await regulator.GetAsync("/v1/verify/chains/nonsense/prov-nx");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Equal("invalid", (await ReadAsync(badKind))!["code"]!.GetValue<string>());
    }
}
