using ComputeNet.Domain.Reference;
using NodaTime;

namespace ComputeNet.Domain.Market;

/// <summary>What a bid asks for, as submitted (compared by value to tell a repeat from an id reuse).</summary>
public sealed record BidSpec(
    string Family,
    int Devices,
    decimal MinScuPerDevice,
    int MinMemoryGb,
    HourWindow Window,
    string Tier,
    decimal MinGreen,
    decimal Price,
    string Commitment,
    bool Split,
    string Tif,
    string? City);

/// <summary>The enumerated fields of a bid, parsed once its fields passed their checks.</summary>
public sealed record BidTerms(ComputeFamily Family, LatencyTier Tier, Commitment Commitment, TimeInForce Tif)
{
    /// <summary>Parses the enumerated fields, throwing `invalid` naming the first unknown value.</summary>
    public static BidTerms Parse(BidSpec spec) => new(
        Slugs.TryParseFamily(spec.Family, out var family) ? family : throw RejectedException.Of(Codes.Invalid, $"unknown family '{spec.Family}'", "family"),
        Slugs.TryParseTier(spec.Tier, out var tier) ? tier : throw RejectedException.Of(Codes.Invalid, $"unknown tier '{spec.Tier}'", "tier"),
        MarketSlugs.TryParseCommitment(spec.Commitment, out var c) ? c : throw RejectedException.Of(Codes.Invalid, $"unknown commitment '{spec.Commitment}'", "commitment"),
        MarketSlugs.TryParseTif(spec.Tif, out var tif) ? tif : throw RejectedException.Of(Codes.Invalid, $"unknown time in force '{spec.Tif}'", "tif"));
}

/// <summary>What an offer lists, as submitted.</summary>
public sealed record OfferSpec(string Cluster, string ResourceClass, int Devices, HourWindow Window, decimal Price);

/// <summary>An offer in the book with its hourly capacity calendar. Invariant: 0 ≤ Leased[h] ≤ Devices for every hour.</summary>
public sealed class BookOffer
{
    public required OfferListed Listed { get; init; }
    public required OfferSpec Spec { get; init; }
    public required HourWindow Window { get; init; }
    public required ComputeFamily Family { get; init; }
    public int Devices { get; set; }
    /// <summary>Devices leased per hour of <see cref="Window"/> (index 0 = its first hour).</summary>
    public required int[] Leased { get; init; }
    public bool Cancelled => CancelledAt is not null;
    /// <summary>When the offer was cancelled: its remaining free capacity stopped being offered then.</summary>
    public Instant? CancelledAt { get; set; }
    public List<string> LeasesAtPlacement { get; } = [];

    public string Party => Listed.Party;
    public string Id => Listed.OfferId;
    public long Seq => Listed.Seq;

    public int MostLeased => Leased.Length == 0 ? 0 : Leased.Max();

    /// <summary>Fewest free devices in any hour of <paramref name="window"/>; requires the window inside the offer's.</summary>
    public int MinFree(HourWindow window)
    {
        var start = Window.HourIndex(window.From);
        var end = Window.HourIndex(window.To);
        var min = int.MaxValue;
        for (var h = start; h < end; h++)
        {
            min = Math.Min(min, Devices - Leased[h]);
        }
        return min == int.MaxValue ? 0 : min;
    }

    public OrderState StateAt(Instant now)
    {
        if (Cancelled)
        {
            return OrderState.Cancelled;
        }
        if (Leased.All(l => l >= Devices))
        {
            return OrderState.Filled;
        }
        if (Window.To <= now)
        {
            return OrderState.Expired;
        }
        return MostLeased == 0 ? OrderState.Resting : OrderState.PartiallyFilled;
    }
}

/// <summary>A bid in the book. Invariant: 0 ≤ Filled ≤ Devices.</summary>
public sealed class BookBid
{
    public required BidPlaced Placed { get; init; }
    public required BidSpec Spec { get; init; }
    public required BidTerms Terms { get; init; }
    public int Devices { get; set; }
    public int Filled { get; set; }
    public bool Cancelled { get; set; }
    /// <summary>IOC/FOK after their one matching attempt.</summary>
    public bool Finished { get; set; }
    public List<string> LeasesAtPlacement { get; } = [];

    public string Party => Placed.Party;
    public string Id => Placed.BidId;
    public long Seq => Placed.Seq;
    public int Remaining => Devices - Filled;

    /// <summary>Can still trade against an incoming offer at <paramref name="now"/>: live GTC, devices wanted, window not started.</summary>
    public bool IsLive(Instant now) => !Cancelled && !Finished && Remaining > 0 && Spec.Window.From > now;

    public OrderState StateAt(Instant now)
    {
        if (Cancelled)
        {
            return OrderState.Cancelled;
        }
        if (Filled >= Devices && Devices > 0)
        {
            return OrderState.Filled;
        }
        if (Finished)
        {
            return Filled == 0 ? OrderState.Killed : OrderState.PartiallyFilled;
        }
        if (Spec.Window.From <= now)
        {
            return OrderState.Expired;
        }
        return Filled == 0 ? OrderState.Resting : OrderState.PartiallyFilled;
    }
}

/// <summary>An order's state for people and outputs (market-rules §4).</summary>
public sealed record OrderStatus(string Id, string Party, OrderSide Side, OrderState State, int Devices, int DevicesFilled, long Seq);

