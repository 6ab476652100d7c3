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

    public static BookOffer Of(OfferListed o)
    {
        var window = new HourWindow(o.From, o.To);
        Slugs.TryParseFamily(o.Family, out var family);
        return new BookOffer
        {
            Listed = o,
            Spec = new OfferSpec(o.Cluster, o.ResourceClass, o.Devices, window, o.Price),
            Window = window,
            Family = family,
            Devices = o.Devices,
            Leased = new int[window.Hours],
        };
    }

    /// <summary>What is remembered of the offer (<see cref="OrderRecord"/>).</summary>
    public OrderRecord ToRecord() => new(Party, Id, OrderSide.Offer, Seq, null, Spec, Devices, MostLeased, Leased.All(l => l >= Devices),
        Cancelled, CancelledAt, false, LeasesAtPlacement.ToList(), Listed.ScuPerDevice);

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

    public static BookBid Of(BidPlaced b)
    {
        var spec = new BidSpec(b.Family, b.Devices, b.MinScuPerDevice, b.MinMemoryGb, new HourWindow(b.From, b.To), b.Tier, b.MinGreen, b.Price,
            b.Commitment, b.Split, b.Tif, b.CityGiven ? b.City : null);
        return new BookBid { Placed = b, Spec = spec, Terms = BidTerms.Parse(spec), Devices = b.Devices };
    }

    /// <summary>What is remembered of the bid (<see cref="OrderRecord"/>).</summary>
    public OrderRecord ToRecord() => new(Party, Id, OrderSide.Bid, Seq, Spec, null, Devices, Filled, false, Cancelled, null, Finished,
        LeasesAtPlacement.ToList(), 0);

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

/// <summary>A run of hours <c>[FromHour, ToHour)</c> of an offer's window with the same devices leased in each (hour 0 = the window's first).</summary>
public readonly record struct LeaseRun(int FromHour, int ToHour, int Devices)
{
    /// <summary>An offer's calendar as runs of equal, non-zero leased devices (a calendar with nothing leased has none).</summary>
    public static IReadOnlyList<LeaseRun>? Of(int[] leased)
    {
        List<LeaseRun>? runs = null;
        for (var h = 0; h < leased.Length;)
        {
            var end = h + 1;
            while (end < leased.Length && leased[end] == leased[h])
            {
                end++;
            }
            if (leased[h] != 0)
            {
                (runs ??= []).Add(new LeaseRun(h, end, leased[h]));
            }
            h = end;
        }
        return runs;
    }
}

/// <summary>One live order of a <see cref="BookSnapshot"/>: its placement event and what changed since (devices after reduces, fills, calendar).</summary>
public sealed record SnapshotOrder(long Seq, BidPlaced? Bid, OfferListed? Offer, int Devices, int Filled, IReadOnlyList<LeaseRun>? Leased,
    IReadOnlyList<string> LeasesAtPlacement);

/// <summary>
/// The live book at one point of the journal (<see cref="OrderBook.Snapshot"/>): its live orders in arrival order, the
/// last order and trade sequences, the engine's clock, its numbering of parties, cities and clusters, and each party's exposure
/// (<see cref="OrderExposure"/>; null in snapshots taken before it was kept).
/// </summary>
public sealed record BookSnapshot(long LastSeq, long LastTradeSeq, EngineClock Clock, IReadOnlyList<string> Parties, IReadOnlyList<string> Cities,
    IReadOnlyList<string> Clusters, IReadOnlyList<SnapshotOrder> Orders, IReadOnlyDictionary<string, long>? Exposure = null);

/// <summary>An order's state for people and outputs (market-rules §4).</summary>
public sealed record OrderStatus(string Id, string Party, OrderSide Side, OrderState State, int Devices, int DevicesFilled, long Seq);

