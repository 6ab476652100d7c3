using ComputeNet.Application.Documents;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Application.ReferenceData;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain;
using ComputeNet.Domain.Settlement;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Exports.ExportFocus;

/// <summary>
/// Invoice lines of a closed period (or of every closed period when <see cref="Period"/> is null) as a FinOps FOCUS 1.2
/// dataset. <see cref="Buyer"/> limits it to one buyer's lines: a buyer's own key always sets it to the buyer. Reads the
/// period's <see cref="InvoiceDocument"/>s (by the (period, seq) index) and the usage rows of their leases in that period.
/// </summary>
public sealed record ExportFocusRequest(string? Period, string? Buyer = null) : IQuery<FocusDataset>;

/// <summary>The rows, and the same rows as RFC 4180 CSV (header first, CRLF line ends).</summary>
public sealed record FocusDataset(IReadOnlyList<FocusRow> Rows, string Csv);

public sealed class ExportFocusValidator : AbstractValidator<ExportFocusRequest>
{
    public ExportFocusValidator()
    {
        RuleFor(x => x.Period).MaximumLength(10);
        RuleFor(x => x.Buyer).MaximumLength(64);
    }
}

public sealed class ExportFocusHandler(IDocumentStore store, PartyDirectory parties, PlatformService platform, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<ExportFocusRequest, FocusDataset>
{
    public async ValueTask<FocusDataset> Handle(ExportFocusRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        if (q.Period is not null && !view.Calendar.TryParse(q.Period, out _))
        {
            throw RejectedException.Of(Codes.Invalid, $"'{q.Period}' is not a settlement period of this platform", "period");
        }
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var closed = await SettlementReader.PeriodsAsync(session, q.Period, ct);
        if (q.Period is not null && closed.Count == 0)
        {
            throw RejectedException.Of(Codes.Invalid, $"period {q.Period} is not closed: only closed periods have invoice lines to export", "period");
        }
        var invoiceQuery = session.Query<InvoiceDocument>().AsQueryable();
        if (q.Period is { } only)
        {
            invoiceQuery = invoiceQuery.Where(i => i.Period == only);
        }
        if (q.Buyer is { } buyer)
        {
            invoiceQuery = invoiceQuery.Where(i => i.Buyer == buyer);
        }
        var invoices = (await invoiceQuery.OrderBy(i => i.Seq).ToListAsync(ct)).ToLookup(i => i.Period, i => i.Invoice);
        var periods = closed.Select(p => new FocusPeriod(p.Closed, invoices[p.Id].ToList())).ToList();

        var leaseIds = periods.SelectMany(p => p.Invoices).SelectMany(i => i.Lines).Select(l => l.LeaseId).ToHashSet(StringComparer.Ordinal);
        var leases = leaseIds.Count == 0
            ? new Dictionary<string, Domain.Market.LeaseTerms>(StringComparer.Ordinal)
            : (await session.LoadManyAsync<LeaseDocument>(ct, leaseIds.Select(MartenSetup.Streams.Lease).ToArray()))
                .ToDictionary(d => d.LeaseId, d => d.Terms, StringComparer.Ordinal);

        var usage = new Dictionary<(string, string, bool), FocusUsage>();
        foreach (var p in periods.Where(p => p.Invoices.Count > 0))
        {
            var periodLeases = p.Invoices.SelectMany(i => i.Lines).Select(l => l.LeaseId).Distinct(StringComparer.Ordinal)
                .Where(leases.ContainsKey).Select(id => leases[id]).ToList();
            foreach (var r in await UsageRecordTable.ReceivedAsync(session, p.Closed.Period, periodLeases, ct))
            {
                var key = (p.Closed.Period, r.LeaseId, r.Late);
                usage[key] = (usage.GetValueOrDefault(key) ?? FocusUsage.None).Add(r.DeviceSeconds, r.EnergyKwh, r.GreenKwh, r.TransferGb, r.From);
            }
        }

        // Names in English where there is one (the Foundation's validator reads FOCUS strings as ASCII), else as registered.
        var names = (await parties.AllAsync(ct)).ToDictionary(p => p.Id, p => PartyNames.Of(p) is var n ? n.English ?? n.Primary : p.Id, StringComparer.Ordinal);
        var context = new FocusContext(leases, usage, id => names.GetValueOrDefault(id, id),
            c => ReferenceDataLoader.English.Clusters.GetValueOrDefault(c) ?? view.Catalogue.Cluster(c)?.Name, view.Calendar);
        var rows = FocusExport.Rows(periods, context);
        rows = [.. rows, .. await CreditRowsAsync(session, q, periods, context, ct)];
        return new FocusDataset(rows, FocusExport.Csv(rows));
    }

    /// <summary>Credit notes on the exported lines as rows with ChargeCategory Credit (market-rules §14, docs/focus.md), by the (period, seq) index.</summary>
    private static async Task<IReadOnlyList<FocusRow>> CreditRowsAsync(IQuerySession session, ExportFocusRequest q, IReadOnlyList<FocusPeriod> periods,
        FocusContext context, CancellationToken ct)
    {
        var query = session.Query<Disputes.CreditNoteDocument>().AsQueryable();
        if (q.Period is { } only)
        {
            query = query.Where(n => n.Period == only);
        }
        if (q.Buyer is { } buyer)
        {
            query = query.Where(n => n.Buyer == buyer);
        }
        var notes = await query.OrderBy(n => n.Seq).ToListAsync(ct);
        return notes.Count == 0 ? [] : FocusCreditRows.Rows(periods, notes.Select(n => n.Note), context);
    }
}
