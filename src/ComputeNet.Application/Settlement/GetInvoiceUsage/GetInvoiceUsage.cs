using ComputeNet.Application.Metering;
using ComputeNet.Domain.Metering;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetInvoiceUsage;

/// <summary>
/// The usage records behind an invoice's lines: the records its period received for the leases its lines charge (compute,
/// SLA credit and transport lines carry their lease), or one line's with <paramref name="LineNo"/>; ordered by lease, then
/// interval start; <paramref name="Limit"/> from <paramref name="Offset"/>, paged in PostgreSQL through the usage records'
/// (provider, lease, start) index. Null when the invoice does not exist or, with <paramref name="Buyer"/>, is another buyer's.
/// </summary>
/// <param name="InvoiceId"><c>{period}.{buyer}</c>.</param>
/// <param name="Buyer">The buyer the caller may see (a buyer: itself); null: any (regulators, operators).</param>
public sealed record GetInvoiceUsageRequest(string InvoiceId, string? Buyer, int? LineNo = null, int Offset = 0, int Limit = 100) : IQuery<IReadOnlyList<UsageRecorded>?>;

public sealed class GetInvoiceUsageHandler(IDocumentStore store, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<GetInvoiceUsageRequest, IReadOnlyList<UsageRecorded>?>
{
    public async ValueTask<IReadOnlyList<UsageRecorded>?> Handle(GetInvoiceUsageRequest q, CancellationToken ct)
    {
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var invoice = await session.LoadAsync<InvoiceDocument>(q.InvoiceId, ct);
        if (invoice is null || (q.Buyer is not null && invoice.Buyer != q.Buyer))
        {
            return null;
        }
        var lines = invoice.Invoice.Lines.Where(l => q.LineNo is null || l.LineNo == q.LineNo).ToList();
        if (q.LineNo is { } lineNo && lines.Count == 0)
        {
            throw Domain.RejectedException.Of(Domain.Codes.Invalid, $"invoice {q.InvoiceId} has no line {lineNo}", "lineNo");
        }
        var leaseIds = lines.Select(l => l.LeaseId).Where(l => !string.IsNullOrEmpty(l)).Distinct(StringComparer.Ordinal)
            .Select(Infrastructure.MartenSetup.Streams.Lease).ToArray();
        if (leaseIds.Length == 0)
        {
            return [];
        }
        var leases = await session.LoadManyAsync<LeaseDocument>(ct, leaseIds);
        return await UsageRecordTable.PageReceivedAsync(session, invoice.Period, leases.Select(l => (l.Provider, l.LeaseId)), q.Offset, q.Limit, ct);
    }
}