/// <summary>
/// The live order book of the market: the orders that can still trade, their capacity calendars and fills. Evolved only
/// by market events, so replaying the journal (or a snapshot and the journal after it) rebuilds it exactly. Orders are
/// keyed by (party, order id): ids are unique per party across both sides.
/// <para>
/// An order leaves memory when it leaves the matching engine — a bid filled, cancelled, killed, finished (IOC/FOK) or
/// whose window has started; an offer leased out in every hour, cancelled or past its window — so memory follows the
/// live book, not the history. What is remembered of it then (<see cref="OrderRecord"/>) goes to <see cref="Departed"/>
/// (the application stores it) and to <see cref="Archive"/> when one is attached (tests and tools that keep everything).
/// </para>
/// </summary>
public sealed class OrderBook
{
    private readonly Dictionary<(string Party, string Id), BookOffer> _offers = new();
    private readonly Dictionary<(string Party, string Id), BookBid> _bids = new();
    /// <summary>Live orders by their engine tag: a slot table whose free tags are reused, so tags stay below the live count's high-water mark.</summary>
    private object?[] _tagged = new object?[1024];
    private int _tagsUsed;
    private readonly Stack<int> _freeTags = new();
    /// <summary>Tags of the orders the engine let go during the current event (drained at its end).</summary>
    private readonly List<int> _departedTags = [];
    private readonly Dictionary<string, int> _parties = new(StringComparer.Ordinal);
    private readonly List<string> _partyNames = [];
    private readonly Dictionary<string, int> _cities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _clusters = new(StringComparer.Ordinal);
    private readonly List<string> _cityNames = [];
    private readonly List<string> _clusterNames = [];
    private readonly CatalogueLatencies _latencies;
    /// <summary>Each party's exposure in fen (<see cref="OrderExposure"/>): the most its orders and trades can be billed at.</summary>
    private readonly Dictionary<string, long> _exposure = new(StringComparer.Ordinal);

    public OrderBook()
    {
        _latencies = new CatalogueLatencies(this);
        Core.Departed = _departedTags;
    }

    /// <summary>The matching engine holding the live orders of every family's market.</summary>
    public MatchingCore Core { get; } = new();

    public long LastSeq { get; private set; }
    public long LastTradeSeq { get; private set; }

    /// <summary>Most orders resting at once (market-rules §12's book depth): <see cref="MarketLimits.MaxLiveOrders"/> unless configured lower (tests).</summary>
    public int MaxLiveOrders { get; init; } = MarketLimits.MaxLiveOrders;

    /// <summary>Told of each order as it leaves memory, with what is remembered of it (its final state).</summary>
    public Action<OrderRecord>? Departed { get; set; }

    /// <summary>When set, keeps every order that left memory, so <see cref="Statuses(Instant)"/> lists them and decisions find them (tests, tools).</summary>
    public OrderArchive? Archive { get; init; }

    /// <summary>Orders in memory: the live ones (the engine's <see cref="MatchingCore.LiveOrders"/>).</summary>
    public int OrdersInMemory => _offers.Count + _bids.Count;

    public IEnumerable<BookOffer> Offers => _offers.Values;
    public IEnumerable<BookBid> Bids => _bids.Values;

    public BookOffer? Offer(string party, string id) => _offers.GetValueOrDefault((party, id));
    public BookBid? Bid(string party, string id) => _bids.GetValueOrDefault((party, id));

    /// <summary>The live order the engine knows by <paramref name="tag"/>.</summary>
    public BookOffer OfferTagged(int tag) => (BookOffer)_tagged[tag]!;

    public BookBid BidTagged(int tag) => (BookBid)_tagged[tag]!;

    /// <summary>The party's exposure in fen: what its live orders and its trades can be billed at most (<see cref="OrderExposure"/>).</summary>
    public long Exposure(string party) => _exposure.GetValueOrDefault(party);

    /// <summary>Every party's exposure (parties with none are absent).</summary>
    public IReadOnlyDictionary<string, long> Exposures => _exposure;

    private void Expose(string party, long delta)
    {
        if (delta != 0)
        {
            _exposure[party] = OrderExposure.Add(_exposure.GetValueOrDefault(party), delta);
        }
    }

    /// <summary>The engine's number for a party, or -1 for one with no order yet (it then rests nowhere, so self-trade cannot arise).</summary>
    public int PartyNumber(string party) => _parties.GetValueOrDefault(party, -1);

    /// <summary>The engine's number for a city or cluster (numbers are only a lookup cache: taking one changes no state).</summary>
    public int CityNumber(string city) => Number(_cities, _cityNames, city);

