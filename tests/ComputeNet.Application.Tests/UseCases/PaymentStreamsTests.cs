using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Payments;
using ComputeNet.Application.Payments.HandleStripeWebhook;
using ComputeNet.Application.Payments.ListPaymentIntents;
using ComputeNet.Application.Payments.ListPayouts;
using ComputeNet.Application.Payments.PayParty;
using ComputeNet.Application.Payments.SetPayoutAccount;
using ComputeNet.Domain;
using ComputeNet.Domain.Payments;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// One stream per invoice (<c>payment:{invoiceId}</c>) and per payee (<c>payee:{party}</c>): the inline intent and payout
/// documents, lists paged in PostgreSQL, payout ids unique across payees, and the upgrade of a schema written with the
/// single <c>payments</c> stream.
/// </summary>
public sealed class PaymentStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A provider stand-in for these tests (the Stripe wire format is covered by the API tests against FakeStripe): transfers
    /// succeed; a webhook body is <c>{eventId}|{type}|{intentId}|{amountFen}</c>.
    /// </summary>
    private sealed class TestGateway : IPaymentGateway
    {
        public int Transfers;

        public bool Configured => true;

        public Task<GatewayIntent> CreatePaymentIntentAsync(NewPaymentIntent intent, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<GatewayTransfer> CreateTransferAsync(NewTransfer transfer, CancellationToken ct) =>
            Task.FromResult(new GatewayTransfer($"tr_{Interlocked.Increment(ref Transfers)}", transfer.AmountFen, transfer.Currency, transfer.Destination,
                transfer.Metadata, false));

        public IAsyncEnumerable<GatewayIntent> ListPaymentIntentsAsync(CancellationToken ct) => AsyncEnumerable.Empty<GatewayIntent>();

        public IAsyncEnumerable<GatewayTransfer> ListTransfersAsync(CancellationToken ct) => AsyncEnumerable.Empty<GatewayTransfer>();

        public GatewayEvent ParseWebhook(string json, string? signatureHeader)
        {
            var f = json.Split('|');
            return new GatewayEvent(f[0], f[1], new GatewayIntent(f[2], long.Parse(f[3]), long.Parse(f[3]), "cny", "x", null, new Dictionary<string, string>()),
                "card_declined", "declined");
        }
    }

    private static void WithGateway(IServiceCollection s) => s.AddSingleton<IPaymentGateway>(new TestGateway());

    private static readonly NodaTime.Instant T = At("2026-12-02T02:00:00+08:00");

    private static PaymentIntentCreated Created(string invoiceId, string intentId, long amount)
    {
        var (period, buyer) = PaymentsBook.ParseInvoiceId(invoiceId)!.Value;
        return new PaymentIntentCreated(invoiceId, period, buyer, intentId, amount, "cny", $"{intentId}_secret", PaymentsBook.IntentIdempotencyKey(invoiceId), T);
    }

    private static PayoutRequested Requested(string payoutId, string party, long amount) =>
        new(payoutId, party, $"provider:{party}", amount, $"acct_{party}", PaymentsBook.PayoutIdempotencyKey(payoutId), T);

    /// <summary>What the previous version wrote: every payment event in the one stream 'payments', interleaved across invoices and payees.</summary>
    private static readonly object[] OldHistory =
    [
        new PayoutAccountSet("prov-a", "acct_prov-a", T),
        Created("2026-12-01.alice", "pi_1", 1_000),
        Requested("po-1", "prov-a", 500),
        Created("2026-12-01.bob", "pi_2", 2_000),
        new PaymentIntentFailed("pi_1", "evt_f1", "card_declined", "declined", T),
        new PayoutTransferFailed("po-1", 1, "outage", "down", T),
        new PayoutAccountSet("prov-b", "acct_prov-b", T),
        Requested("po-2", "prov-b", 300),
        new PaymentIntentSucceeded("pi_2", "evt_s2", 2_000, "stripe-pi_2", T),
        new PayoutTransferred("po-2", "tr_old", "stripe-payout-po-2", T),
        Created("2026-12-02.alice", "pi_3", 3_000),
    ];

    private static async Task<TestPlatform> OldSchemaAsync()
    {
        var p = await TestPlatform.StartAsync(Nov30Morning, configure: WithGateway);
        foreach (var party in new[] { "prov-a", "prov-b" })
        {
            await p.Sender.Send(new RegisterPartyRequest(party, ["provider"]), Ct);
        }
        await using var session = p.Store.LightweightSession();
        session.Events.Append(PaymentStreamsUpgrade.OldStream, OldHistory);
        await session.SaveChangesAsync(Ct);
        return p;
    }

    [Fact]
    public async Task A_schema_with_the_single_payments_stream_is_upgraded_at_start_into_invoice_and_payee_streams()
    {
        await using var p = await OldSchemaAsync();
        await using (var session = p.Store.QuerySession())
        {
            // The old layout had no documents: nothing is listed before the upgrade.
            Assert.Equal(0, await session.Query<PaymentIntentDocument>().CountAsync(Ct));
        }
        await using var upgraded = await p.SecondProcessAsync(WithGateway);

        var intents = await upgraded.Sender.Send(new ListPaymentIntentsRequest(), Ct);
        Assert.Equal(["pi_1:failed", "pi_2:succeeded", "pi_3:created"], intents.Select(i => $"{i.IntentId}:{i.Status}"));
        Assert.Equal("evt_f1", Assert.Single(intents[0].Failures).EventId);
        Assert.Equal("stripe-pi_2", intents[1].CashId);
        Assert.Equal(["pi_1", "pi_3"], (await upgraded.Sender.Send(new ListPaymentIntentsRequest("alice"), Ct)).Select(i => i.IntentId));
        Assert.Equal(["pi_2"], (await upgraded.Sender.Send(new ListPaymentIntentsRequest(null, 1, 1), Ct)).Select(i => i.IntentId));
        Assert.Equal(["pi_3"], (await upgraded.Sender.Send(new ListPaymentIntentsRequest("alice", 1, 5), Ct)).Select(i => i.IntentId));

        var payouts = await upgraded.Sender.Send(new ListPayoutsRequest(), Ct);
        Assert.Equal(["po-1:failed:1", "po-2:paid:1"], payouts.Select(x => $"{x.Id}:{x.Status}:{x.Attempts}"));
        Assert.Equal(["po-2"], (await upgraded.Sender.Send(new ListPayoutsRequest(Status: "paid"), Ct)).Select(x => x.Id));
        Assert.Equal(["po-1"], (await upgraded.Sender.Send(new ListPayoutsRequest("prov-a"), Ct)).Select(x => x.Id));
        Assert.Equal(["po-2"], (await upgraded.Sender.Send(new ListPayoutsRequest(Offset: 1, Limit: 10), Ct)).Select(x => x.Id));

        await using (var session = upgraded.Store.QuerySession())
        {
            Assert.True((await session.Events.FetchStreamStateAsync(PaymentStreamsUpgrade.OldStream, Ct))!.IsArchived);
            Assert.Equal(OldHistory.Length, (await session.LoadAsync<StreamSplit.Marker>(StreamSplit.MarkerKey("payments"), Ct))!.CopiedEvents);
            Assert.Equal(2, (await session.Events.FetchStreamStateAsync(PaymentProjections.PaymentStreamOf("2026-12-01.alice"), Ct))!.Version);
            Assert.Equal(1, (await session.Events.FetchStreamStateAsync(PaymentProjections.PaymentStreamOf("2026-12-02.alice"), Ct))!.Version);
            Assert.Equal(3, (await session.Events.FetchStreamStateAsync(PaymentProjections.PayeeStreamOf("prov-a"), Ct))!.Version);
            Assert.Equal(3, (await session.Events.FetchStreamStateAsync(PaymentProjections.PayeeStreamOf("prov-b"), Ct))!.Version);
        }
        var book = await PaymentProjections.ReadPayeeAsync(upgraded.Store, "prov-a", Ct);
        Assert.Equal("acct_prov-a", book.PayoutAccountOf("prov-a"));

        // Once: a further start copies nothing.
        await using var again = await upgraded.SecondProcessAsync(WithGateway);
        await using (var session = again.Store.QuerySession())
        {
            Assert.Equal(3, (await session.Events.FetchStreamStateAsync(PaymentProjections.PayeeStreamOf("prov-a"), Ct))!.Version);
        }

        // The upgraded streams take decisions: a payout repeat, an id reused by another payee, a retry found by its
        // document, webhook failures deduplicated per intent.
        Assert.True((await again.Sender.Send(new PayPartyRequest("po-1", "prov-a", 500), Ct)).Repeat);
        var reused = await Assert.ThrowsAsync<RejectedException>(() => again.Sender.Send(new PayPartyRequest("po-1", "prov-b", 1), Ct).AsTask());
        Assert.Equal(Codes.IdReused, reused.Rejection.Code);
        // The retry is checked again against the balance (issue 13): prov-a is owed nothing in this synthetic history, so
        // the failed payout's 500 fen is no longer covered and nothing is sent.
        var uncovered = await Assert.ThrowsAsync<RejectedException>(() => again.Sender.Send(new RetryPayoutRequest("po-1"), Ct).AsTask());
        Assert.Equal((Codes.OverBalance, "payoutId"), (uncovered.Rejection.Code, uncovered.Rejection.Field));
        Assert.Equal("failed", (await again.Sender.Send(new ListPayoutsRequest("prov-a"), Ct)).Single().Status);
        var notRetryable = await Assert.ThrowsAsync<RejectedException>(() => again.Sender.Send(new RetryPayoutRequest("po-2"), Ct).AsTask());
        Assert.Equal(Codes.NotRetryable, notRetryable.Rejection.Code);

        Assert.Equal("failure-recorded", (await again.Sender.Send(new HandleStripeWebhookRequest("evt_f3|payment_intent.payment_failed|pi_3|3000", "sig"), Ct)).Outcome);
        Assert.Equal("ignored", (await again.Sender.Send(new HandleStripeWebhookRequest("evt_f3|payment_intent.payment_failed|pi_3|3000", "sig"), Ct)).Outcome);
        Assert.Equal("ignored", (await again.Sender.Send(new HandleStripeWebhookRequest("evt_s2|payment_intent.succeeded|pi_2|2000", "sig"), Ct)).Outcome);
        Assert.Equal("ignored", (await again.Sender.Send(new HandleStripeWebhookRequest("evt_x|payment_intent.succeeded|pi_unknown|1", "sig"), Ct)).Outcome);
        var pi3 = Assert.Single(await again.Sender.Send(new ListPaymentIntentsRequest("alice", 1, 1), Ct));
        Assert.Equal(("pi_3", "failed", 1), (pi3.IntentId, pi3.Status, pi3.Failures.Count));
        await using (var session = again.Store.QuerySession())
        {
            Assert.Equal(2, (await session.Events.FetchStreamStateAsync(PaymentProjections.PaymentStreamOf("2026-12-02.alice"), Ct))!.Version);
        }
    }

    [Fact]
    public async Task Payout_accounts_and_payouts_are_per_payee_and_a_payout_id_is_unique_across_payees()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning, configure: WithGateway);
        foreach (var party in new[] { "prov-a", "prov-b" })
        {
            await p.Sender.Send(new RegisterPartyRequest(party, ["provider"]), Ct);
            await p.Sender.Send(new SetPayoutAccountRequest(party, $"acct_{party}"), Ct);
        }
        // Nothing is owed yet: the payout is refused, and nothing is written.
        var over = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new PayPartyRequest("po-1", "prov-a"), Ct).AsTask());
        Assert.Equal(Codes.OverBalance, over.Rejection.Code);
        Assert.Empty(await p.Sender.Send(new ListPayoutsRequest(), Ct));
        await using var session = p.Store.QuerySession();
        Assert.Equal(1, (await session.Events.FetchStreamStateAsync(PaymentProjections.PayeeStreamOf("prov-a"), Ct))!.Version);
        Assert.Equal(1, (await session.Events.FetchStreamStateAsync(PaymentProjections.PayeeStreamOf("prov-b"), Ct))!.Version);
        Assert.Equal("acct_prov-b", (await PaymentProjections.ReadPayeeAsync(p.Store, "prov-b", Ct)).PayoutAccountOf("prov-b"));
        Assert.Null((await PaymentProjections.ReadPayeeAsync(p.Store, "prov-b", Ct)).PayoutAccountOf("prov-a"));
    }
}
