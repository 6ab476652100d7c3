using ComputeNet.Domain.Market;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.ListOrders;

/// <summary>Every accepted order in arrival order with its state at <c>AsOf</c> (default now); optionally one party's only.</summary>
public sealed record ListOrdersRequest(Instant? AsOf = null, string? Party = null) : IQuery<IReadOnlyList<OrderView>>;

public sealed record OrderView(string Id, string Party, string Side, string State, int Devices, int DevicesFilled, long Seq)
{
    public static OrderView Of(OrderStatus s) =>
        new(s.Id, s.Party, MarketSlugs.Of(s.Side), MarketSlugs.Of(s.State), s.Devices, s.DevicesFilled, s.Seq);
}

public sealed class ListOrdersHandler(MarketService market, IClock clock) : IQueryHandler<ListOrdersRequest, IReadOnlyList<OrderView>>
{
    public async ValueTask<IReadOnlyList<OrderView>> Handle(ListOrdersRequest q, CancellationToken ct)
    {
        var statuses = await market.StatusesAsync(q.AsOf ?? clock.GetCurrentInstant(), q.Party, ct);
        return statuses.Select(OrderView.Of).ToList();
    }
}

/// <summary>
/// One order by id: a party's own is found at once (ids are unique per party across both sides); without a party
/// (regulators and operators) the first order with that id in arrival order.
/// </summary>
public sealed record GetOrderRequest(string? Party, string OrderId) : IQuery<OrderView?>;

public sealed class GetOrderHandler(MarketService market, IClock clock) : IQueryHandler<GetOrderRequest, OrderView?>
{
    public async ValueTask<OrderView?> Handle(GetOrderRequest q, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var status = q.Party is { } party
            ? await market.StatusAsync(party, q.OrderId, now, ct)
            : (await market.StatusesAsync(now, null, ct)).FirstOrDefault(s => s.Id == q.OrderId);
        return status is null ? null : OrderView.Of(status);
    }
}