    public int ClusterNumber(string cluster) => Number(_clusters, _clusterNames, cluster);

    /// <summary>The clusters the engine has numbered, by number.</summary>
    public IReadOnlyList<string> ClusterNames => _clusterNames;

    public int? KnownClusterNumber(string cluster) => _clusters.TryGetValue(cluster, out var n) ? n : null;

    /// <summary>Latencies between the engine's cities and clusters, from <paramref name="catalogue"/>.</summary>
    public ILatencyTable Latencies(Catalogue catalogue)
    {
        _latencies.Use(catalogue);
        return _latencies;
    }

    /// <summary>The live orders and, with an <see cref="Archive"/>, every order that left memory, in arrival order with their state at <paramref name="now"/>.</summary>
    public IEnumerable<OrderStatus> Statuses(Instant now) =>
        Records().Select(r => r.StatusAt(now)).OrderBy(s => s.Seq);

    /// <summary>One party's orders (as <see cref="Statuses(Instant)"/>).</summary>
    public IEnumerable<OrderStatus> Statuses(string party, Instant now) => Statuses(now).Where(s => s.Party == party);

    /// <summary>A party's order by id, live or (with an <see cref="Archive"/>) remembered, or null.</summary>
    public OrderStatus? Status(string party, string id, Instant now) => Record(party, id)?.StatusAt(now);

    /// <summary>A party's order in memory, or in the <see cref="Archive"/>, as remembered: null when neither has it.</summary>
    public OrderRecord? Record(string party, string id) =>
        Bid(party, id)?.ToRecord() ?? Offer(party, id)?.ToRecord() ?? Archive?.Find(party, id);

    private IEnumerable<OrderRecord> Records() =>
        _bids.Values.Select(b => b.ToRecord()).Concat(_offers.Values.Select(o => o.ToRecord())).Concat(Archive?.Records ?? []);

