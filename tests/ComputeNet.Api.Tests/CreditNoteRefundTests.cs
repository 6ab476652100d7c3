using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// A credit note starts the refund of the credit it leaves its buyer (ADR 0032), over real HTTP against <see cref="FakeStripe"/>:
/// alice's invoice line is disputed and the operator accepts part of it. Paid by card, the credit goes back onto her
/// PaymentIntent once — across a repeated acceptance and a host that died before Stripe saw the call; unpaid, the note only
/// lowers her debt; partly paid, only the credit is refunded; paid by bank, the refund is a bank transfer. The policy is on
/// here (<c>ComputeNet:Refunds:AutoRefundCreditNotes=true</c>); off — the default, market-rules §14 as written — nothing is
/// refunded until the operator records it.
/// </summary>
public sealed class CreditNoteRefundTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private ApiTestHost _host = null!;
    private HttpClient _alice = null!;
    private string _aliceKey = "";
    private const string Invoice = "2026-12-01.alice";

    public async ValueTask InitializeAsync() => _stripe = await FakeStripe.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        await _stripe.DisposeAsync();
    }

    /// <summary>A host with Stripe on the fake and alice's day closed; returns alice's invoice due.</summary>
    private async Task<long> StartAsync(bool autoRefund = true)
    {
        var args = _stripe.HostArgs(fastOutbox: true);
        _host = await ApiTestHost.StartAsync(At("2026-11-30T08:00:00+08:00"), autoRefund ? [.. args, "--ComputeNet:Refunds:AutoRefundCreditNotes=true"] : args);
        (_alice, _aliceKey) = await _host.RegisterAsync("alice", ["buyer"], "shanghai", sme: true);
        var provider = (await _host.RegisterAsync("prov-nx", ["provider"])).Client;
        await ClosedDay.CloseAsync(_host, provider, [(_alice, "bid-alice", "u1")], metered: true);
        _host.Clock.Set(At("2026-12-02T09:00:00+08:00"));
        return (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/invoices")))["items"]![0]!["dueFen"]!.GetValue<long>();
    }

    /// <summary>alice pays <paramref name="amountFen"/> of her invoice by card (the webhook posts it); returns the intent.</summary>
    private async Task<string> PayByCardAsync(long amountFen)
    {
        var intent = await Expect(HttpStatusCode.Created, _alice.PostAsync($"/v1/invoices/{Invoice}/payment-intent", null));
        var intentId = intent["intentId"]!.GetValue<string>();
        Assert.Equal("posted", (await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_paid", "payment_intent.succeeded",
            _stripe.Succeed(intentId, amountFen)))))["outcome"]!.GetValue<string>());
        return intentId;
    }

    /// <summary>alice disputes her compute line and the operator accepts <paramref name="acceptedFen"/> (no voucher: all of it is hers).</summary>
    private async Task<JsonNode> CreditAsync(long acceptedFen, string dispute = "d1")
    {
        await Expect(HttpStatusCode.Created, _alice.PostAsJsonAsync("/v1/disputes", new
        {
            id = dispute, period = "2026-12-01", bid = "bid-alice", offer = "of1", kind = "compute", late = false, amountFen = acceptedFen,
            reason = "a failed job was billed",
        }, Json));
        var accepted = await Expect(HttpStatusCode.OK, Accept(dispute, acceptedFen));
        Assert.Equal($"cn-{dispute}", accepted["creditNote"]!.GetValue<string>());
        return accepted;
    }

    [Fact]
    public async Task A_paid_buyers_credit_is_refunded_onto_its_intent_once_across_a_repeat_and_a_host_that_died_before_the_call()
    {
        var due = await StartAsync();
        var intentId = await PayByCardAsync(due);
        // This host never gets the refund to Stripe (every call cut before Stripe acts): the note and the refund's posting stand.
        _stripe.DropNextRefunds(int.MaxValue);
        await CreditAsync(5_000);
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.Equal(0, _stripe.RefundCount);

        _host = await _host.RestartAsync();
        _alice = _host.Client(_aliceKey);
        _stripe.DropNextRefunds(0);
        for (var i = 0; i < 200 && _stripe.RefundCount == 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        // The next host's outbox made it; the operator accepting again is a repeat, which posts and refunds nothing more.
        Assert.True((await Expect(HttpStatusCode.OK, Accept("d1", 5_000)))["repeat"]!.GetValue<bool>());
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var made = Assert.Single(_stripe.Refunds);
        Assert.Equal((intentId, 5_000L, "refund-cn-d1", "1"), ((string)made["payment_intent"]!, (long)made["amount"]!, (string)made["metadata"]!["refund_id"]!,
            (string)made["metadata"]!["refund_part"]!));
        Assert.All(_stripe.Requests.Where(r => r.StartsWith("POST /v1/refunds", StringComparison.Ordinal)), c => Assert.EndsWith(" computenet-refund-refund-cn-d1-1", c));
        Assert.Equal(0, await Balance("buyer:alice"));
        var ledger = await LedgerJson();
        Assert.Equal(0, ledger["trialBalanceFen"]?.GetValue<long>() ?? 0);

        // The note names its refund (to the buyer and the operator, not to the provider); the refunds list has it.
        foreach (var reader in new[] { _alice, _host.Operator })
        {
            var refund = (await Expect(HttpStatusCode.OK, reader.GetAsync("/v1/credit-notes/cn-d1")))["refund"]!;
            Assert.Equal(("refund-cn-d1", 5_000L), (refund["refundId"]!.GetValue<string>(), refund["amountFen"]!.GetValue<long>()));
            Assert.Contains(refund["status"]!.GetValue<string>(), new[] { "pending", "refunded" });
        }
        Assert.Equal("refund-cn-d1", (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/credit-notes")))["items"]![0]!["refund"]!["refundId"]!.GetValue<string>());
        var listed = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds?party=alice"));
        var item = Assert.Single(listed["items"]!.AsArray())!;
        Assert.Equal(("refund-cn-d1", "cash/refund-cn-d1", 5_000L, 0L), (item["refundId"]!.GetValue<string>(), item["cashTxId"]!.GetValue<string>(),
            item["amountFen"]!.GetValue<long>(), item["bankFen"]!.GetValue<long>()));

        // Stripe confirms it: the note shows it refunded; reconciliation matches.
        await Expect(HttpStatusCode.OK, Deliver(FakeStripe.Event("evt_cn_ok", "refund.updated", _stripe.SucceedRefund((string)made["id"]!))));
        Assert.Equal("refunded", (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/credit-notes/cn-d1")))["refund"]!["status"]!.GetValue<string>());
        var report = await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/reconciliation"));
        Assert.True(report["matches"]!.GetValue<bool>(), report.ToJsonString());

        // Who: the platform, on behalf of the note — not the operator who accepted the dispute.
        var actions = (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/actions?limit=500"))).AsArray();
        var refunded = Assert.Single(actions, a => a!["keyId"]!.GetValue<string>() == "system:cn-d1")!;
        Assert.Equal(("platform", "alice", "cash", 2), (refunded["actorParty"]!.GetValue<string>(), refunded["party"]!.GetValue<string>(),
            refunded["target"]!.GetValue<string>(), refunded["events"]!.GetValue<int>()));
        var resolved = Assert.Single(actions, a => a!["actorParty"]!.GetValue<string>() == "operator"
            && a["target"]!.GetValue<string>() is var t && (t == "credit-notes" || t.StartsWith("dispute-line:", StringComparison.Ordinal)))!;
        Assert.Equal(3, resolved["events"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unpaid_buyers_credit_note_only_lowers_its_debt()
    {
        var due = await StartAsync();
        await CreditAsync(5_000);
        Assert.Equal(due - 5_000, await Balance("buyer:alice"));
        Assert.Null((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/credit-notes/cn-d1")))["refund"]);
        Assert.Empty((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds")))["items"]!.AsArray());
        Assert.Equal(0, _stripe.RefundCount);
    }

    [Fact]
    public async Task A_partly_paid_buyer_is_refunded_only_the_credit_the_note_leaves_it()
    {
        var due = await StartAsync();
        var intentId = await PayByCardAsync(due - 2_000);
        await CreditAsync(5_000);
        // It owed 2,000; the note credits 5,000: 3,000 is refunded and it ends square.
        Assert.Equal(0, await Balance("buyer:alice"));
        var made = Assert.Single(_stripe.Refunds);
        Assert.Equal((intentId, 3_000L), ((string)made["payment_intent"]!, (long)made["amount"]!));
        var refund = (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/credit-notes/cn-d1")))["refund"]!;
        Assert.Equal(("refund-cn-d1", 3_000L), (refund["refundId"]!.GetValue<string>(), refund["amountFen"]!.GetValue<long>()));

        // A second note on the same line refunds its whole credit, under its own id.
        await CreditAsync(1_000, "d2");
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.Equal([3_000L, 1_000L], _stripe.Refunds.Select(r => (long)r["amount"]!).Order().Reverse());
        Assert.Equal("refund-cn-d2", (await Expect(HttpStatusCode.OK, _alice.GetAsync("/v1/credit-notes/cn-d2")))["refund"]!["refundId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_buyer_who_paid_by_bank_is_refunded_by_bank_with_no_stripe_call()
    {
        var due = await StartAsync();
        await Expect(HttpStatusCode.Created, Cash("payment", "pay-1", due));
        await CreditAsync(5_000);
        Assert.Equal(0, await Balance("buyer:alice"));
        var refund = (await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/credit-notes/cn-d1")))["refund"]!;
        Assert.Equal(("refund-cn-d1", 5_000L, "bank"), (refund["refundId"]!.GetValue<string>(), refund["amountFen"]!.GetValue<long>(),
            refund["status"]!.GetValue<string>()));
        Assert.Empty((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds")))["items"]!.AsArray());
        Assert.DoesNotContain(_stripe.Requests, r => r.Contains("/v1/refunds", StringComparison.Ordinal));
        // It is the cash action refund-cn-d1: the operator recording it again is a repeat; another refund finds nothing owed.
        Assert.True((await Expect(HttpStatusCode.OK, Cash("refund", "refund-cn-d1", 5_000)))["repeat"]!.GetValue<bool>());
        Assert.Equal("over-balance", (await Expect(HttpStatusCode.UnprocessableEntity, Cash("refund", "rf-again", 1)))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_the_setting_off_a_credit_note_starts_no_refund_and_the_operator_refunds_by_hand()
    {
        var due = await StartAsync(autoRefund: false);
        await PayByCardAsync(due);
        await CreditAsync(5_000);
        Assert.Equal(-5_000, await Balance("buyer:alice"));
        Assert.Null((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/credit-notes/cn-d1")))["refund"]);
        Assert.Equal(0, _stripe.RefundCount);
        Assert.Empty((await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/refunds")))["items"]!.AsArray());

        await Expect(HttpStatusCode.Created, Cash("refund", "rf-1", 5_000));
        Assert.Equal(0, await Balance("buyer:alice"));
        Assert.Equal(1, _stripe.RefundCount);
    }

    private Task<HttpResponseMessage> Accept(string dispute, long amountFen) =>
        _host.Operator.PostAsJsonAsync($"/v1/disputes/{dispute}/accept", new { amountFen }, Json);

    private Task<HttpResponseMessage> Cash(string type, string id, long amountFen) =>
        _host.Operator.PostAsJsonAsync("/v1/cash", new { type, id, party = "alice", amountFen }, Json);

    private Task<HttpResponseMessage> Deliver(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", FakeStripe.Sign(body, FakeStripe.WebhookSecret));
        return _host.Client().SendAsync(request);
    }

    private async Task<JsonNode> LedgerJson() => await Expect(HttpStatusCode.OK, _host.Operator.GetAsync("/v1/ledger"));

    private async Task<long> Balance(string account) => (await LedgerJson())["balances"]?[account]?.GetValue<long>() ?? 0;
}
