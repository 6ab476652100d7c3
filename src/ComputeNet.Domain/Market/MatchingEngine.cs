using ComputeNet.Domain.Market.Engine;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using NodaTime;

namespace ComputeNet.Domain.Market;

public sealed record PlaceOffer(string Party, string? OfferId, OfferSpec Spec, Instant At);

public sealed record PlaceBid(string Party, string? BidId, BidSpec Spec, Instant At);

public sealed record CancelOrder(string Party, string OrderId, Instant At);

public sealed record ReduceOrder(string Party, string OrderId, int Devices, Instant At);

/// <summary>
/// What the engine decided: the events to journal (empty for a no-op) and, for a repeat of an
/// earlier order, that order's key so the caller can answer with the first result.
/// </summary>
public sealed record MarketDecision(IReadOnlyList<IMarketEvent> Events, bool IsRepeat)
{
    public static readonly MarketDecision Repeat = new([], true);
    public static readonly MarketDecision NoOp = new([], false);
}

/// <summary>
/// The continuous double auction (market-rules §4–5): price-time priority by engine sequence, trade at
/// the resting order's price, split or all-from-one-offer bids, self-trade prevention, GTC/IOC/FOK.
/// Pure: the same book and command give the same events. Rejections are thrown as <see cref="RejectedException"/>
/// in the check order of market-rules §12.
/// </summary>
public static class MatchingEngine
{
    /// <summary>Decides against the book alone, finished orders from its <see cref="OrderBook.Archive"/> if it has one.</summary>
    public static MarketDecision Decide(PlaceOffer cmd, OrderBook book, Func<string, Party?> parties, Catalogue catalogue) =>
        Decide(cmd, book, book.Archive ?? OrderArchive.None, parties, catalogue);

    public static MarketDecision Decide(PlaceBid cmd, OrderBook book, Func<string, Party?> parties, Catalogue catalogue) =>
        Decide(cmd, book, book.Archive ?? OrderArchive.None, parties, catalogue);

    public static MarketDecision Decide(CancelOrder cmd, OrderBook book, Func<string, Party?> parties) =>
        Decide(cmd, book, book.Archive ?? OrderArchive.None, parties);

    public static MarketDecision Decide(ReduceOrder cmd, OrderBook book, Func<string, Party?> parties) =>
        Decide(cmd, book, book.Archive ?? OrderArchive.None, parties);

    /// <summary>
    /// Places an offer. <paramref name="finished"/> answers for orders no longer in the book (their spec tells a repeat
    /// from an id reuse); it is data given to the decision, read before it.
    /// </summary>
    public static MarketDecision Decide(PlaceOffer cmd, OrderBook book, IOrderLookup finished, Func<string, Party?> parties, Catalogue catalogue)
    {
        var party = RequireParty(parties, cmd.Party, PartyRoles.Provider, "provider");
        var id = RequireId(cmd.OfferId, "offer");
        if (ExistingSpec(book, finished, cmd.Party, id) is { } existing)
        {
            return Equals(existing, cmd.Spec) ? MarketDecision.Repeat
                : throw RejectedException.Of(Codes.IdReused, $"order id '{id}' was already used by {party.Id} with other content", "id");
        }
        var spec = cmd.Spec;
        var cluster = catalogue.Cluster(spec.Cluster) ?? throw RejectedException.Of(Codes.Invalid, $"unknown cluster '{spec.Cluster}'", "cluster");
        var rc = catalogue.ResourceClass(spec.ResourceClass) ?? throw RejectedException.Of(Codes.Invalid, $"unknown resource class '{spec.ResourceClass}'", "resourceClass");
        CheckDevices(spec.Devices);
        CheckWindow(spec.Window);
        CheckPrice(spec.Price);
        if (spec.Window.To <= cmd.At)
        {
            throw RejectedException.Of(Codes.Invalid, $"the offer's window ended at {spec.Window.To}", "to");
        }
        CheckFullWindow("offer", spec.Devices, spec.Window, catalogue.Standard.ScuPerDevice(rc), spec.Price);
        CheckBookCapacity(book);

        var hub = catalogue.Hub(cluster.HubId)!;
        var listed = new OfferListed(book.LastSeq + 1, id, party.Id, cluster.Id, hub.Id, rc.Id, Slugs.Of(rc.Family),
            catalogue.Standard.Version, catalogue.Standard.ScuPerDevice(rc), rc.MemoryGb, spec.Devices, spec.Window.From,
            spec.Window.To, spec.Price, cluster.GreenShare, cmd.At);
        var events = new List<IMarketEvent> { listed };

        // The incoming offer meets resting bids highest price first, then earliest arrival.
        var order = new OfferOrder(book.PartyNumber(party.Id), rc.Family, book.ClusterNumber(cluster.Id), listed.ScuPerDevice, rc.MemoryGb,
            cluster.GreenShare, spec.Devices, spec.Window.From.ToUnixTimeSeconds(), spec.Window.To.ToUnixTimeSeconds(), PriceTicks.Of(spec.Price),
            listed.Seq, -1);
        var fills = new List<Fill>();
        book.Core.MatchOffer(order, cmd.At.ToUnixTimeSeconds(), book.Latencies(catalogue), fills);
        var tradeSeq = book.LastTradeSeq;
        foreach (var fill in fills)
        {
            var bid = book.BidTagged(fill.Tag);
            events.Add(Trade(++tradeSeq, bid.Placed, listed, fill.Devices, bid.Spec.Price, fill.LatencyMs, cmd.At));
        }
        // Its full window at its price, and what it trades at resting bids' higher prices, count in the provider's exposure.
        var exposure = OrderExposure.Offer(listed, (long)spec.Devices * spec.Window.Hours);
        foreach (var e in events)
        {
            if (e is TradeExecuted t)
            {
                exposure = OrderExposure.Add(exposure, OrderExposure.TradeAbove(listed, t.Terms));
            }
        }
        CheckExposure(book, party.Id, "offer", exposure);
        return new MarketDecision(events, false);
    }

