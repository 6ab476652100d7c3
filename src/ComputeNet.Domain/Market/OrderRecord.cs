using NodaTime;

namespace ComputeNet.Domain.Market;

/// <summary>
/// What is remembered of an order once it may have left memory: enough to answer its state at any time, to tell a
/// repeat from an id reuse (the spec as submitted) and to answer a repeat as the first answer was (the leases its
/// placement made). An order's state at a time is derived from this and the time (expiry is never journaled).
/// Invariants: exactly one of <see cref="Bid"/> and <see cref="Offer"/> is set, as <see cref="Side"/> says;
/// 0 ≤ <see cref="Filled"/> ≤ <see cref="Devices"/>.
/// </summary>
/// <param name="Filled">A bid's devices traded; an offer's most devices leased in any hour.</param>
/// <param name="FullyLeased">An offer leased out in every hour of its window (its state is then `filled`).</param>
/// <param name="Finished">An IOC/FOK bid after its one matching attempt.</param>
/// <param name="ScuPerDevice">An offer's SCU per device as rated at listing (0 for a bid): what reports of offered capacity need.</param>
public sealed record OrderRecord(
    string Party,
    string Id,
    OrderSide Side,
    long Seq,
    BidSpec? Bid,
    OfferSpec? Offer,
    int Devices,
    int Filled,
    bool FullyLeased,
    bool Cancelled,
    Instant? CancelledAt,
    bool Finished,
    IReadOnlyList<string> LeasesAtPlacement,
    decimal ScuPerDevice)
{
    /// <summary>The order's window as submitted: a bid expires when it starts, an offer when it ends.</summary>
    public HourWindow Window() => Bid?.Window ?? Offer!.Window;

    /// <summary>The spec as submitted (a <see cref="BidSpec"/> or an <see cref="OfferSpec"/>), compared by value.</summary>
    public object Spec() => (object?)Bid ?? Offer!;

    public OrderState StateAt(Instant now)
    {
        if (Cancelled)
        {
            return OrderState.Cancelled;
        }
        if (Side == OrderSide.Bid)
        {
            if (Filled >= Devices && Devices > 0)
            {
                return OrderState.Filled;
            }
            if (Finished)
            {
                return Filled == 0 ? OrderState.Killed : OrderState.PartiallyFilled;
            }
            if (Window().From <= now)
            {
                return OrderState.Expired;
            }
            return Filled == 0 ? OrderState.Resting : OrderState.PartiallyFilled;
        }
        if (FullyLeased)
        {
            return OrderState.Filled;
        }
        if (Window().To <= now)
        {
            return OrderState.Expired;
        }
        return Filled == 0 ? OrderState.Resting : OrderState.PartiallyFilled;
    }

    public OrderStatus StatusAt(Instant now) => new(Id, Party, Side, StateAt(now), Devices, Filled, Seq);
}

/// <summary>Orders that are no longer in the in-memory book, by (party, order id): finished ones, read from the store.</summary>
public interface IOrderLookup
{
    OrderRecord? Find(string party, string id);
}

/// <summary>
/// Finished orders kept in a dictionary: the store's answer for one batch in the application, every finished order in
/// tests and tools that replay a whole journal (<see cref="OrderBook.Archive"/>).
/// </summary>
public sealed class OrderArchive : IOrderLookup
{
    /// <summary>No finished order known (a book replayed from nothing, or a caller that does not need them).</summary>
    public static readonly IOrderLookup None = new OrderArchive();

    private readonly Dictionary<(string Party, string Id), OrderRecord> _orders = new();

    public int Count => _orders.Count;

    public IEnumerable<OrderRecord> Records => _orders.Values;

    public OrderRecord? Find(string party, string id) => _orders.GetValueOrDefault((party, id));

    public void Add(OrderRecord order) => _orders[(order.Party, order.Id)] = order;

    public void Clear() => _orders.Clear();
}
