using ComputeNet.Application.Disputes;
using ComputeNet.Domain;
using ComputeNet.Domain.Disputes;
using Marten;
using NodaTime;

namespace ComputeNet.Application.Payments.HandleStripeWebhook;

/// <summary>
/// <c>charge.dispute.created</c>: a buyer disputed its card payment at the card network. Stripe disputes a whole
/// payment, ComputeNet a line (market-rules §14), so the dispute this opens names the paid invoice's line with the
/// largest amount still creditable (ties: the first in line order; never an SLA credit), and claims the smaller of
/// Stripe's disputed amount and what is left of that line. Its id is <c>stripe-{Stripe dispute id}</c>, so a redelivery
/// changes nothing; its reason names the Stripe dispute, the network's reason and the payment. The operator then sees it
/// among the open disputes and decides it like any other (docs/disputes.md, "Stripe disputes").
/// </summary>
public static class StripeDisputes
{
    public static string IdOf(string stripeDisputeId) => $"stripe-{stripeDisputeId}";

    public static async Task<WebhookResult> OpenAsync(IDocumentStore store, DisputeService disputes, IClock clock, GatewayEvent e, GatewayDispute d,
        CancellationToken ct)
    {
        PaymentIntentDocument? intent = null;
        if (d.PaymentIntentId is { Length: > 0 } intentId)
        {
            await using var session = store.QuerySession();
            intent = await session.LoadAsync<PaymentIntentDocument>(intentId, ct);
        }
        if (intent is null || !Documents.DocumentIds.TryParseInvoice(intent.InvoiceId, out var period, out var buyer))
        {
            return new WebhookResult(e.Id, e.Type, "ignored", d.PaymentIntentId, "the disputed payment is not one of this platform's invoice payments");
        }
        var line = await disputes.LargestLineAsync(period, buyer, ct);
        if (line is null)
        {
            return new WebhookResult(e.Id, e.Type, "not-opened", d.PaymentIntentId, $"invoice {intent.InvoiceId} has no line left to dispute");
        }
        var reason = $"Stripe dispute {d.Id} ({d.Reason ?? "no reason given"}) of payment {d.PaymentIntentId} on invoice {intent.InvoiceId}: {d.AmountFen} fen {d.Currency}";
        try
        {
            var opened = await disputes.OpenAsync(new OpenDispute(IdOf(d.Id), buyer, period, line.Value.Line.Bid, line.Value.Line.Offer, line.Value.Line.Kind,
                line.Value.Line.Late, Math.Max(1, Math.Min(d.AmountFen, line.Value.LeftFen)), reason[..Math.Min(reason.Length, DisputeLine.MaxReason)],
                clock.GetCurrentInstant()), ct);
            return new WebhookResult(e.Id, e.Type, opened.Repeat ? "ignored" : "dispute-opened", d.PaymentIntentId, $"dispute {opened.Id}");
        }
        catch (RejectedException rejected)
        {
            return new WebhookResult(e.Id, e.Type, "not-opened", d.PaymentIntentId, $"{rejected.Rejection.Code}: {rejected.Rejection.Reason}");
        }
    }
}
