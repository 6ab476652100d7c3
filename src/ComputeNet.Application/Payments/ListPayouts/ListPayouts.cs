using ComputeNet.Application.Payments.PayParty;
using Marten;
using Mediator;

namespace ComputeNet.Application.Payments.ListPayouts;

/// <summary>Operator, regulator: payouts through the provider with their status, in request order; optionally one party's or one status.</summary>
public sealed record ListPayoutsRequest(string? Party = null, string? Status = null) : IQuery<IReadOnlyList<PayoutView>>;

public sealed class ListPayoutsHandler(IDocumentStore store) : IQueryHandler<ListPayoutsRequest, IReadOnlyList<PayoutView>>
{
    public async ValueTask<IReadOnlyList<PayoutView>> Handle(ListPayoutsRequest q, CancellationToken ct) =>
        (await PaymentsStream.ReadAsync(store, ct)).Payouts
            .Where(p => (q.Party is null || p.Requested.Party == q.Party) && (q.Status is null || p.Status == q.Status))
            .Select(p => PayoutView.Of(p, repeat: false)).ToList();
}
