using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// Refunds through Stripe (ADR 0027) over real HTTP against <see cref="FakeStripe"/>: alice pays her invoice by card, the charge
/// is reversed (the platform owes her what she paid), and the operator's <c>POST /v1/cash</c> type refund goes back onto her
/// PaymentIntent — exactly once across a retried request, a lost answer and a host that dies before Stripe saw the call; a
/// refund Stripe fails later is given back to her in the ledger; a buyer who paid by bank is refunded by bank, as before.
/// </summary>
public sealed class StripeRefundTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private ApiTestHost _host = null!;
    private HttpClient _alice = null!;
    private string _lease = "";
    private const string Invoice = "2026-12-01.alice";

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"), _stripe.HostArgs(fastOutbox: true));
        _alice = (await _host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true)).Client;
        var provider = (await _host.RegisterAsync("prov-nx", ["provider"])).Client;
        _lease = (await ClosedDay.CloseAsync(_host, provider, [(_alice, "bid-alice", "u1")], metered: true))[0];
        _host.Clock.Set(At("2026-12-02T09:00:00+08:00"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    /// <summary>alice pays her invoice by card (the webhook posts it), then the charge is reversed: she is owed what she paid.</summary>
    private async Task<(string IntentId, long Paid)> PaidByCardAndOwedAsync()
    {
        var intent = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = intent["intentId"]!.GetValue<string>();
        var paid = intent["amountFen"]!.GetValue<long>();
        Assert.Equal("posted", (await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_paid", "payment_intent.succeeded", _stripe.Succeed(intentId)))))["outcome"]!.GetValue<string>());
        await Reverse();
        Assert.Equal(-paid, await Balance("buyer:alice"));
        return (intentId, paid);
    }

    private async Task Reverse() => await Expect(HttpStatusCode.Created, _host.Operator.PostAsJsonAsync("/v1/reversals",
        new { id = "fix-1", txId = $"2026-12-01/{_lease}/compute", reason = "usage reported twice" }, Json));

    [Fact]
    public async Task A_refund_goes_back_onto_the_intent_once_across_a_lost_answer_and_retried_requests()
    {
        var (intentId, paid) = await PaidByCardAndOwedAsync();
        _stripe.HoldFor = TimeSpan.FromSeconds(5);
        _stripe.HoldNextRefundAnswers(1);

        // Stripe made the refund but its answer is lost: the posting stands (it committed with the outbox entry), the outcome is unknown.
        var first = await Expect(HttpStatusCode.Created, Cash("refund", "rf-1", "alice", paid));
        Assert.Equal("buyer:alice", first["account"]!.GetValue<string>());
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.Equal(1, _stripe.RefundCount);

        // The operator repeats the request, twice at once: a repeat of the cash action, and another attempt under the same key.
        var repeats = await Task.WhenAll(Cash("refund", "rf-1", "alice", paid), Cash("refund", "rf-1", "alice", paid));
        foreach (var r in repeats)
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["repeat"]!.GetValue<bool>());
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        var refund = Assert.Single(_stripe.Refunds);
        Assert.Equal((intentId, paid, "rf-1", "1"), ((string)refund["payment_intent"]!, (long)refund["amount"]!, (string)refund["metadata"]!["refund_id"]!,
            (string)refund["metadata"]!["refund_part"]!));
        var calls = _stripe.Requests.Where(r => r.StartsWith("POST /v1/refunds", StringComparison.Ordinal)).ToList();
        Assert.True(calls.Count >= 2, string.Join(", ", calls));
        Assert.All(calls, c => Assert.EndsWith(" computenet-refund-rf-1-1", c));
        Assert.Equal(0, await Balance("buyer:alice"));

        // Stripe confirms it; a replay of the confirmation changes nothing.
        var settled = FakeStripe.Event("evt_rf_ok", "refund.updated", _stripe.SucceedRefund((string)refund["id"]!));
        Assert.Equal("refund-recorded", (await Expect(HttpStatusCode.OK, Deliver(settled)))["outcome"]!.GetValue<string>());
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(settled)))["outcome"]!.GetValue<string>());
        Assert.Equal(1, _stripe.RefundCount);
        Assert.Equal(0, (await LedgerJson())["trialBalanceFen"]?.GetValue<long>() ?? 0);

        // Reconciliation lists the refund, both sides, and finds no difference.
        var report = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation"));
        Assert.True(report["matches"]!.GetValue<bool>(), report.ToJsonString());
        var line = Assert.Single(report["refunds"]!.AsArray())!;
        Assert.Equal(("rf-1", 1, intentId, paid, "succeeded", (string)refund["id"]!, "succeeded"), (line["refundId"]!.GetValue<string>(), line["part"]!.GetValue<int>(),
            line["intentId"]!.GetValue<string>(), line["amountFen"]!.GetValue<long>(), line["status"]!.GetValue<string>(),
            line["providerRefundId"]!.GetValue<string>(), line["providerStatus"]!.GetValue<string>()));
        Assert.Equal(paid, report["totals"]!["providerRefundsFen"]!.GetValue<long>());
        Assert.Equal(paid, report["totals"]!["ledgerProviderRefundsFen"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_host_that_dies_between_the_posting_and_the_stripe_call_leaves_the_refund_to_the_next_hosts_outbox()
    {
        var (intentId, paid) = await PaidByCardAndOwedAsync();
        // Every call is cut before Stripe acts on it (no answer, nothing made): this host never gets its refund to Stripe.
        _stripe.DropNextRefunds(int.MaxValue);
        await Expect(HttpStatusCode.Created, Cash("refund", "rf-9", "alice", paid));
        Assert.Equal(0, _stripe.RefundCount);
        Assert.Equal(0, await Balance("buyer:alice"));

        _host = await _host.RestartAsync();
        _stripe.DropNextRefunds(0);
        for (var i = 0; i < 200 && _stripe.RefundCount == 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        // The next host's outbox made it, once, under the refund's key; repeats and later sweeps add nothing.
        Assert.Equal(200, (int)(await Cash("refund", "rf-9", "alice", paid)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var refund = Assert.Single(_stripe.Refunds);
        Assert.Equal((intentId, paid), ((string)refund["payment_intent"]!, (long)refund["amount"]!));
        Assert.All(_stripe.Requests.Where(r => r.StartsWith("POST /v1/refunds", StringComparison.Ordinal)), c => Assert.EndsWith(" computenet-refund-rf-9-1", c));
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.Equal(0, (await LedgerJson())["trialBalanceFen"]?.GetValue<long>() ?? 0);
    }

    [Fact]
    public async Task A_refund_stripe_fails_after_accepting_it_is_given_back_to_the_buyer_once()
    {
        var (_, paid) = await PaidByCardAndOwedAsync();
        await Expect(HttpStatusCode.Created, Cash("refund", "rf-2", "alice", paid));
        var refund = Assert.Single(_stripe.Refunds);
        Assert.Equal(0, await Balance("buyer:alice"));

        var failed = FakeStripe.Event("evt_rf_fail", "refund.updated", _stripe.FailRefund((string)refund["id"]!));
        var answer = await Expect(HttpStatusCode.OK, Deliver(failed));
        Assert.Equal("refund-recorded", answer["outcome"]!.GetValue<string>());
        Assert.Contains("refund-failed-rf-2-1", answer["detail"]!.GetValue<string>());
        // The posting stands; its failed part is reversed: the platform owes alice the amount again.
        Assert.Equal(-paid, await Balance("buyer:alice"));
        Assert.Equal("ignored", (await Expect(HttpStatusCode.OK, Deliver(failed)))["outcome"]!.GetValue<string>());
        Assert.Equal(-paid, await Balance("buyer:alice"));
        Assert.Equal(0, (await LedgerJson())["trialBalanceFen"]?.GetValue<long>() ?? 0);
        var report = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation"));
        Assert.True(report["matches"]!.GetValue<bool>(), report.ToJsonString());
        Assert.Equal(("failed", "failed"), (report["refunds"]![0]!["status"]!.GetValue<string>(), report["refunds"]![0]!["providerStatus"]!.GetValue<string>()));

        // A new refund finds the intent refundable again (the failed part holds nothing) and goes back through Stripe.
        await Expect(HttpStatusCode.Created, Cash("refund", "rf-3", "alice", paid));
        Assert.Equal(2, _stripe.RefundCount);
        Assert.Equal(0, await Balance("buyer:alice"));
    }

    [Fact]
    public async Task A_buyer_who_paid_by_bank_is_refunded_by_bank_with_no_stripe_call()
    {
        var due = (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/invoices")))["items"]![0]!["dueFen"]!.GetValue<long>();
        await Expect(HttpStatusCode.Created, Cash("payment", "pay-1", "alice", due));
        await Reverse();
        Assert.Equal("over-balance", (await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-b", "alice", due + 1)))["code"]!.GetValue<string>());
        var refunded = await Expect(HttpStatusCode.Created, Cash("refund", "rf-b", "alice", due));
        Assert.Equal(("refund", "buyer:alice", false), (refunded["type"]!.GetValue<string>(), refunded["account"]!.GetValue<string>(), refunded["repeat"]!.GetValue<bool>()));
        Assert.True((await Expect(HttpStatusCode.OK, Cash("refund", "rf-b", "alice", due)))["repeat"]!.GetValue<bool>());
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.DoesNotContain(_stripe.Requests, r => r.Contains("/v1/refunds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refunds_are_listed_and_read_with_their_Stripe_parts_and_bank_remainder_each_buyer_its_own()
    {
        // alice pays all but 1 yuan by card and the rest by bank; the charge is reversed: she is owed both.
        var intent = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = intent["intentId"]!.GetValue<string>();
        var due = intent["amountFen"]!.GetValue<long>();
        Assert.True(due > 100, $"the invoice is {due} fen");
        await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_part", "payment_intent.succeeded", _stripe.Succeed(intentId, due - 100))));
        await Expect(HttpStatusCode.Created, Cash("payment", "pay-rest", "alice", 100));
        await Reverse();
        Assert.Equal(-due, await Balance("buyer:alice"));

        await Expect(HttpStatusCode.Created, Cash("refund", "rf-5", "alice", due));
        var refund = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds/rf-5"));
        Assert.Equal(("rf-5", "alice", "cash/rf-5", due, 100L, "cny"), (refund["refundId"]!.GetValue<string>(), refund["party"]!.GetValue<string>(),
            refund["cashTxId"]!.GetValue<string>(), refund["amountFen"]!.GetValue<long>(), refund["bankFen"]!.GetValue<long>(), refund["currency"]!.GetValue<string>()));
        var part = Assert.Single(refund["parts"]!.AsArray())!;
        var made = Assert.Single(_stripe.Refunds);
        Assert.Equal((1, intentId, due - 100, "computenet-refund-rf-5-1", (string)made["id"]!),
            (part["n"]!.GetValue<int>(), part["intentId"]!.GetValue<string>(), part["amountFen"]!.GetValue<long>(), part["idempotencyKey"]!.GetValue<string>(),
                part["providerRefundId"]!.GetValue<string>()));
        Assert.Contains(part["status"]!.GetValue<string>(), new[] { "pending", "succeeded" });

        // Stripe confirms it: the list and the refund say so; the list filters by status and party and pages in order.
        await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_rf5_ok", "refund.updated", _stripe.SucceedRefund((string)made["id"]!))));
        Assert.Equal("refunded", (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds/rf-5")))["status"]!.GetValue<string>());
        var listed = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds?status=refunded&party=alice"));
        Assert.Equal(["rf-5"], listed["items"]!.AsArray().Select(r => r!["refundId"]!.GetValue<string>()));
        Assert.Null(listed["nextOffset"]);
        Assert.Empty((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds?status=failed")))["items"]!.AsArray());
        Assert.Empty((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds?party=bob")))["items"]!.AsArray());

        // The buyer reads its own (?party= is ignored); another buyer sees none and reads alice's as not found; a provider may not list.
        Assert.Single((await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/refunds?party=someone-else")))["items"]!.AsArray());
        Assert.Equal(due, (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/refunds/rf-5")))["amountFen"]!.GetValue<long>());
        var bob = (await _host.RegisterAsync("bob", ["buyer"], "shanghai", sme: false)).Client;
        Assert.Empty((await Expect(HttpStatusCode.OK, bob.GetAsync("/v1/refunds")))["items"]!.AsArray());
        await Expect(HttpStatusCode.NotFound, bob.GetAsync("/v1/refunds/rf-5"));
        await Expect(HttpStatusCode.NotFound, _host.Operator.GetAsync("/v1/refunds/no-such-refund"));
        var provider = (await _host.RegisterAsync("prov-other", ["provider"])).Client;
        Assert.Equal(HttpStatusCode.Forbidden, (await provider.GetAsync("/v1/refunds")).StatusCode);

        // Bad filters and pages are refused with a problem naming the field.
        Assert.Equal("status", (await Expect(HttpStatusCode.BadRequest, _host.Operator.GetAsync("/v1/refunds?status=lost")))["field"]!.GetValue<string>());
        Assert.Equal("limit", (await Expect(HttpStatusCode.BadRequest, _host.Operator.GetAsync("/v1/refunds?limit=0")))["field"]!.GetValue<string>());
    }

    private Task<HttpResponseMessage> Cash(string type, string? id, string party, long amountFen, string? account = null) =>
        _host.Operator.PostAsJsonAsync("/v1/cash", new { type, id, party, amountFen, account }, Json);

    private Task<HttpResponseMessage> Deliver(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", FakeStripe.Sign(body, FakeStripe.WebhookSecret));
        return _host.Client().SendAsync(request);
    }

    private async Task<JsonNode> LedgerJson() => await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger"));

    private async Task<long> Balance(string account) => (await LedgerJson())["balances"]?[account]?.GetValue<long>() ?? 0;
}