    public static MarketDecision Decide(PlaceBid cmd, OrderBook book, IOrderLookup finished, Func<string, Party?> parties, Catalogue catalogue)
    {
        var party = RequireParty(parties, cmd.Party, PartyRoles.Buyer, "buyer");
        var id = RequireId(cmd.BidId, "bid");
        if (ExistingSpec(book, finished, cmd.Party, id) is { } existing)
        {
            return Equals(existing, cmd.Spec) ? MarketDecision.Repeat
                : throw RejectedException.Of(Codes.IdReused, $"order id '{id}' was already used by {party.Id} with other content", "id");
        }
        var spec = cmd.Spec;
        var terms = BidTerms.Parse(spec);
        CheckDevices(spec.Devices);
        CheckWindow(spec.Window);
        CheckPrice(spec.Price);
        if (spec.MinScuPerDevice < 0)
        {
            throw RejectedException.Of(Codes.Invalid, "minimum SCU per device must not be negative", "minScuPerDevice");
        }
        if (spec.MinMemoryGb < 0)
        {
            throw RejectedException.Of(Codes.Invalid, "minimum memory must not be negative", "minMemoryGb");
        }
        if (spec.MinGreen is < 0 or > 1)
        {
            throw RejectedException.Of(Codes.Invalid, "minimum green share must be between 0 and 1", "minGreen");
        }
        var cityId = spec.City ?? party.City;
        if (cityId is null || catalogue.City(cityId) is null)
        {
            throw RejectedException.Of(Codes.Invalid, $"unknown city '{cityId}'", "city");
        }
        // A lease's SCU per device is its offer's: at most the largest of the family's classes, at least the bid's minimum.
        var maxScu = Math.Max(spec.MinScuPerDevice, catalogue.LargestScuPerDevice(terms.Family));
        CheckFullWindow("bid", spec.Devices, spec.Window, maxScu, spec.Price);
        CheckExposure(book, party.Id, "bid", OrderExposure.Value((long)spec.Devices * spec.Window.Hours, maxScu, spec.Price));
        if (spec.Window.From <= cmd.At)
        {
            throw RejectedException.Of(Codes.WindowStarted, $"the bid's window started at {spec.Window.From}", "from");
        }
        CheckBookCapacity(book);

        var placed = new BidPlaced(book.LastSeq + 1, id, party.Id, Slugs.Of(terms.Family), spec.Devices, spec.MinScuPerDevice,
            spec.MinMemoryGb, spec.Window.From, spec.Window.To, Slugs.Of(terms.Tier), spec.MinGreen, spec.Price,
            MarketSlugs.Of(terms.Commitment), spec.Split, terms.Tif.ToString(), cityId, spec.City is not null, cmd.At, maxScu);
        var incoming = new BookBid { Placed = placed, Spec = spec, Terms = terms, Devices = spec.Devices };
        var events = new List<IMarketEvent> { placed };

        // The incoming bid meets resting offers lowest price first, then earliest arrival.
        var fills = new List<Fill>();
        book.Core.MatchBid(OrderBook.EngineOrder(incoming, book.PartyNumber(party.Id), book.CityNumber(cityId), -1), book.Latencies(catalogue), fills);
        var wanted = spec.Devices;
        var tradeSeq = book.LastTradeSeq;
        foreach (var fill in fills)
        {
            var offer = book.OfferTagged(fill.Tag);
            events.Add(Trade(++tradeSeq, placed, offer.Listed, fill.Devices, offer.Listed.Price, fill.LatencyMs, cmd.At));
            wanted -= fill.Devices;
        }
        if (terms.Tif != TimeInForce.GTC && wanted > 0)
        {
            events.Add(new BidKilled(id, party.Id, wanted, cmd.At));
        }
        return new MarketDecision(events, false);
    }

