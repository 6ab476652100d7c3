using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetInvoices;

/// <summary>Invoices issued by closes, in close order then buyer order; optionally one period's or one buyer's.</summary>
public sealed record GetInvoicesRequest(string? Period = null, string? Buyer = null) : IQuery<IReadOnlyList<InvoiceIssued>>;

public sealed class GetInvoicesHandler(IDocumentStore store) : IQueryHandler<GetInvoicesRequest, IReadOnlyList<InvoiceIssued>>
{
    public async ValueTask<IReadOnlyList<InvoiceIssued>> Handle(GetInvoicesRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var periods = await SettlementReader.ClosedPeriodsAsync(session, q.Period, ct);
        return periods.SelectMany(SettlementReader.Of<InvoiceIssued>).Where(i => q.Buyer is null || i.Buyer == q.Buyer).ToList();
    }
}