    public void Evolve(IMarketEvent e)
    {
        switch (e)
        {
            case OfferListed o:
            {
                var offer = BookOffer.Of(o);
                _offers[(o.Party, o.OfferId)] = offer;
                Expose(o.Party, OrderExposure.Offer(o, (long)o.Devices * offer.Window.Hours));
                Core.Expire(o.At.ToUnixTimeSeconds());
                offer.InBook = Core.AddOffer(EngineOrder(offer, Number(_parties, _partyNames, o.Party), ClusterNumber(o.Cluster), Tag(offer)));
                LastSeq = Math.Max(LastSeq, o.Seq);
                break;
            }
            case BidPlaced b:
            {
                var bid = BookBid.Of(b);
                _bids[(b.Party, b.BidId)] = bid;
                Expose(b.Party, OrderExposure.Bid(b, b.Devices));
                Core.Expire(b.At.ToUnixTimeSeconds());
                bid.InBook = Core.AddBid(EngineOrder(bid, Number(_parties, _partyNames, b.Party), CityNumber(b.City), Tag(bid)));
                LastSeq = Math.Max(LastSeq, b.Seq);
                break;
            }
            case TradeExecuted t:
            {
                var terms = t.Terms;
                var bid = _bids[(terms.Buyer, terms.BidId)];
                var offer = _offers[(terms.Provider, terms.OfferId)];
                bid.Filled += terms.Devices;
                Core.Fill(bid.InBook, offer.InBook, terms.Devices);
                Expose(terms.Provider, OrderExposure.TradeAbove(offer.Listed, terms));
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
            // Kills, cancels and reduces name live orders (the decision found them open); one no longer in memory is
            // finished already, and the engine would ignore it too.
            case BidKilled k:
                if (Bid(k.Party, k.BidId) is { } killed)
                {
                    killed.Finished = true;
                    Core.Remove(killed.InBook);
                }
                break;
            case OrderCancelled c:
                if (c.Side == "bid" && Bid(c.Party, c.OrderId) is { } cancelledBid)
                {
                    cancelledBid.Cancelled = true;
                    Core.Remove(cancelledBid.InBook);
                }
                else if (c.Side != "bid" && Offer(c.Party, c.OrderId) is { } cancelledOffer)
                {
                    cancelledOffer.CancelledAt = c.At;
                    Core.Remove(cancelledOffer.InBook);
                }
                break;
            case OrderReduced r:
                if (r.Side == "bid" && Bid(r.Party, r.OrderId) is { } reducedBid)
                {
                    Expose(r.Party, OrderExposure.Bid(reducedBid.Placed, r.Devices) - OrderExposure.Bid(reducedBid.Placed, reducedBid.Devices));
                    reducedBid.Devices = r.Devices;
                    Core.Reduce(reducedBid.InBook, r.Devices);
                }
                else if (r.Side != "bid" && Offer(r.Party, r.OrderId) is { } reducedOffer)
                {
                    var hours = (long)reducedOffer.Window.Hours;
                    Expose(r.Party, OrderExposure.Offer(reducedOffer.Listed, r.Devices * hours) - OrderExposure.Offer(reducedOffer.Listed, reducedOffer.Devices * hours));
                    reducedOffer.Devices = r.Devices;
                    Core.Reduce(reducedOffer.InBook, r.Devices);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown market event");
        }
        if (_departedTags.Count > 0)
        {
            LetGo();
        }
    }

    /// <summary>Takes a tag for a live order from the slot table (a freed one first).</summary>
    private int Tag(object order)
    {
        int tag;
        if (_freeTags.Count > 0)
        {
            tag = _freeTags.Pop();
        }
        else
        {
            if (_tagsUsed == _tagged.Length)
            {
                Array.Resize(ref _tagged, _tagged.Length * 2);
            }
            tag = _tagsUsed++;
        }
        _tagged[tag] = order;
        return tag;
    }

    /// <summary>The orders the engine let go during the event leave memory, in the order they left; their tags are freed.</summary>
    private void LetGo()
    {
        foreach (var tag in _departedTags)
        {
            var order = _tagged[tag]!;
            _tagged[tag] = null;
            _freeTags.Push(tag);
            // What never traded stops counting in its party's exposure: a bid keeps its filled devices, an offer its leased device-hours.
            switch (order)
            {
                case BookBid gone:
                    Expose(gone.Party, OrderExposure.Bid(gone.Placed, gone.Filled) - OrderExposure.Bid(gone.Placed, gone.Devices));
                    break;
                case BookOffer gone:
                    Expose(gone.Party, OrderExposure.Offer(gone.Listed, gone.Leased.Sum(h => (long)h))
                        - OrderExposure.Offer(gone.Listed, (long)gone.Devices * gone.Window.Hours));
                    break;
            }
            var record = order switch
            {
                BookBid b => _bids.Remove((b.Party, b.Id)) ? b.ToRecord() : throw new InvalidOperationException($"bid {b.Id} left twice"),
                BookOffer o => _offers.Remove((o.Party, o.Id)) ? o.ToRecord() : throw new InvalidOperationException($"offer {o.Id} left twice"),
                _ => throw new InvalidOperationException("unknown order in the slot table"),
            };
            Departed?.Invoke(record);
            Archive?.Add(record);
        }
        _departedTags.Clear();
    }

    /// <summary>
    /// The live book as data: every live order with its fills and capacity calendar (in arrival order), the sequences,
    /// the engine's clock and its numbering of parties, cities and clusters. <see cref="Restore"/> rebuilds the same book.
    /// </summary>
    public BookSnapshot Snapshot()
    {
        var orders = new List<SnapshotOrder>(_bids.Count + _offers.Count);
        foreach (var b in _bids.Values)
        {
            orders.Add(new SnapshotOrder(b.Seq, b.Placed, null, b.Devices, b.Filled, null, b.LeasesAtPlacement.ToList()));
        }
        foreach (var o in _offers.Values)
        {
            orders.Add(new SnapshotOrder(o.Seq, null, o.Listed, o.Devices, 0, LeaseRun.Of(o.Leased), o.LeasesAtPlacement.ToList()));
        }
        orders.Sort((x, y) => x.Seq.CompareTo(y.Seq));
        return new BookSnapshot(LastSeq, LastTradeSeq, Core.Clock, _partyNames.ToList(), _cityNames.ToList(), _clusterNames.ToList(), orders,
            new Dictionary<string, long>(_exposure, StringComparer.Ordinal));
    }

    /// <summary>A book equal to the one <paramref name="snapshot"/> was taken of: the same live orders, fills and calendars in the same engine state.</summary>
    public static OrderBook Restore(BookSnapshot snapshot, int maxLiveOrders = MarketLimits.MaxLiveOrders, OrderArchive? archive = null)
    {
        var book = new OrderBook { MaxLiveOrders = maxLiveOrders, Archive = archive };
        book.LastSeq = snapshot.LastSeq;
        book.LastTradeSeq = snapshot.LastTradeSeq;
        foreach (var party in snapshot.Parties)
        {
            Number(book._parties, book._partyNames, party);
        }
        foreach (var city in snapshot.Cities)
        {
            book.CityNumber(city);
        }
        foreach (var cluster in snapshot.Clusters)
        {
            book.ClusterNumber(cluster);
        }
        book.Core.RestoreClock(snapshot.Clock);
        foreach (var (party, fen) in snapshot.Exposure ?? new Dictionary<string, long>())
        {
            book._exposure[party] = fen;
        }
        foreach (var order in snapshot.Orders)
        {
            if (order.Bid is { } placed)
            {
                var bid = BookBid.Of(placed);
                bid.Devices = order.Devices;
                bid.Filled = order.Filled;
                bid.LeasesAtPlacement.AddRange(order.LeasesAtPlacement);
                book._bids[(bid.Party, bid.Id)] = bid;
                bid.InBook = book.Core.AddBid(EngineOrder(bid, book._parties[bid.Party], book.CityNumber(placed.City), book.Tag(bid)));
                if (bid.Filled > 0)
                {
                    book.Core.RestoreFilled(bid.InBook, bid.Filled);
                }
            }
            else
            {
                var listed = order.Offer ?? throw new InvalidOperationException($"snapshot order {order.Seq} is neither a bid nor an offer");
                var offer = BookOffer.Of(listed);
                offer.Devices = order.Devices;
                offer.LeasesAtPlacement.AddRange(order.LeasesAtPlacement);
                book._offers[(offer.Party, offer.Id)] = offer;
                offer.InBook = book.Core.AddOffer(EngineOrder(offer, book._parties[offer.Party], book.ClusterNumber(listed.Cluster), book.Tag(offer)));
                var start = offer.Window.From.ToUnixTimeSeconds();
                foreach (var run in order.Leased ?? [])
                {
                    Array.Fill(offer.Leased, run.Devices, run.FromHour, run.ToHour - run.FromHour);
                    book.Core.Lease(offer.InBook, start + 3600L * run.FromHour, start + 3600L * run.ToHour, run.Devices);
                }
            }
        }
        if (book._departedTags.Count > 0)
        {
            throw new InvalidOperationException("a snapshot held an order that is not live: invariant broken");
        }
        return book;
    }

    /// <summary>An offer as the engine matches it (<paramref name="party"/> and <paramref name="cluster"/> are engine numbers).</summary>
    private static OfferOrder EngineOrder(BookOffer offer, int party, int cluster, int tag)
    {
        var o = offer.Listed;
        return new OfferOrder(party, offer.Family, cluster, o.ScuPerDevice, o.MemoryGb, o.GreenShare, offer.Devices, o.From.ToUnixTimeSeconds(),
            o.To.ToUnixTimeSeconds(), PriceTicks.Of(o.Price), o.Seq, tag);
    }

    /// <summary>A bid as the engine matches it (<paramref name="party"/> and <paramref name="city"/> are engine numbers).</summary>
    public static BidOrder EngineOrder(BookBid bid, int party, int city, int tag) => new(party, bid.Terms.Family, bid.Devices,
        bid.Spec.MinScuPerDevice, bid.Spec.MinMemoryGb, bid.Spec.Window.From.ToUnixTimeSeconds(), bid.Spec.Window.To.ToUnixTimeSeconds(),
        bid.Terms.Tier, bid.Spec.MinGreen, PriceTicks.Of(bid.Spec.Price), bid.Spec.Split, bid.Terms.Tif, city, bid.Seq, tag);

    private static int Number(Dictionary<string, int> numbers, List<string> names, string key)
    {
        if (!numbers.TryGetValue(key, out var n))
        {
            n = numbers.Count;
            numbers[key] = n;
            names.Add(key);
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
}
