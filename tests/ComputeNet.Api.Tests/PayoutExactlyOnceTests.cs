using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// Payouts exactly once (issue 13, item 3), over real HTTP against <see cref="FakeStripe"/>: an answer lost to a timeout, a
/// host stopped in the middle of the call, retries on top — one transfer at Stripe, one cash posting, the balance at 0,
/// and a bank payout meanwhile sees the amount in flight.
/// </summary>
public sealed class PayoutExactlyOnceTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private ApiTestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"), _stripe.HostArgs(fastOutbox: true));
        var buyer = (await _host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true)).Client;
        var provider = (await _host.RegisterAsync("prov-nx", ["provider"])).Client;
        await ClosedDay.CloseAsync(_host, provider, [(buyer, "bid-alice", "u1")], metered: true);
        await Expect(HttpStatusCode.OK, _host.Operator.PutAsJsonAsync("/v1/parties/prov-nx/payout-account", new { connectedAccountId = "acct_provnx" }, Json));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    [Fact]
    public async Task A_lost_answer_is_finished_by_the_outbox_and_retries_on_top_make_no_second_transfer()
    {
        var owed = -await Balance("provider:prov-nx");
        Assert.True(owed > 0);
        _stripe.HoldFor = TimeSpan.FromSeconds(5);
        _stripe.HoldNextTransferAnswers(1);

        // Stripe made the transfer, but its answer did not come within the timeout: the outcome is unknown, nothing is
        // recorded as failed, the amount stays reserved.
        var pending = await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "po-1", party = "prov-nx" }, Json));
        Assert.Equal("requested", pending["status"]!.GetValue<string>());
        Assert.Equal(1, _stripe.TransferCount);

        // A bank payout of the same debt meanwhile sees the payout in flight, and is refused.
        var bank = await Expect(HttpStatusCode.UnprocessableEntity, _host.Operator.PostAsJsonAsync("/v1/cash",
            new { type = "payout", id = "bank-1", party = "prov-nx", amountFen = owed }, Json));
        Assert.Equal("over-balance", bank["code"]!.GetValue<string>());

        // Two retries at once, and the outbox: all under the same idempotency key, one attempt at a time.
        var retries = await Task.WhenAll(_host.Operator.PostAsync("/v1/payouts/po-1/retry", null), _host.Operator.PostAsync("/v1/payouts/po-1/retry", null));
        foreach (var r in retries)
        {
            Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
        var paid = await PaidAsync("po-1");
        Assert.Equal(owed, paid["amountFen"]!.GetValue<long>());
        Assert.Equal("stripe-payout-po-1", paid["cashId"]!.GetValue<string>());

        Assert.Equal(1, _stripe.TransferCount);
        Assert.All(_stripe.Requests.Where(r => r.StartsWith("POST /v1/transfers")), r => Assert.EndsWith("computenet-payout-po-1", r));
        Assert.Equal(0, await Balance("provider:prov-nx"));
        Assert.Equal("not-retryable", (await Expect(HttpStatusCode.Conflict, _host.Operator.PostAsync("/v1/payouts/po-1/retry", null)))["code"]!.GetValue<string>());
        Assert.True((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation")))["matches"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_host_stopped_in_the_middle_of_the_call_leaves_the_payout_to_the_next_hosts_outbox()
    {
        var owed = -await Balance("provider:prov-nx");
        _stripe.HoldFor = TimeSpan.FromSeconds(30);
        _stripe.HoldNextTransferAnswers(1);
        // A long timeout: the call is still waiting when the host stops.
        var call = _host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "po-9", party = "prov-nx" }, Json);
        for (var i = 0; i < 200 && _stripe.TransferCount == 0; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(1, _stripe.TransferCount);

        _host = await _host.RestartAsync();
        try
        {
            await call;
        }
        catch (HttpRequestException)
        {
            // The host went away under the client: it does not know the outcome either.
        }
        var paid = await PaidAsync("po-9");
        Assert.Equal(owed, paid["amountFen"]!.GetValue<long>());
        Assert.Equal(1, _stripe.TransferCount);
        Assert.Equal(0, await Balance("provider:prov-nx"));
        var ledger = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger"));
        Assert.Equal(0, ledger["trialBalanceFen"]?.GetValue<long>() ?? 0);
    }

    private async Task<JsonNode> PaidAsync(string payoutId)
    {
        for (var i = 0; ; i++)
        {
            var list = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/payouts"));
            var payout = list["items"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == payoutId)!;
            if (payout["status"]!.GetValue<string>() == "paid" || i > 100)
            {
                Assert.Equal("paid", payout["status"]!.GetValue<string>());
                return payout;
            }
            await Task.Delay(100);
        }
    }

    private async Task<long> Balance(string account) =>
        (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger")))["balances"]?[account]?.GetValue<long>() ?? 0;
}
