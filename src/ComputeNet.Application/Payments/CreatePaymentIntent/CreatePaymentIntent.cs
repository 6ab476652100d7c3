using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Payments;
using ComputeNet.Domain.Settlement;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Payments.CreatePaymentIntent;

/// <summary>
/// Buyer or operator: the payment intent for an invoice's amount due (CNY, card / Alipay / WeChat Pay). The first
/// call creates it at the provider with an idempotency key derived from the invoice id and records it; every later
/// call answers the same intent. Null when no such invoice was issued.
/// </summary>
public sealed record CreatePaymentIntentRequest(string InvoiceId) : ICommand<PaymentIntentView?>;

/// <summary>An intent as buyers and operators see it. <see cref="ClientSecret"/> confirms the payment in the buyer's browser.</summary>
public sealed record PaymentIntentView(string InvoiceId, string Period, string Buyer, string IntentId, long AmountFen, string Currency,
    IReadOnlyList<string> PaymentMethodTypes, string Status, string? ClientSecret, string? CashId, IReadOnlyList<PaymentIntentFailed> Failures,
    PaymentNotPosted? NotPosted, bool Repeat)
{
    public static PaymentIntentView Of(IntentState s, bool repeat) => new(s.Created.InvoiceId, s.Created.Period, s.Created.Buyer, s.Created.IntentId,
        s.Created.AmountFen, s.Created.Currency, PaymentsBook.MethodTypes, s.Status, s.Created.ClientSecret, s.Succeeded?.CashId, s.Failures, s.NotPosted, repeat);
}

public sealed class CreatePaymentIntentValidator : AbstractValidator<CreatePaymentIntentRequest>
{
    public CreatePaymentIntentValidator() => RuleFor(x => x.InvoiceId).NotEmpty().MaximumLength(2 * RequestLimits.MaxIdLength);
}

public sealed class CreatePaymentIntentHandler(IDocumentStore store, IPaymentGateway gateway, IClock clock)
    : ICommandHandler<CreatePaymentIntentRequest, PaymentIntentView?>
{
    public async ValueTask<PaymentIntentView?> Handle(CreatePaymentIntentRequest r, CancellationToken ct)
    {
        var invoice = await FindInvoiceAsync(store, r.InvoiceId, ct);
        if (invoice is null)
        {
            return null;
        }
        var payable = new PayableInvoice(r.InvoiceId, invoice.Period, invoice.Buyer, invoice.DueFen);
        var streamKey = PaymentProjections.PaymentStreamOf(r.InvoiceId);
        PaymentsBook current;
        await using (var session = store.QuerySession())
        {
            current = await PaymentProjections.ReadPaymentAsync(session, r.InvoiceId, ct);
        }
        if (current.CheckIntent(payable) is { } existing)
        {
            return PaymentIntentView.Of(existing, repeat: true);
        }
        PaymentGateways.RequireConfigured(gateway);
        var key = PaymentsBook.IntentIdempotencyKey(r.InvoiceId);
        GatewayIntent created;
        try
        {
            created = await gateway.CreatePaymentIntentAsync(new NewPaymentIntent(invoice.DueFen, PaymentsBook.Currency, PaymentsBook.MethodTypes,
                new Dictionary<string, string>
                {
                    [MetadataKeys.InvoiceId] = r.InvoiceId, [MetadataKeys.Buyer] = invoice.Buyer, [MetadataKeys.Period] = invoice.Period,
                }, key), ct);
        }
        catch (PaymentGatewayException e)
        {
            throw Domain.RejectedException.Of(Domain.Codes.StripeError, $"Stripe refused the payment intent: {e.Message}");
        }
        // The invoice's own stream: one intent per invoice is its rule (a racing request that recorded first is answered).
        return await Decider.DecideAsync<PaymentStream, PaymentIntentView>(store, streamKey,
            state => state.Book.IntentForInvoice(r.InvoiceId) is not null ? []
                : [new PaymentIntentCreated(r.InvoiceId, invoice.Period, invoice.Buyer, created.Id, invoice.DueFen, PaymentsBook.Currency,
                    created.ClientSecret ?? "", key, clock.GetCurrentInstant())],
            (state, events) => PaymentIntentView.Of(state.Book.IntentForInvoice(r.InvoiceId)!, repeat: events.Count == 0), ct);
    }

    /// <summary>The invoice of a closed period for a buyer, by its id <c>{period}.{buyer}</c>.</summary>
    public static async Task<InvoiceIssued?> FindInvoiceAsync(IDocumentStore store, string invoiceId, CancellationToken ct)
    {
        if (PaymentsBook.ParseInvoiceId(invoiceId) is not var (period, buyer))
        {
            return null;
        }
        await using var session = store.QuerySession();
        // Its document, or its event while the async daemon has not projected it (SettlementReader.InvoiceAsync).
        return await Settlement.SettlementReader.InvoiceAsync(session, period, buyer, ct);
    }
}
