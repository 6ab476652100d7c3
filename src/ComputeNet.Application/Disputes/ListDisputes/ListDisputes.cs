using ComputeNet.Domain;
using Marten;
using Mediator;

namespace ComputeNet.Application.Disputes.ListDisputes;

/// <summary>
/// Disputes in opening order: one buyer's (<see cref="Buyer"/>, a buyer reading its own) or all; optionally one state's
/// (open, accepted, rejected) or one period's. Filtered, ordered and paged in PostgreSQL through the (buyer, seq),
/// (state, seq) and (period, seq) indexes of <see cref="DisputeDocument"/>.
/// </summary>
public sealed record ListDisputesRequest(string? Buyer = null, string? State = null, string? Period = null, int Offset = 0, int? Limit = null)
    : IQuery<IReadOnlyList<DisputeView>>;

/// <summary>One dispute; <see cref="Buyer"/> set: only when it is that buyer's (another buyer's is not found).</summary>
public sealed record GetDisputeRequest(string Id, string? Buyer = null) : IQuery<DisputeView>;

public sealed class ListDisputesHandler(IDocumentStore store) : IQueryHandler<ListDisputesRequest, IReadOnlyList<DisputeView>>,
    IQueryHandler<GetDisputeRequest, DisputeView>
{
    public async ValueTask<IReadOnlyList<DisputeView>> Handle(ListDisputesRequest q, CancellationToken ct)
    {
        if (q.State is not (null or Disputes.DisputeStates.Open or Disputes.DisputeStates.Accepted or Disputes.DisputeStates.Rejected))
        {
            throw RejectedException.Of(Codes.Invalid, "state is open, accepted or rejected", "state");
        }
        await using var session = store.QuerySession();
        var query = session.Query<DisputeDocument>().AsQueryable();
        if (q.Buyer is { } buyer)
        {
            query = query.Where(d => d.Buyer == buyer);
        }
        if (q.State is { } state)
        {
            query = query.Where(d => d.State == state);
        }
        if (q.Period is { } period)
        {
            query = query.Where(d => d.Period == period);
        }
        var page = Settlement.SettlementReader.Page(query.OrderBy(d => d.Seq), q.Offset, q.Limit);
        return (await page.ToListAsync(ct)).Select(d => DisputeView.Of(d)).ToList();
    }

    public async ValueTask<DisputeView> Handle(GetDisputeRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var d = q.Id is { Length: > 0 and <= Domain.Disputes.DisputeLine.MaxId } ? await session.LoadAsync<DisputeDocument>(q.Id, ct) : null;
        return d is not null && (q.Buyer is null || d.Buyer == q.Buyer) ? DisputeView.Of(d)
            : throw RejectedException.Of(Codes.NotFound, $"no dispute '{q.Id}'", "id");
    }
}
