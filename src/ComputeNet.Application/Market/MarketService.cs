using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using Marten;
using NodaTime;

namespace ComputeNet.Application.Market;

/// <summary>A trade as parties and outputs see it.</summary>
public sealed record TradeView(
    string LeaseId, long TradeSeq, string Bid, string Offer, string Buyer, string Provider, string Cluster, string Hub,
    string ResourceClass, string Family, int Devices, Instant From, Instant To, decimal Price, decimal ScuPerDevice,
    string Commitment, string MeteringStandard, string BuyerCity, decimal LatencyMs, Instant At)
{
    public static TradeView Of(TradeExecuted t) => new(t.Terms.LeaseId, t.Terms.TradeSeq, t.Terms.BidId, t.Terms.OfferId, t.Terms.Buyer,
        t.Terms.Provider, t.Terms.Cluster, t.Terms.Hub, t.Terms.ResourceClass, t.Terms.Family, t.Terms.Devices, t.Terms.From, t.Terms.To,
        t.Terms.Price, t.Terms.ScuPerDevice, t.Terms.Commitment, t.Terms.MeteringStandard, t.Terms.BuyerCity, t.Terms.LatencyMs, t.At);
}

/// <summary>The answer to an order command: the order's state after it, and the trades its placement made.</summary>
public sealed record OrderResult(string OrderId, string Party, string Side, string State, int Devices, int DevicesFilled, bool Repeat,
    IReadOnlyList<string> Leases);

/// <summary>
/// The market: one writer, the order book in memory, every decision journaled to the market stream before
/// anyone is answered. Each trade also opens the lease's own stream in the same transaction.
/// </summary>
public sealed class MarketService(IDocumentStore store)
{
    private readonly StreamCache<OrderBook> _cache = new(store, MartenSetup.Streams.Market, () => new OrderBook(),
        (s, e) => s.Evolve((IMarketEvent)e));

    public Task<OrderResult> DecideAsync(Func<OrderBook, MarketDecision> decide, string party, string orderId, Instant now, CancellationToken ct) =>
        _cache.WriteAsync(
            decide,
            d => d.Events.Cast<object>().ToList(),
            OpenLeases,
            (book, d) => ResultOf(book, party, orderId, now, d.IsRepeat),
            ct);

    /// <summary>Every offer's capacity over its window, and when it was cancelled (for utilisation reports).</summary>
    public Task<IReadOnlyList<Domain.Reports.OfferedCapacity>> OfferedCapacityAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<Domain.Reports.OfferedCapacity>>(b => b.Offers
            .Select(o => new Domain.Reports.OfferedCapacity(o.Listed.Cluster, o.Devices, o.Listed.ScuPerDevice, o.Window.From, o.Window.To, o.CancelledAt)).ToList(), ct);

    public Task<IReadOnlyList<OrderStatus>> StatusesAsync(Instant now, CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<OrderStatus>>(b => b.Statuses(now).ToList(), ct);

    private static void OpenLeases(IDocumentSession session, IReadOnlyList<object> events)
    {
        foreach (var e in events)
        {
            if (e is TradeExecuted t)
            {
                session.Events.StartStream(MartenSetup.Streams.Lease(t.Terms.LeaseId), new LeaseOpened(t.Terms, t.At));
            }
        }
    }

    private static OrderResult ResultOf(OrderBook book, string party, string orderId, Instant now, bool repeat)
    {
        if (book.Bid(party, orderId) is { } bid)
        {
            return new OrderResult(bid.Id, bid.Party, "bid", MarketSlugs.Of(bid.StateAt(now)), bid.Devices, bid.Filled, repeat, bid.LeasesAtPlacement.ToList());
        }
        if (book.Offer(party, orderId) is { } offer)
        {
            return new OrderResult(offer.Id, offer.Party, "offer", MarketSlugs.Of(offer.StateAt(now)), offer.Devices, offer.MostLeased, repeat,
                offer.LeasesAtPlacement.ToList());
        }
        throw new InvalidOperationException($"order {party}/{orderId} is not in the book after its decision");
    }
}
