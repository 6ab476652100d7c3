using ComputeNet.Application.Payments.PayParty;
using Marten;
using Mediator;

namespace ComputeNet.Application.Payments.ListPayouts;

/// <summary>
/// Operator, regulator: payouts through the provider with their status, in request order; optionally one party's or one
/// status. Paged in PostgreSQL (<see cref="Offset"/>, at most <see cref="Limit"/>) through the payout documents' order,
/// party-then-order and status-then-order indexes.
/// </summary>
public sealed record ListPayoutsRequest(string? Party = null, string? Status = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<PayoutView>>;

public sealed class ListPayoutsHandler(IDocumentStore store) : IQueryHandler<ListPayoutsRequest, IReadOnlyList<PayoutView>>
{
    public async ValueTask<IReadOnlyList<PayoutView>> Handle(ListPayoutsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        IQueryable<PayoutDocument> query = session.Query<PayoutDocument>();
        if (q.Party is not null)
        {
            query = query.Where(d => d.Party == q.Party);
        }
        if (q.Status is not null)
        {
            query = query.Where(d => d.Status == q.Status);
        }
        query = query.OrderBy(d => d.Order).Skip(q.Offset);
        if (q.Limit is { } limit)
        {
            query = query.Take(limit);
        }
        return (await query.ToListAsync(ct)).Select(d => PayoutView.Of(d.State, repeat: false)).ToList();
    }
}
