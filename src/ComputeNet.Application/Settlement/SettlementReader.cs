using ComputeNet.Domain.Settlement;
using JasperFx.Events;
using Marten;

namespace ComputeNet.Application.Settlement;

/// <summary>Reads what closes issued, period by period in the order the periods were closed.</summary>
internal static class SettlementReader
{
    public static async Task<IReadOnlyList<IReadOnlyList<IEvent>>> ClosedPeriodsAsync(IQuerySession session, string? onlyPeriod, CancellationToken ct)
    {
        var closed = await session.Query<ClosedPeriodView>().ToListAsync(ct);
        var result = new List<IReadOnlyList<IEvent>>();
        var streams = new List<(long Seq, IReadOnlyList<IEvent> Events)>();
        foreach (var p in closed.Where(p => onlyPeriod is null || p.Id == onlyPeriod))
        {
            var events = await session.Events.FetchStreamAsync(Infrastructure.MartenSetup.Streams.Period(p.Id), token: ct);
            if (events.Count > 0)
            {
                streams.Add((events[0].Sequence, events));
            }
        }
        result.AddRange(streams.OrderBy(s => s.Seq).Select(s => s.Events));
        return result;
    }

    public static IEnumerable<T> Of<T>(IEnumerable<IEvent> events) => events.Select(e => e.Data).OfType<T>();

    public static PeriodClosed Closed(IReadOnlyList<IEvent> stream) => (PeriodClosed)stream[0].Data;

    // Lists and single documents read the settlement documents (SettlementDocuments.cs), not the period streams.

    /// <summary><paramref name="limit"/> items from <paramref name="offset"/> (all from it when null), as SQL OFFSET/LIMIT.</summary>
    public static IQueryable<T> Page<T>(IQueryable<T> ordered, int offset, int? limit)
    {
        var query = offset > 0 ? ordered.Skip(offset) : ordered;
        return limit is { } l ? query.Take(l) : query;
    }

    /// <summary>
    /// The invoice a period issued to a buyer for a decision (a payment intent): its document, or — when the daemon has not
    /// projected it yet — its event in the period's stream, so the decision never waits for the daemon. The stream holds one
    /// period's events only.
    /// </summary>
    public static async Task<InvoiceIssued?> InvoiceAsync(IQuerySession session, string period, string buyer, CancellationToken ct)
    {
        var doc = await session.LoadAsync<InvoiceDocument>(Documents.DocumentIds.Invoice(period, buyer), ct);
        if (doc is not null)
        {
            return doc.Period == period && doc.Buyer == buyer ? doc.Invoice : null;
        }
        var events = await session.Events.FetchStreamAsync(Infrastructure.MartenSetup.Streams.Period(period), token: ct);
        return events.Select(e => e.Data).OfType<InvoiceIssued>().FirstOrDefault(i => i.Period == period && i.Buyer == buyer);
    }

    /// <summary>Closed periods' documents in close order; one when <paramref name="onlyPeriod"/> is given (none if it is not closed).</summary>
    public static async Task<IReadOnlyList<PeriodDocument>> PeriodsAsync(IQuerySession session, string? onlyPeriod, CancellationToken ct)
    {
        if (onlyPeriod is not null)
        {
            return await session.LoadAsync<PeriodDocument>(onlyPeriod, ct) is { } one ? [one] : [];
        }
        return await session.Query<PeriodDocument>().OrderBy(p => p.Seq).ToListAsync(ct);
    }
}
