using ComputeNet.Application.Metering;
using Marten;
using Mediator;

namespace ComputeNet.Application.Market.ListTrades;

/// <summary>
/// Trades in trade order; optionally only those where the party is buyer or provider; <see cref="Limit"/> from
/// <see cref="Offset"/> (all when null). Each trade is read from its lease document, written in the trade's own
/// transaction, and paged in PostgreSQL: everyone's through the trade-sequence index, a party's through its (buyer, seq)
/// and (provider, seq) indexes, each read up to offset + limit and merged — the page costs its own rows, not the market's
/// age.
/// </summary>
public sealed record ListTradesRequest(string? Party = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<TradeView>>;

/// <summary>One lease (trade) by its id; with <see cref="Party"/>, only if that party is its buyer or provider.</summary>
public sealed record GetLeaseRequest(string LeaseId, string? Party = null) : IQuery<TradeView?>;

public sealed class ListTradesHandler(IDocumentStore store) : IQueryHandler<ListTradesRequest, IReadOnlyList<TradeView>>,
    IQueryHandler<GetLeaseRequest, TradeView?>
{
    public async ValueTask<IReadOnlyList<TradeView>> Handle(ListTradesRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        if (q.Party is not { } party)
        {
            var all = session.Query<LeaseDocument>().OrderBy(l => l.TradeSeq);
            return (await Settlement.SettlementReader.Page(all, q.Offset, q.Limit).ToListAsync(ct)).Select(TradeView.Of).ToList();
        }
        var upTo = q.Limit is { } l ? q.Offset + l : (int?)null;
        var bought = await Settlement.SettlementReader.Page(session.Query<LeaseDocument>().Where(d => d.Buyer == party).OrderBy(d => d.TradeSeq), 0, upTo).ToListAsync(ct);
        var provided = await Settlement.SettlementReader.Page(session.Query<LeaseDocument>().Where(d => d.Provider == party).OrderBy(d => d.TradeSeq), 0, upTo).ToListAsync(ct);
        var merged = bought.Concat(provided).DistinctBy(d => d.Id).OrderBy(d => d.TradeSeq).Skip(q.Offset);
        return (q.Limit is { } limit ? merged.Take(limit) : merged).Select(TradeView.Of).ToList();
    }

    public async ValueTask<TradeView?> Handle(GetLeaseRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var lease = await session.LoadAsync<LeaseDocument>(Infrastructure.MartenSetup.Streams.Lease(q.LeaseId), ct);
        return lease is not null && lease.LeaseId == q.LeaseId && (q.Party is null || lease.Buyer == q.Party || lease.Provider == q.Party)
            ? TradeView.Of(lease) : null;
    }
}
