using ComputeNet.Application.Payments.CreatePaymentIntent;
using Marten;
using Mediator;

namespace ComputeNet.Application.Payments.ListPaymentIntents;

/// <summary>Payment intents with their status and failed attempts, in creation order; optionally one buyer's.</summary>
public sealed record ListPaymentIntentsRequest(string? Buyer = null) : IQuery<IReadOnlyList<PaymentIntentView>>;

public sealed class ListPaymentIntentsHandler(IDocumentStore store) : IQueryHandler<ListPaymentIntentsRequest, IReadOnlyList<PaymentIntentView>>
{
    public async ValueTask<IReadOnlyList<PaymentIntentView>> Handle(ListPaymentIntentsRequest q, CancellationToken ct) =>
        (await PaymentsStream.ReadAsync(store, ct)).Intents
            .Where(i => q.Buyer is null || i.Created.Buyer == q.Buyer)
            .Select(i => PaymentIntentView.Of(i, repeat: false)).ToList();
}
