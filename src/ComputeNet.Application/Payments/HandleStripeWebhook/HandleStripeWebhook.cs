using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Ledger.RecordCash;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Payments;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Payments.HandleStripeWebhook;

/// <summary>
/// A webhook delivery from the provider: the exact body and its signature header. A bad signature is
/// `invalid-signature` and changes nothing. A succeeded intent is posted as a payment exactly once (cash id from the
/// intent id); replays, out-of-order deliveries and events for intents this platform did not create change nothing.
/// </summary>
public sealed record HandleStripeWebhookRequest(string Json, string? Signature) : ICommand<WebhookResult>;

/// <summary>What the delivery did: <c>posted</c>, <c>failure-recorded</c>, <c>not-posted</c> (the ledger refused it), <c>refund-recorded</c> or <c>ignored</c>.</summary>
public sealed record WebhookResult(string EventId, string Type, string Outcome, string? IntentId, string? Detail);

public sealed class HandleStripeWebhookHandler(IDocumentStore store, PartyDirectory parties, IPaymentGateway gateway, IClock clock,
    Disputes.DisputeService disputes)
    : ICommandHandler<HandleStripeWebhookRequest, WebhookResult>
{
    public async ValueTask<WebhookResult> Handle(HandleStripeWebhookRequest r, CancellationToken ct)
    {
        PaymentGateways.RequireConfigured(gateway);
        var e = gateway.ParseWebhook(r.Json, r.Signature);
        if (e.Dispute is not null && e.Type == "charge.dispute.created")
        {
            return await StripeDisputes.OpenAsync(store, disputes, clock, e, e.Dispute, ct);
        }
        if (e.Refunds is not null)
        {
            return await RefundThroughStripe.RefundWebhook.HandleAsync(store, clock, e, ct);
        }
        if (e.Intent is null)
        {
            return new WebhookResult(e.Id, e.Type, "ignored", null, $"event type '{e.Type}' is not acted on");
        }
        var intentEvent = new IntentEvent(e.Id, e.Type, e.Intent.Id, e.Intent.AmountReceivedFen, e.Intent.Currency, e.FailureCode, e.FailureMessage);
        var now = clock.GetCurrentInstant();
        // The intent's document names its invoice, whose stream holds the intent and its outcomes (no document: not ours).
        string? streamKey = null;
        var book = new PaymentsBook();
        await using (var session = store.QuerySession())
        {
            if (await session.LoadAsync<PaymentIntentDocument>(e.Intent.Id, ct) is { } document)
            {
                streamKey = PaymentProjections.PaymentStreamOf(document.InvoiceId);
                book = await PaymentProjections.ReadPaymentAsync(session, document.InvoiceId, ct);
            }
        }
        var decision = book.DecideWebhook(intentEvent, now);
        switch (decision)
        {
            case WebhookDecision.Ignore ignore:
                return new WebhookResult(e.Id, e.Type, "ignored", e.Intent.Id, ignore.Why);
            case WebhookDecision.RecordFailure failure:
                await Decider.DecideAsync<PaymentStream, bool>(store, streamKey!,
                    state => state.Book.DecideWebhook(intentEvent, now) is WebhookDecision.RecordFailure f ? [f.Failed] : [], (_, _) => true, ct);
                return new WebhookResult(e.Id, e.Type, "failure-recorded", e.Intent.Id, failure.Failed.FailureMessage);
            case WebhookDecision.Post post:
                object outcome;
                string result;
                try
                {
                    // Idempotent by cash id: a delivery that crashed after posting posts nothing the second time.
                    await RecordCashHandler.RecordAsync(store, parties, clock,
                        new RecordCashRequest("payment", post.CashId, post.Intent.Created.Buyer, post.AmountFen), ct);
                    outcome = new PaymentIntentSucceeded(e.Intent.Id, e.Id, post.AmountFen, post.CashId, now);
                    result = "posted";
                }
                catch (RejectedException rejected)
                {
                    outcome = new PaymentNotPosted(e.Intent.Id, e.Id, post.AmountFen, rejected.Rejection.Code, rejected.Rejection.Reason, now);
                    result = "not-posted";
                }
                await Decider.DecideAsync<PaymentStream, bool>(store, streamKey!,
                    state => state.Book.DecideWebhook(intentEvent, now) is WebhookDecision.Post ? [outcome] : [], (_, _) => true, ct);
                return new WebhookResult(e.Id, e.Type, result, e.Intent.Id, result == "posted" ? $"payment {post.CashId} of {post.AmountFen} fen" :
                    ((PaymentNotPosted)outcome).Reason);
            default:
                throw new InvalidOperationException("unknown webhook decision");
        }
    }
}
