using ComputeNet.Application.Metering;
using Marten;
using Mediator;

namespace ComputeNet.Application.Market.ListTrades;

/// <summary>
/// Every trade in trade order; optionally only those where the party is buyer or provider (found by index). Each
/// trade is read from its lease document, written in the trade's own transaction.
/// </summary>
public sealed record ListTradesRequest(string? Party = null) : IQuery<IReadOnlyList<TradeView>>;

public sealed class ListTradesHandler(IDocumentStore store) : IQueryHandler<ListTradesRequest, IReadOnlyList<TradeView>>
{
    public async ValueTask<IReadOnlyList<TradeView>> Handle(ListTradesRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var leases = q.Party is { } party
            ? await session.Query<LeaseDocument>().Where(l => l.Buyer == party || l.Provider == party).ToListAsync(ct)
            : await session.Query<LeaseDocument>().ToListAsync(ct);
        return leases.OrderBy(l => l.TradeSeq).Select(TradeView.Of).ToList();
    }
}