/// <summary>
/// The order book of the market: every accepted order, its capacity calendar and fills. Evolved only by
/// market events, so replaying the journal rebuilds it exactly. Orders are keyed by (party, order id):
/// ids are unique per party across both sides.
/// </summary>
public sealed class OrderBook
{
    private readonly Dictionary<(string Party, string Id), BookOffer> _offers = new();
    private readonly Dictionary<(string Party, string Id), BookBid> _bids = new();
    private readonly List<(OrderSide Side, (string, string) Key)> _arrival = [];

    public long LastSeq { get; private set; }
    public long LastTradeSeq { get; private set; }
    /// <summary>Orders accepted into the book (any state): bounded by <see cref="MarketLimits.MaxBookOrders"/>.</summary>
    public int AcceptedOrders { get; private set; }

    public IEnumerable<BookOffer> Offers => _offers.Values;
    public IEnumerable<BookBid> Bids => _bids.Values;

    public BookOffer? Offer(string party, string id) => _offers.GetValueOrDefault((party, id));
    public BookBid? Bid(string party, string id) => _bids.GetValueOrDefault((party, id));

    /// <summary>Every accepted order in arrival order, with its state at <paramref name="now"/>.</summary>
    public IEnumerable<OrderStatus> Statuses(Instant now)
    {
        foreach (var (side, key) in _arrival)
        {
            if (side == OrderSide.Offer)
            {
                var o = _offers[key];
                yield return new OrderStatus(o.Id, o.Party, OrderSide.Offer, o.StateAt(now), o.Devices, o.MostLeased, o.Seq);
            }
            else
            {
                var b = _bids[key];
                yield return new OrderStatus(b.Id, b.Party, OrderSide.Bid, b.StateAt(now), b.Devices, b.Filled, b.Seq);
            }
        }
    }

    public void Evolve(IMarketEvent e)
    {
        switch (e)
        {
            case OfferListed o:
            {
                var window = new HourWindow(o.From, o.To);
                Slugs.TryParseFamily(o.Family, out var family);
                var offer = new BookOffer
                {
                    Listed = o,
                    Spec = new OfferSpec(o.Cluster, o.ResourceClass, o.Devices, window, o.Price),
                    Window = window,
                    Family = family,
                    Devices = o.Devices,
                    Leased = new int[window.Hours],
                };
                _offers[(o.Party, o.OfferId)] = offer;
                _arrival.Add((OrderSide.Offer, (o.Party, o.OfferId)));
                LastSeq = Math.Max(LastSeq, o.Seq);
                AcceptedOrders++;
                break;
            }
            case BidPlaced b:
            {
                var spec = SpecOf(b);
                _bids[(b.Party, b.BidId)] = new BookBid { Placed = b, Spec = spec, Terms = BidTerms.Parse(spec), Devices = b.Devices };
                _arrival.Add((OrderSide.Bid, (b.Party, b.BidId)));
                LastSeq = Math.Max(LastSeq, b.Seq);
                AcceptedOrders++;
                break;
            }
            case TradeExecuted t:
            {
                var terms = t.Terms;
                var bid = _bids[(terms.Buyer, terms.BidId)];
                var offer = _offers[(terms.Provider, terms.OfferId)];
                bid.Filled += terms.Devices;
                var window = new HourWindow(terms.From, terms.To);
                for (var h = offer.Window.HourIndex(window.From); h < offer.Window.HourIndex(window.To); h++)
                {
                    offer.Leased[h] += terms.Devices;
                    if (offer.Leased[h] > offer.Devices)
                    {
                        throw new InvalidOperationException($"offer {offer.Id} over-leased in hour {h}: invariant broken");
                    }
                }
                if (bid.Filled > bid.Devices)
                {
                    throw new InvalidOperationException($"bid {bid.Id} over-filled: invariant broken");
                }
                if (t.At == bid.Placed.At && bid.Seq > offer.Seq)
                {
                    bid.LeasesAtPlacement.Add(terms.LeaseId);
                }
                else if (t.At == offer.Listed.At && offer.Seq > bid.Seq)
                {
                    offer.LeasesAtPlacement.Add(terms.LeaseId);
                }
                LastTradeSeq = Math.Max(LastTradeSeq, terms.TradeSeq);
                break;
            }
            case BidKilled k:
                _bids[(k.Party, k.BidId)].Finished = true;
                break;
            case OrderCancelled c:
                if (c.Side == "bid")
                {
                    _bids[(c.Party, c.OrderId)].Cancelled = true;
                }
                else
                {
                    _offers[(c.Party, c.OrderId)].CancelledAt = c.At;
                }
                break;
            case OrderReduced r:
                if (r.Side == "bid")
                {
                    _bids[(r.Party, r.OrderId)].Devices = r.Devices;
                }
                else
                {
                    _offers[(r.Party, r.OrderId)].Devices = r.Devices;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown market event");
        }
    }

    private static BidSpec SpecOf(BidPlaced b) =>
        new(b.Family, b.Devices, b.MinScuPerDevice, b.MinMemoryGb, new HourWindow(b.From, b.To), b.Tier, b.MinGreen, b.Price, b.Commitment,
            b.Split, b.Tif, b.CityGiven ? b.City : null);
}
