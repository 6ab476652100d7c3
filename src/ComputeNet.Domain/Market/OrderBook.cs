using ComputeNet.Domain.Market.Engine;
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
    /// <summary>Where the offer rests in the matching engine while it is live.</summary>
    public OrderRef InBook { get; set; } = OrderRef.None;

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
    /// <summary>Where the bid rests in the matching engine while it is live.</summary>
    public OrderRef InBook { get; set; } = OrderRef.None;

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
    /// <summary>Every accepted order in arrival order; an order's index here is its tag in the matching engine.</summary>
    private readonly List<object> _orders = [];
    /// <summary>Each party's orders as indexes into <see cref="_orders"/>, in arrival order: a party's list costs its own orders only.</summary>
    private readonly Dictionary<string, List<int>> _byParty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _parties = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _cities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _clusters = new(StringComparer.Ordinal);
    private readonly List<string> _cityNames = [];
    private readonly List<string> _clusterNames = [];
    private readonly CatalogueLatencies _latencies;

    public OrderBook()
    {
        _latencies = new CatalogueLatencies(this);
    }

    /// <summary>The matching engine holding the live orders of every family's market.</summary>
    public MatchingCore Core { get; } = new();

    public long LastSeq { get; private set; }
    public long LastTradeSeq { get; private set; }
    /// <summary>Orders accepted into the book (any state): bounded by <see cref="MarketLimits.MaxBookOrders"/>.</summary>
    public int AcceptedOrders { get; private set; }

    public IEnumerable<BookOffer> Offers => _offers.Values;
    public IEnumerable<BookBid> Bids => _bids.Values;

    public BookOffer? Offer(string party, string id) => _offers.GetValueOrDefault((party, id));
    public BookBid? Bid(string party, string id) => _bids.GetValueOrDefault((party, id));

    /// <summary>The order the engine knows by <paramref name="tag"/>.</summary>
    public BookOffer OfferTagged(int tag) => (BookOffer)_orders[tag];

    public BookBid BidTagged(int tag) => (BookBid)_orders[tag];

    /// <summary>The engine's number for a party, or -1 for one with no order yet (it then rests nowhere, so self-trade cannot arise).</summary>
    public int PartyNumber(string party) => _parties.GetValueOrDefault(party, -1);

    /// <summary>The engine's number for a city or cluster (numbers are only a lookup cache: taking one changes no state).</summary>
    public int CityNumber(string city) => Number(_cities, _cityNames, city);

    public int ClusterNumber(string cluster) => Number(_clusters, _clusterNames, cluster);

    public int? KnownClusterNumber(string cluster) => _clusters.TryGetValue(cluster, out var n) ? n : null;

    /// <summary>Latencies between the engine's cities and clusters, from <paramref name="catalogue"/>.</summary>
    public ILatencyTable Latencies(Catalogue catalogue)
    {
        _latencies.Use(catalogue);
        return _latencies;
    }

    /// <summary>Every accepted order in arrival order, with its state at <paramref name="now"/>.</summary>
    public IEnumerable<OrderStatus> Statuses(Instant now)
    {
        foreach (var order in _orders)
        {
            yield return StatusOf(order, now);
        }
    }

    /// <summary>One party's orders in arrival order, with their state at <paramref name="now"/> (no other party's orders are read).</summary>
    public IEnumerable<OrderStatus> Statuses(string party, Instant now)
    {
        if (_byParty.TryGetValue(party, out var indexes))
        {
            foreach (var i in indexes)
            {
                yield return StatusOf(_orders[i], now);
            }
        }
    }

    /// <summary>A party's order by id (ids are unique per party across both sides), or null.</summary>
    public OrderStatus? Status(string party, string id, Instant now)
    {
        object? order = (object?)Bid(party, id) ?? Offer(party, id);
        return order is null ? null : StatusOf(order, now);
    }

    private static OrderStatus StatusOf(object order, Instant now)
    {
        if (order is BookOffer o)
        {
            return new OrderStatus(o.Id, o.Party, OrderSide.Offer, o.StateAt(now), o.Devices, o.MostLeased, o.Seq);
        }
        var b = (BookBid)order;
        return new OrderStatus(b.Id, b.Party, OrderSide.Bid, b.StateAt(now), b.Devices, b.Filled, b.Seq);
    }

    private void Accept(string party, object order)
    {
        if (!_byParty.TryGetValue(party, out var indexes))
        {
            _byParty[party] = indexes = [];
        }
        indexes.Add(_orders.Count);
        _orders.Add(order);
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
                Core.Expire(o.At.ToUnixTimeSeconds());
                offer.InBook = Core.AddOffer(new OfferOrder(Number(_parties, null, o.Party), family, ClusterNumber(o.Cluster), o.ScuPerDevice,
                    o.MemoryGb, o.GreenShare, o.Devices, o.From.ToUnixTimeSeconds(), o.To.ToUnixTimeSeconds(), PriceTicks.Of(o.Price), o.Seq,
                    _orders.Count));
                Accept(o.Party, offer);
                LastSeq = Math.Max(LastSeq, o.Seq);
                AcceptedOrders++;
                break;
            }
            case BidPlaced b:
            {
                var spec = SpecOf(b);
                var bid = new BookBid { Placed = b, Spec = spec, Terms = BidTerms.Parse(spec), Devices = b.Devices };
                _bids[(b.Party, b.BidId)] = bid;
                Core.Expire(b.At.ToUnixTimeSeconds());
                bid.InBook = Core.AddBid(EngineOrder(bid, Number(_parties, null, b.Party), CityNumber(b.City), _orders.Count));
                Accept(b.Party, bid);
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
                Core.Fill(bid.InBook, offer.InBook, terms.Devices);
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
            {
                var bid = _bids[(k.Party, k.BidId)];
                bid.Finished = true;
                Core.Remove(bid.InBook);
                break;
            }
            case OrderCancelled c:
                if (c.Side == "bid")
                {
                    var bid = _bids[(c.Party, c.OrderId)];
                    bid.Cancelled = true;
                    Core.Remove(bid.InBook);
                }
                else
                {
                    var offer = _offers[(c.Party, c.OrderId)];
                    offer.CancelledAt = c.At;
                    Core.Remove(offer.InBook);
                }
                break;
            case OrderReduced r:
                if (r.Side == "bid")
                {
                    var bid = _bids[(r.Party, r.OrderId)];
                    bid.Devices = r.Devices;
                    Core.Reduce(bid.InBook, r.Devices);
                }
                else
                {
                    var offer = _offers[(r.Party, r.OrderId)];
                    offer.Devices = r.Devices;
                    Core.Reduce(offer.InBook, r.Devices);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown market event");
        }
    }

    /// <summary>A bid as the engine matches it (<paramref name="party"/> and <paramref name="city"/> are engine numbers).</summary>
    public static BidOrder EngineOrder(BookBid bid, int party, int city, int tag) => new(party, bid.Terms.Family, bid.Devices,
        bid.Spec.MinScuPerDevice, bid.Spec.MinMemoryGb, bid.Spec.Window.From.ToUnixTimeSeconds(), bid.Spec.Window.To.ToUnixTimeSeconds(),
        bid.Terms.Tier, bid.Spec.MinGreen, PriceTicks.Of(bid.Spec.Price), bid.Spec.Split, bid.Terms.Tif, city, bid.Seq, tag);

    private static int Number(Dictionary<string, int> numbers, List<string>? names, string key)
    {
        if (!numbers.TryGetValue(key, out var n))
        {
            n = numbers.Count;
            numbers[key] = n;
            names?.Add(key);
        }
        return n;
    }

    /// <summary>Latency per (city, cluster) number pair, computed once from the catalogue and remembered.</summary>
    private sealed class CatalogueLatencies(OrderBook book) : ILatencyTable
    {
        private readonly Dictionary<(int City, int Cluster), decimal?> _known = new();
        private Catalogue? _catalogue;

        public void Use(Catalogue catalogue)
        {
            if (!ReferenceEquals(catalogue, _catalogue))
            {
                _catalogue = catalogue;
                _known.Clear();
            }
        }

        public decimal? LatencyMs(int city, int cluster)
        {
            if (!_known.TryGetValue((city, cluster), out var ms))
            {
                var c = _catalogue!.City(book._cityNames[city]);
                var k = _catalogue.Cluster(book._clusterNames[cluster]);
                ms = c is null || k is null ? null : _catalogue.LatencyMs(c, k);
                _known[(city, cluster)] = ms;
            }
            return ms;
        }
    }

    private static BidSpec SpecOf(BidPlaced b) =>
        new(b.Family, b.Devices, b.MinScuPerDevice, b.MinMemoryGb, new HourWindow(b.From, b.To), b.Tier, b.MinGreen, b.Price, b.Commitment,
            b.Split, b.Tif, b.CityGiven ? b.City : null);
}
