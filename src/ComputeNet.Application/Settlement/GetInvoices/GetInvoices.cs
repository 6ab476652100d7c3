using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetInvoices;

/// <summary>
/// Invoices issued by closes, in close order then buyer order; optionally one period's or one buyer's; <see cref="Limit"/>
/// invoices from <see cref="Offset"/> (all when null). Read from <see cref="InvoiceDocument"/>s, filtered, ordered and
/// paged in PostgreSQL through the (buyer, seq) and (period, seq) indexes.
/// </summary>
public sealed record GetInvoicesRequest(string? Period = null, string? Buyer = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<InvoiceIssued>>;

public sealed class GetInvoicesHandler(IDocumentStore store, Infrastructure.AsyncReadModels readModels) : IQueryHandler<GetInvoicesRequest, IReadOnlyList<InvoiceIssued>>
{
    public async ValueTask<IReadOnlyList<InvoiceIssued>> Handle(GetInvoicesRequest q, CancellationToken ct)
    {
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var query = session.Query<InvoiceDocument>().AsQueryable();
        if (q.Period is { } period)
        {
            query = query.Where(d => d.Period == period);
        }
        if (q.Buyer is { } buyer)
        {
            query = query.Where(d => d.Buyer == buyer);
        }
        var page = SettlementReader.Page(query.OrderBy(d => d.Seq), q.Offset, q.Limit);
        return (await page.ToListAsync(ct)).Select(d => d.Invoice).ToList();
    }
}