    public static MarketDecision Decide(CancelOrder cmd, OrderBook book, IOrderLookup finished, Func<string, Party?> parties)
    {
        RequireParty(parties, cmd.Party, PartyRoles.None, "party");
        var order = Find(book, finished, cmd.Party, cmd.OrderId, cmd.At);
        return order.Open ? new MarketDecision([new OrderCancelled(order.Id, order.Party, order.Side, cmd.At)], false) : MarketDecision.NoOp;
    }

    public static MarketDecision Decide(ReduceOrder cmd, OrderBook book, IOrderLookup finished, Func<string, Party?> parties)
    {
        RequireParty(parties, cmd.Party, PartyRoles.None, "party");
        var order = Find(book, finished, cmd.Party, cmd.OrderId, cmd.At);
        if (!order.Open)
        {
            return MarketDecision.NoOp;
        }
        CheckReduce(cmd.Devices, order.Devices, order.Traded);
        if (cmd.Devices == order.Devices)
        {
            return MarketDecision.NoOp;
        }
        IMarketEvent e = cmd.Devices == 0 && order.Traded == 0
            ? new OrderCancelled(order.Id, order.Party, order.Side, cmd.At)
            : new OrderReduced(order.Id, order.Party, order.Side, cmd.Devices, cmd.At);
        return new MarketDecision([e], false);
    }

    /// <summary>An order as cancel and reduce see it: open (resting or partially filled, not finished), its total and what has traded.</summary>
    private readonly record struct OrderHandle(string Side, string Id, string Party, bool Open, int Devices, int Traded);

    /// <summary>The party's own order; another party's or an unknown one is `invalid` (market-rules §4).</summary>
    private static OrderHandle Find(OrderBook book, IOrderLookup finished, string party, string orderId, Instant at)
    {
        if (book.Bid(party, orderId) is { } bid)
        {
            var open = bid.StateAt(at) is OrderState.Resting or OrderState.PartiallyFilled && !bid.Finished;
            return new OrderHandle("bid", bid.Id, bid.Party, open, bid.Devices, bid.Filled);
        }
        if (book.Offer(party, orderId) is { } offer)
        {
            var open = offer.StateAt(at) is OrderState.Resting or OrderState.PartiallyFilled;
            return new OrderHandle("offer", offer.Id, offer.Party, open, offer.Devices, offer.MostLeased);
        }
        if (finished.Find(party, orderId) is { } done)
        {
            // It left the book: filled, leased out, cancelled, killed or past its window. Cancelling or reducing it changes nothing.
            return new OrderHandle(MarketSlugs.Of(done.Side), done.Id, done.Party, false, done.Devices, done.Filled);
        }
        throw RejectedException.Of(Codes.Invalid, $"'{party}' has no order '{orderId}'", "order");
    }

    private static TradeExecuted Trade(long tradeSeq, BidPlaced bid, OfferListed offer, int devices, decimal price, decimal latencyMs, Instant at) =>
        new(new LeaseTerms($"lease-{tradeSeq:D6}", tradeSeq, bid.BidId, bid.Party, bid.City, offer.OfferId, offer.Party, offer.Cluster,
            offer.Hub, offer.ResourceClass, offer.Family, offer.MeteringStandard, offer.ScuPerDevice, devices, bid.From, bid.To, price,
            bid.Commitment, latencyMs), at);

