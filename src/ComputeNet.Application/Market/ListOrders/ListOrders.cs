using ComputeNet.Domain.Market;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.ListOrders;

/// <summary>Every accepted order in arrival order with its state at <c>AsOf</c> (default now); optionally one party's only.</summary>
public sealed record ListOrdersRequest(Instant? AsOf = null, string? Party = null) : IQuery<IReadOnlyList<OrderView>>;

public sealed record OrderView(string Id, string Party, string Side, string State, int Devices, int DevicesFilled, long Seq);

public sealed class ListOrdersHandler(MarketService market, IClock clock) : IQueryHandler<ListOrdersRequest, IReadOnlyList<OrderView>>
{
    public async ValueTask<IReadOnlyList<OrderView>> Handle(ListOrdersRequest q, CancellationToken ct)
    {
        var statuses = await market.StatusesAsync(q.AsOf ?? clock.GetCurrentInstant(), ct);
        return statuses
            .Where(s => q.Party is null || s.Party == q.Party)
            .Select(s => new OrderView(s.Id, s.Party, MarketSlugs.Of(s.Side), MarketSlugs.Of(s.State), s.Devices, s.DevicesFilled, s.Seq))
            .ToList();
    }
}
