using ComputeNet.Domain;
using ComputeNet.Domain.Payments;

namespace ComputeNet.Application.Payments;

/// <summary>A payment intent to create: amount in the currency's minor unit (fen for CNY).</summary>
public sealed record NewPaymentIntent(long AmountFen, string Currency, IReadOnlyList<string> MethodTypes,
    IReadOnlyDictionary<string, string> Metadata, string IdempotencyKey);

public sealed record GatewayIntent(string Id, long AmountFen, long AmountReceivedFen, string Currency, string Status, string? ClientSecret,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>A transfer to a connected account.</summary>
public sealed record NewTransfer(long AmountFen, string Currency, string Destination, IReadOnlyDictionary<string, string> Metadata, string IdempotencyKey);

public sealed record GatewayTransfer(string Id, long AmountFen, string Currency, string Destination, IReadOnlyDictionary<string, string> Metadata, bool Reversed);

/// <summary>A refund onto a payment intent (ADR 0027): amount in fen, created under the idempotency key.</summary>
public sealed record NewRefund(string PaymentIntentId, long AmountFen, IReadOnlyDictionary<string, string> Metadata, string IdempotencyKey);

/// <summary>A refund at the provider: status <c>pending</c>, <c>requires_action</c>, <c>succeeded</c>, <c>failed</c> or <c>canceled</c>.</summary>
public sealed record GatewayRefund(string Id, string? PaymentIntentId, long AmountFen, string Currency, string Status, string? FailureReason,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// A verified webhook event. <see cref="Intent"/> is set for payment_intent.* events, <see cref="Dispute"/> for charge.dispute.* events,
/// <see cref="Refunds"/> for refund.* and charge.refunded events (the refunds the event carries).
/// </summary>
public sealed record GatewayEvent(string Id, string Type, GatewayIntent? Intent, string? FailureCode, string? FailureMessage, GatewayDispute? Dispute = null,
    IReadOnlyList<GatewayRefund>? Refunds = null);

/// <summary>A card payment disputed at the provider (a chargeback): the payment intent it disputes, the amount in fen, the network's reason.</summary>
public sealed record GatewayDispute(string Id, string? PaymentIntentId, long AmountFen, string Currency, string? Reason);

/// <summary>The provider refused or failed a call (its answer), or did not answer (<see cref="OutcomeUnknown"/>).</summary>
public sealed class PaymentGatewayException(string? code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string? Code { get; } = code;

    /// <summary>
    /// No answer came (<c>network</c>, <c>timeout</c>): the provider may have acted on the call. Only a call repeated under the
    /// same idempotency key can tell — never record it as failed. Every other code is the provider's answer.
    /// </summary>
    public bool OutcomeUnknown => Code is "network" or "timeout";
}

/// <summary>
/// The payment provider as the application needs it (ADR 0013). Implemented by ComputeNet.Payments.Stripe — the only
/// project that references Stripe.net — and by <see cref="OfflinePaymentGateway"/> when no keys are configured.
/// Every create carries an idempotency key, so a repeated call after a lost answer finds what the first one made.
/// </summary>
public interface IPaymentGateway
{
    bool Configured { get; }

    Task<GatewayIntent> CreatePaymentIntentAsync(NewPaymentIntent intent, CancellationToken ct);

    Task<GatewayTransfer> CreateTransferAsync(NewTransfer transfer, CancellationToken ct);

    /// <summary>Every payment intent the provider holds, all pages, newest first.</summary>
    IAsyncEnumerable<GatewayIntent> ListPaymentIntentsAsync(CancellationToken ct);

    /// <summary>Refunds (part of) a payment intent under the refund's idempotency key (ADR 0027).</summary>
    Task<GatewayRefund> CreateRefundAsync(NewRefund refund, CancellationToken ct) => throw OfflinePaymentGateway.NotConfigured();

    /// <summary>Every refund the provider holds, all pages, newest first.</summary>
    IAsyncEnumerable<GatewayRefund> ListRefundsAsync(CancellationToken ct) => throw OfflinePaymentGateway.NotConfigured();

    /// <summary>Every transfer the provider holds, all pages, newest first.</summary>
    IAsyncEnumerable<GatewayTransfer> ListTransfersAsync(CancellationToken ct);

    /// <summary>Verifies the signature header over the exact body and parses the event; `invalid-signature` otherwise.</summary>
    GatewayEvent ParseWebhook(string json, string? signatureHeader);
}

/// <summary>No provider configured: every provider-backed request answers `stripe-not-configured`; cash is recorded by the operator.</summary>
public sealed class OfflinePaymentGateway : IPaymentGateway
{
    public bool Configured => false;

    public Task<GatewayIntent> CreatePaymentIntentAsync(NewPaymentIntent intent, CancellationToken ct) => throw NotConfigured();

    public Task<GatewayTransfer> CreateTransferAsync(NewTransfer transfer, CancellationToken ct) => throw NotConfigured();

    public IAsyncEnumerable<GatewayIntent> ListPaymentIntentsAsync(CancellationToken ct) => throw NotConfigured();

    public Task<GatewayRefund> CreateRefundAsync(NewRefund refund, CancellationToken ct) => throw NotConfigured();

    public IAsyncEnumerable<GatewayRefund> ListRefundsAsync(CancellationToken ct) => throw NotConfigured();

    public IAsyncEnumerable<GatewayTransfer> ListTransfersAsync(CancellationToken ct) => throw NotConfigured();

    public GatewayEvent ParseWebhook(string json, string? signatureHeader) => throw NotConfigured();

    public static RejectedException NotConfigured() => RejectedException.Of(Codes.StripeNotConfigured,
        "Stripe is not configured (ComputeNet:Stripe:SecretKey and ComputeNet:Stripe:WebhookSecret): payments and payouts are recorded offline by the operator (POST /v1/cash)");
}

/// <summary>Helpers over the gateway that are the same for every implementation.</summary>
public static class PaymentGateways
{
    public static ProviderIntent ToProvider(GatewayIntent i) =>
        new(i.Id, i.AmountFen, i.AmountReceivedFen, i.Currency, i.Status, i.Metadata.GetValueOrDefault(MetadataKeys.InvoiceId));

    public static ProviderTransfer ToProvider(GatewayTransfer t) =>
        new(t.Id, t.AmountFen, t.Currency, t.Destination, t.Metadata.GetValueOrDefault(MetadataKeys.PayoutId), t.Reversed);

    public static ProviderRefund ToProvider(GatewayRefund r) =>
        new(r.Id, r.PaymentIntentId, r.AmountFen, r.Status, r.Metadata.GetValueOrDefault(MetadataKeys.RefundId),
            int.TryParse(r.Metadata.GetValueOrDefault(MetadataKeys.RefundPart), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                out var n) ? n : null);

    public static void RequireConfigured(IPaymentGateway gateway)
    {
        if (!gateway.Configured)
        {
            throw OfflinePaymentGateway.NotConfigured();
        }
    }
}

/// <summary>The metadata keys this platform writes on intents and transfers (reconciliation reads them back).</summary>
public static class MetadataKeys
{
    public const string InvoiceId = "invoice_id";
    public const string Buyer = "buyer";
    public const string Period = "period";
    public const string PayoutId = "payout_id";
    public const string Party = "party";
    public const string RefundId = "refund_id";
    public const string RefundPart = "refund_part";
}