    private static Party RequireParty(Func<string, Party?> parties, string partyId, PartyRoles role, string roleName)
    {
        var party = parties(partyId) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{partyId}' is registered", "party");
        return party.Has(role) ? party : throw RejectedException.Of(Codes.WrongRole, $"'{partyId}' is not a {roleName}", "party");
    }

    private static string RequireId(string? id, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw RejectedException.Of(Codes.Invalid, $"the {what} needs an id chosen by its party", "id");
        }
        return id.Length <= MarketLimits.MaxOrderIdLength ? id
            : throw RejectedException.Of(Codes.Invalid, $"order ids are at most {MarketLimits.MaxOrderIdLength} characters", "id");
    }

    private static object? ExistingSpec(OrderBook book, IOrderLookup finished, string party, string id) =>
        (object?)book.Bid(party, id)?.Spec ?? (object?)book.Offer(party, id)?.Spec ?? finished.Find(party, id)?.Spec();

    private static void CheckDevices(int devices)
    {
        if (devices is <= 0 or > MarketLimits.MaxDevicesPerOrder)
        {
            throw RejectedException.Of(Codes.Invalid, $"devices must be between 1 and {MarketLimits.MaxDevicesPerOrder}", "devices");
        }
    }

    private static void CheckWindow(HourWindow window)
    {
        if (!window.IsValid)
        {
            throw RejectedException.Of(Codes.Invalid, "the window must start before it ends, both on whole hours", "from");
        }
        if (window.Hours > MarketLimits.MaxWindowHours)
        {
            throw RejectedException.Of(Codes.Invalid, $"windows are at most {MarketLimits.MaxWindowHours} hours", "to");
        }
    }

    private static void CheckPrice(decimal price)
    {
        if (price <= 0 || price > MarketLimits.MaxPrice || decimal.Round(price, 4) != price)
        {
            throw RejectedException.Of(Codes.Invalid, "the price must be above 0, at most 1,000,000 yuan per SCU-hour, with at most 4 decimal places", "price");
        }
    }

    /// <summary>
    /// Every amount stays within ±(2^53 − 1) fen (market-rules §6): an order whose full window at its price —
    /// devices × hours × SCU per device × price, exact — is above it is `invalid`. Every lease it makes, and so every
    /// compute line of that lease in any period, is then within it too (ADR 0019).
    /// </summary>
    private static void CheckFullWindow(string what, int devices, HourWindow window, decimal scuPerDevice, decimal price)
    {
        var amount = Settlement.Rating.ExactComputeAmount((System.Numerics.BigInteger)devices * window.Hours * 3600, scuPerDevice, price);
        if (!Money.Fen.IsSafe(amount))
        {
            throw RejectedException.Of(Codes.Invalid,
                $"the {what}'s full window ({devices} devices × {window.Hours} h × {scuPerDevice} SCU × {price} yuan) comes to {amount} fen, " +
                $"above the {Money.Fen.MaxSafe} fen every amount stays within", "price");
        }
    }

    /// <summary>
    /// The party's exposure (<see cref="OrderExposure"/>) with the order's stays within 2^53 − 1 fen, so no total or balance of
    /// the party can leave it at a later close (market-rules §6): beyond, the order is `invalid`.
    /// </summary>
    private static void CheckExposure(OrderBook book, string party, string what, long value)
    {
        var current = book.Exposure(party);
        if ((System.Numerics.BigInteger)current + value > Money.Fen.MaxSafe)
        {
            throw RejectedException.Of(Codes.Invalid,
                $"with this {what} ({value} fen at most) {party}'s orders and trades could be billed {(System.Numerics.BigInteger)current + value} fen, above the " +
                $"{Money.Fen.MaxSafe} fen every total and balance stays within (market-rules §6); {current} fen is committed already", "devices");
        }
    }

    private static void CheckBookCapacity(OrderBook book)
    {
        if (book.Core.LiveOrders >= book.MaxLiveOrders)
        {
            throw RejectedException.Of(Codes.Invalid, $"the book holds its limit of {book.MaxLiveOrders} resting orders", "book");
        }
    }

    private static void CheckReduce(int newDevices, int current, int traded)
    {
        if (newDevices > current)
        {
            throw RejectedException.Of(Codes.Invalid, $"a reduce cannot raise the order's {current} devices to {newDevices}", "devices");
        }
        if (newDevices < traded)
        {
            throw RejectedException.Of(Codes.Invalid, $"a reduce cannot go below the {traded} devices already traded", "devices");
        }
    }
}
