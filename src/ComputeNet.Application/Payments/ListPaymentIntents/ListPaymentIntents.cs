using ComputeNet.Application.Payments.CreatePaymentIntent;
using Marten;
using Mediator;

namespace ComputeNet.Application.Payments.ListPaymentIntents;

/// <summary>
/// Payment intents with their status and failed attempts, in creation order; optionally one buyer's. Paged in PostgreSQL
/// (<see cref="Offset"/>, at most <see cref="Limit"/>) through the intent documents' order and buyer-then-order indexes.
/// </summary>
public sealed record ListPaymentIntentsRequest(string? Buyer = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<PaymentIntentView>>;

public sealed class ListPaymentIntentsHandler(IDocumentStore store) : IQueryHandler<ListPaymentIntentsRequest, IReadOnlyList<PaymentIntentView>>
{
    public async ValueTask<IReadOnlyList<PaymentIntentView>> Handle(ListPaymentIntentsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        IQueryable<PaymentIntentDocument> query = session.Query<PaymentIntentDocument>();
        if (q.Buyer is not null)
        {
            query = query.Where(d => d.Buyer == q.Buyer);
        }
        query = query.OrderBy(d => d.Order).Skip(q.Offset);
        if (q.Limit is { } limit)
        {
            query = query.Take(limit);
        }
        return (await query.ToListAsync(ct)).Select(d => PaymentIntentView.Of(d.State, repeat: false)).ToList();
    }
}
