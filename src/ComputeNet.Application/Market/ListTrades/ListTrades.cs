using ComputeNet.Domain.Market;
using Marten;
using Mediator;

namespace ComputeNet.Application.Market.ListTrades;

/// <summary>Every trade in trade order; optionally only those where the party is buyer or provider.</summary>
public sealed record ListTradesRequest(string? Party = null) : IQuery<IReadOnlyList<TradeView>>;

public sealed class ListTradesHandler(IDocumentStore store) : IQueryHandler<ListTradesRequest, IReadOnlyList<TradeView>>
{
    public async ValueTask<IReadOnlyList<TradeView>> Handle(ListTradesRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var trades = await session.Events.QueryRawEventDataOnly<TradeExecuted>().ToListAsync(ct);
        return trades
            .Where(t => q.Party is null || t.Terms.Buyer == q.Party || t.Terms.Provider == q.Party)
            .OrderBy(t => t.Terms.TradeSeq)
            .Select(TradeView.Of)
            .ToList();
    }
}
