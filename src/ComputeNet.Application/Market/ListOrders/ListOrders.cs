using ComputeNet.Domain.Market;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.ListOrders;

/// <summary>
/// Every accepted order in arrival order with its state at <c>AsOf</c> (default now); optionally one party's only (for
/// scenario outputs and tools, which want them all). Read from the order documents; never waits for the market writer.
/// </summary>
public sealed record ListOrdersRequest(Instant? AsOf = null, string? Party = null) : IQuery<IReadOnlyList<OrderView>>;

/// <summary>
/// One page of the orders in arrival order with their state now; optionally one party's only. Paged in PostgreSQL
/// through the (party, seq) and seq indexes of the order documents; never waits for the market writer.
/// </summary>
public sealed record ListOrdersPageRequest(string? Party, int Offset, int Limit) : IQuery<OrderPage>;

/// <summary>One page of orders; <see cref="More"/> tells whether another page follows.</summary>
public sealed record OrderPage(IReadOnlyList<OrderView> Items, bool More);

public sealed record OrderView(string Id, string Party, string Side, string State, int Devices, int DevicesFilled, long Seq)
{
    public static OrderView Of(OrderStatus s) =>
        new(s.Id, s.Party, MarketSlugs.Of(s.Side), MarketSlugs.Of(s.State), s.Devices, s.DevicesFilled, s.Seq);
}

public sealed class ListOrdersHandler(MarketService market, IClock clock)
    : IQueryHandler<ListOrdersRequest, IReadOnlyList<OrderView>>, IQueryHandler<ListOrdersPageRequest, OrderPage>
{
    /// <summary>Orders read per query when all are wanted.</summary>
    private const int Page = 1_000;

    public async ValueTask<IReadOnlyList<OrderView>> Handle(ListOrdersRequest q, CancellationToken ct)
    {
        var now = q.AsOf ?? clock.GetCurrentInstant();
        var all = new List<OrderView>();
        for (var more = true; more;)
        {
            (var items, more) = await market.StatusesAsync(now, q.Party, all.Count, Page, ct);
            all.AddRange(items.Select(OrderView.Of));
        }
        return all;
    }

    public async ValueTask<OrderPage> Handle(ListOrdersPageRequest q, CancellationToken ct)
    {
        var (items, more) = await market.StatusesAsync(clock.GetCurrentInstant(), q.Party, q.Offset, q.Limit, ct);
        return new OrderPage(items.Select(OrderView.Of).ToList(), more);
    }
}

/// <summary>
/// One order by id: a party's own is found at once by its document id (ids are unique per party across both sides);
/// without a party (regulators and operators) the first order with that id in arrival order, through the order-id index.
/// </summary>
public sealed record GetOrderRequest(string? Party, string OrderId) : IQuery<OrderView?>;

public sealed class GetOrderHandler(MarketService market, IClock clock) : IQueryHandler<GetOrderRequest, OrderView?>
{
    public async ValueTask<OrderView?> Handle(GetOrderRequest q, CancellationToken ct)
    {
        var status = await market.StatusAsync(q.Party, q.OrderId, clock.GetCurrentInstant(), ct);
        return status is null ? null : OrderView.Of(status);
    }
}
