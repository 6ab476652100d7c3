using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// Payments through Stripe over real HTTP: the API host runs Stripe.net against <see cref="FakeStripe"/> on a loopback
/// port. One closed day gives an invoice (buyer alice) and a provider statement (prov-nx) to pay.
/// </summary>
public sealed class StripePaymentsTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private ApiTestHost _host = null!;
    private HttpClient _alice = null!;
    private HttpClient _regulator = null!;
    private HttpClient _provider = null!;
    private HttpClient _otherProvider = null!;
    private const string Invoice = "2026-12-01.alice";

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"), _stripe.HostArgs());
        _alice = (await _host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true)).Client;
        var provider = _provider = (await _host.RegisterAsync("prov-nx", ["provider"])).Client;
        _regulator = (await _host.RegisterAsync("ndrc", ["regulator"])).Client;
        _otherProvider = (await _host.RegisterAsync("prov-bank", ["provider"])).Client;
        await ClosedDay.CloseAsync(_host, provider, [(_alice, "bid-alice", "u1")], metered: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private async Task<long> DueFen() =>
        (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/invoices")))["items"]![0]!["dueFen"]!.GetValue<long>();

    private async Task<long> Balance(string account) =>
        (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger")))["balances"]?[account]?.GetValue<long>() ?? 0;

    private Task<HttpResponseMessage> Deliver(string body, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? FakeStripe.Sign(body, FakeStripe.WebhookSecret));
        return _host.Client().SendAsync(request);
    }

    private async Task<JsonNode> LedgerJson() => await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger"));

    [Fact]
    public async Task Stripe_payment_end_to_end_posts_once_and_a_replayed_webhook_changes_nothing()
    {
        var due = await DueFen();
        Assert.True(due > 0);
        var created = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = created["intentId"]!.GetValue<string>();
        Assert.Equal(due, created["amountFen"]!.GetValue<long>());
        Assert.Equal("cny", created["currency"]!.GetValue<string>());
        Assert.Equal($"{intentId}_secret_fake", created["clientSecret"]!.GetValue<string>());

        // A repeat answers the same intent, and Stripe saw one creation under the invoice's idempotency key.
        var again = await Expect(HttpStatusCode.OK, _host.Operator.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        Assert.Equal(intentId, again["intentId"]!.GetValue<string>());
        Assert.Equal(["POST /v1/payment_intents computenet-invoice-2026-12-01.alice"], _stripe.Requests.Where(r => r.StartsWith("POST")).ToList());
        var intents = await Expect(HttpStatusCode.OK, _regulator.GetAsync("/v1/payment-intents"));
        Assert.Null(intents["items"]![0]!["clientSecret"]);

        var ledgerBefore = (await LedgerJson()).ToJsonString();
        var body = FakeStripe.Event("evt_ok_1", "payment_intent.succeeded", _stripe.Succeed(intentId));
        var delivered = await Expect(HttpStatusCode.OK, Deliver(body));
        Assert.Equal("posted", delivered["outcome"]!.GetValue<string>());
        var afterFirst = (await LedgerJson()).ToJsonString();
        Assert.NotEqual(ledgerBefore, afterFirst);
        Assert.Equal(due, await Balance("cash:clearing"));
        Assert.Equal(0, await Balance("buyer:alice"));

        // The same event again, and a second event for the same success: nothing changes.
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(body)))["outcome"]!.GetValue<string>());
        var other = FakeStripe.Event("evt_ok_2", "payment_intent.succeeded", _stripe.Succeed(intentId));
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(other)))["outcome"]!.GetValue<string>());
        // A late failure event (out of order) is kept as an attempt but the intent stays succeeded and the ledger unchanged.
        await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_late_fail", "payment_intent.payment_failed", _stripe.FailAttempt(intentId, "card_declined", "late"))));
        Assert.Equal(afterFirst, (await LedgerJson()).ToJsonString());
        var mine = await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/payment-intents"));
        Assert.Equal("succeeded", mine["items"]![0]!["status"]!.GetValue<string>());
        Assert.Equal($"stripe-{intentId}", mine["items"]![0]!["cashId"]!.GetValue<string>());

        var report = await Expect(HttpStatusCode.OK, _regulator.GetAsync("/v1/reconciliation"));
        Assert.True(report["matches"]!.GetValue<bool>(), report.ToJsonString());
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_success_post_one_payment()
    {
        var created = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = created["intentId"]!.GetValue<string>();
        var succeeded = _stripe.Succeed(intentId);
        var deliveries = Enumerable.Range(1, 6)
            .Select(i => FakeStripe.Event($"evt_race_{i % 2}", "payment_intent.succeeded", succeeded))
            .Select(body => Deliver(body)).ToList();
        var outcomes = new List<string>();
        foreach (var d in deliveries)
        {
            outcomes.Add((await Expect(HttpStatusCode.OK, d))["outcome"]!.GetValue<string>());
        }
        Assert.All(outcomes, o => Assert.Contains(o, new[] { "posted", "ignored" }));
        Assert.Equal(created["amountFen"]!.GetValue<long>(), await Balance("cash:clearing"));
        var ledger = await LedgerJson();
        Assert.Equal(0, ledger["trialBalanceFen"]!.GetValue<long>());
        Assert.Equal("succeeded", (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/payment-intents")))["items"]![0]!["status"]!.GetValue<string>());
        Assert.True((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation")))["matches"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_failed_payment_is_recorded_for_operators_and_posts_nothing()
    {
        var created = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = created["intentId"]!.GetValue<string>();
        var before = (await LedgerJson()).ToJsonString();
        var body = FakeStripe.Event("evt_fail_1", "payment_intent.payment_failed", _stripe.FailAttempt(intentId, "card_declined", "Your card was declined."));
        Assert.Equal("failure-recorded", (await Expect(HttpStatusCode.OK, Deliver(body)))["outcome"]!.GetValue<string>());
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(body)))["outcome"]!.GetValue<string>());
        Assert.Equal(before, (await LedgerJson()).ToJsonString());

        var intent = (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/payment-intents?buyer=alice")))["items"]![0]!;
        Assert.Equal("failed", intent["status"]!.GetValue<string>());
        var failure = Assert.Single(intent["failures"]!.AsArray());
        Assert.Equal("card_declined", failure!["failureCode"]!.GetValue<string>());

        // An event for an intent this platform never created is acknowledged and changes nothing.
        var foreign = new JsonObject
        {
            ["id"] = "pi_elsewhere", ["object"] = "payment_intent", ["amount"] = 100, ["amount_received"] = 100, ["currency"] = "cny",
            ["status"] = "succeeded", ["metadata"] = new JsonObject(),
        };
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_foreign", "payment_intent.succeeded", foreign))))["outcome"]!.GetValue<string>());
        Assert.Equal(before, (await LedgerJson()).ToJsonString());
    }

    [Fact]
    public async Task A_forged_webhook_is_rejected_and_changes_nothing()
    {
        var created = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = created["intentId"]!.GetValue<string>();
        var before = (await LedgerJson()).ToJsonString();
        var body = FakeStripe.Event("evt_forged", "payment_intent.succeeded", _stripe.Succeed(intentId));

        foreach (var signature in new[] { FakeStripe.Sign(body, "whsec_wrong"), "", "t=1,v1=00", FakeStripe.Sign(body, FakeStripe.WebhookSecret, DateTimeOffset.UtcNow.AddHours(-1)) })
        {
            var problem = await Expect(HttpStatusCode.BadRequest, Deliver(body, signature));
            Assert.Equal("invalid-signature", problem["code"]!.GetValue<string>());
        }
        // A body changed after signing does not verify either.
        var signed = FakeStripe.Sign(body, FakeStripe.WebhookSecret);
        Assert.Equal("invalid-signature", (await Expect(HttpStatusCode.BadRequest, Deliver(body.Replace("evt_forged", "evt_forge2"), signed)))["code"]!.GetValue<string>());

        Assert.Equal(before, (await LedgerJson()).ToJsonString());
        Assert.Equal("created", (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/payment-intents")))["items"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_transfer_that_fails_is_retried_with_the_same_idempotency_key_and_then_paid()
    {
        var owed = -await Balance("provider:prov-nx");
        Assert.True(owed > 0);
        // Without a connected account the provider is paid by bank transfer (an operator's cash payout).
        Assert.Equal("no-payout-account", (await Expect(HttpStatusCode.UnprocessableEntity, _host.Operator.PostAsJsonAsync("/v1/payouts",
            new { id = "po-1", party = "prov-nx" }, Json)))["code"]!.GetValue<string>());
        Assert.Equal("invalid", (await Expect(HttpStatusCode.BadRequest, _host.Operator.PutAsJsonAsync("/v1/parties/prov-nx/payout-account",
            new { connectedAccountId = "not-an-account" }, Json)))["code"]!.GetValue<string>());
        await Expect(HttpStatusCode.OK, _host.Operator.PutAsJsonAsync("/v1/parties/prov-nx/payout-account", new { connectedAccountId = "acct_provnx" }, Json));

        _stripe.FailNextTransfers(1);
        var failed = await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "po-1", party = "prov-nx" }, Json));
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal(owed, failed["amountFen"]!.GetValue<long>());
        Assert.Equal("fake_outage", failed["lastErrorCode"]!.GetValue<string>());
        Assert.Equal(-owed, await Balance("provider:prov-nx"));
        var listed = await Expect(HttpStatusCode.OK, _regulator.GetAsync("/v1/payouts?status=failed"));
        Assert.Equal("po-1", listed["items"]![0]!["id"]!.GetValue<string>());
        // The failed payout's amount stays reserved: a second payout finds nothing free.
        Assert.Equal("over-balance", (await Expect(HttpStatusCode.UnprocessableEntity, _host.Operator.PostAsJsonAsync("/v1/payouts",
            new { id = "po-2", party = "prov-nx", amountFen = 1 }, Json)))["code"]!.GetValue<string>());

        var paid = await Expect(HttpStatusCode.OK, _host.Operator.PostAsync("/v1/payouts/po-1/retry", null));
        Assert.Equal("paid", paid["status"]!.GetValue<string>());
        Assert.Equal(2, paid["attempts"]!.GetValue<int>());
        Assert.Equal("stripe-payout-po-1", paid["cashId"]!.GetValue<string>());
        Assert.Equal(0, await Balance("provider:prov-nx"));
        Assert.Equal(["POST /v1/transfers computenet-payout-po-1", "POST /v1/transfers computenet-payout-po-1"],
            _stripe.Requests.Where(r => r.StartsWith("POST /v1/transfers")).ToList());
        Assert.Equal(1, _stripe.TransferCount);

        // Retrying a paid payout is refused; repeating the request answers it as it is.
        Assert.Equal("not-retryable", (await Expect(HttpStatusCode.Conflict, _host.Operator.PostAsync("/v1/payouts/po-1/retry", null)))["code"]!.GetValue<string>());
        Assert.True((await Expect(HttpStatusCode.OK, _host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "po-1", party = "prov-nx" }, Json)))["repeat"]!.GetValue<bool>());
        Assert.Equal("unknown-payout", (await Expect(HttpStatusCode.NotFound, _host.Operator.PostAsync("/v1/payouts/po-x/retry", null)))["code"]!.GetValue<string>());
        Assert.True((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation")))["matches"]!.GetValue<bool>());

        // A provider reads its own payouts (the portal's payouts page); another provider sees none of them, even naming the party.
        var mine = Assert.Single((await Expect(HttpStatusCode.OK, _provider.GetAsync("/v1/payouts")))["items"]!.AsArray());
        Assert.Equal("po-1", mine!["id"]!.GetValue<string>());
        Assert.Equal("paid", mine["status"]!.GetValue<string>());
        Assert.Equal(owed, mine["amountFen"]!.GetValue<long>());
        Assert.Empty((await Expect(HttpStatusCode.OK, _otherProvider.GetAsync("/v1/payouts")))["items"]!.AsArray());
        Assert.Empty((await Expect(HttpStatusCode.OK, _otherProvider.GetAsync("/v1/payouts?party=prov-nx")))["items"]!.AsArray());
        Assert.Single((await Expect(HttpStatusCode.OK, _regulator.GetAsync("/v1/payouts?party=prov-nx")))["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await _alice.GetAsync("/v1/payouts")).StatusCode);
    }

    [Fact]
    public async Task Reconciliation_lists_every_planted_difference()
    {
        // A succeeded intent whose webhook never arrived, and a payment posted by hand under a Stripe-like id.
        var created = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = created["intentId"]!.GetValue<string>();
        _stripe.Succeed(intentId);
        await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/cash", new { type = "payment", id = "stripe-pi_ghost", party = "alice", amountFen = 100 }, Json));
        // A transfer nobody asked for, and one for a payout the ledger never posted.
        _stripe.Plant(new JsonObject
        {
            ["id"] = "tr_planted", ["object"] = "transfer", ["amount"] = 500, ["currency"] = "cny", ["destination"] = "acct_x",
            ["metadata"] = new JsonObject { ["payout_id"] = "po-ghost" }, ["reversed"] = false, ["created"] = 1,
        });
        _stripe.Plant(new JsonObject
        {
            ["id"] = "tr_foreign", ["object"] = "transfer", ["amount"] = 700, ["currency"] = "cny", ["destination"] = "acct_y",
            ["metadata"] = new JsonObject(), ["reversed"] = false, ["created"] = 1,
        });
        _stripe.PageSize = 1;
        var report = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation"));
        Assert.False(report["matches"]!.GetValue<bool>());
        var kinds = report["differences"]!.AsArray().Select(d => $"{d!["kind"]} {d["subject"]}").Order().ToList();
        Assert.Equal(new[] { $"intent-succeeded-not-posted {intentId}", "payment-without-succeeded-intent pi_ghost", "transfer-without-payout tr_foreign",
            "transfer-without-payout tr_planted" }.Order(), kinds);
        // Stripe.net paged through the lists (the fake answers one per page here).
        Assert.Contains(_stripe.Requests, r => r.StartsWith("GET /v1/transfers") && r.Contains("starting_after=tr_"));

        // The late webhook cannot post: the hand-made 100 fen already paid part of the invoice, so the ledger refuses
        // the whole amount (over-balance). It is recorded as not posted, and reconciliation keeps listing it.
        var late = await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_late", "payment_intent.succeeded", _stripe.Succeed(intentId))));
        Assert.Equal("not-posted", late["outcome"]!.GetValue<string>());
        var intent = (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/payment-intents")))["items"]![0]!;
        Assert.Equal("not-posted", intent["status"]!.GetValue<string>());
        Assert.Equal("over-balance", intent["notPosted"]!["code"]!.GetValue<string>());
        var after = await Expect(HttpStatusCode.OK, _regulator.GetAsync("/v1/reconciliation"));
        Assert.Contains(after["differences"]!.AsArray(), d => d!["kind"]!.GetValue<string>() == "intent-succeeded-not-posted");
    }

    [Fact]
    public async Task A_stripe_dispute_opens_a_dispute_on_the_paid_invoice_that_the_operator_sees()
    {
        var intentId = (await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null)))["intentId"]!.GetValue<string>();
        await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_pay", "payment_intent.succeeded", _stripe.Succeed(intentId))));

        // Stripe disputes the whole payment (the due, 144,768 fen: no voucher here); the dispute names the invoice's
        // largest line and claims the disputed amount, at most what is left of it.
        var body = FakeStripe.Event("evt_dp_1", "charge.dispute.created", FakeStripe.Dispute("dp_1", intentId, 144_768));
        var first = await Expect(HttpStatusCode.OK, Deliver(body));
        Assert.Equal("dispute-opened", first["outcome"]!.GetValue<string>());
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(body)))["outcome"]!.GetValue<string>());

        var open = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/disputes?state=open"));
        var dispute = Assert.Single(open["items"]!.AsArray())!;
        Assert.Equal(("stripe-dp_1", "alice", "bid-alice", "of1", 144_768L), (dispute["id"]!.GetValue<string>(), dispute["buyer"]!.GetValue<string>(),
            dispute["bid"]!.GetValue<string>(), dispute["offer"]!.GetValue<string>(), dispute["claimFen"]!.GetValue<long>()));
        Assert.Contains("dp_1", dispute["reason"]!.GetValue<string>());
        Assert.Contains(intentId, dispute["reason"]!.GetValue<string>());
        // The buyer sees it among its own.
        Assert.Single((await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/disputes")))["items"]!.AsArray());

        // A dispute of a payment this platform did not create changes nothing.
        var foreign = FakeStripe.Event("evt_dp_2", "charge.dispute.created", FakeStripe.Dispute("dp_2", "pi_elsewhere", 500));
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(foreign)))["outcome"]!.GetValue<string>());
        // A forged one is refused.
        await Expect(HttpStatusCode.BadRequest, Deliver(FakeStripe.Event("evt_dp_3", "charge.dispute.created", FakeStripe.Dispute("dp_3", intentId, 1)), "t=1,v1=00"));
        Assert.Single((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/disputes")))["items"]!.AsArray());
    }
}

/// <summary>Without Stripe keys every Stripe-backed endpoint answers 503 stripe-not-configured; cash stays operator-recorded.</summary>
public sealed class StripeOfflineTests
{
    [Fact]
    public async Task Without_Stripe_keys_the_Stripe_endpoints_answer_stripe_not_configured()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        await host.RegisterAsync("prov", ["provider"]);
        var calls = new Func<Task<HttpResponseMessage>>[]
        {
            () => host.Operator.PostAsJsonAsync("/v1/payouts", new { id = "po", party = "prov" }, Json),
            () => host.Operator.GetAsync("/v1/reconciliation"),
            () => host.Client().PostAsync("/v1/stripe/webhook", new StringContent("{}", Encoding.UTF8, "application/json")),
            () => host.Operator.PostAsync("/v1/payouts/po/retry", null),
        };
        foreach (var call in calls)
        {
            var response = await call();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("stripe-not-configured", (await ReadAsync(response))!["code"]!.GetValue<string>());
        }
        // Payout accounts can be recorded ahead of configuration.
        Assert.Equal(HttpStatusCode.OK, (await host.Operator.PutAsJsonAsync("/v1/parties/prov/payout-account", new { connectedAccountId = "acct_1" }, Json)).StatusCode);
    }
}
