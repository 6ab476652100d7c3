using ComputeNet.Domain.Market;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>The registered parties the market tests trade between.</summary>
public static class TestParties
{
    public const string BuyerSh = "buyer-sh";
    public const string BuyerBj = "buyer-bj";
    public const string BuyerGz = "buyer-gz";
    public const string BuyerNoCity = "buyer-nocity";
    public const string ProvA = "prov-a";
    public const string ProvB = "prov-b";
    public const string ProvC = "prov-c";
    /// <summary>Provider and buyer at once (market-rules §4), in Shanghai.</summary>
    public const string Both = "both";
    public const string Carrier = "carrier-x";

    public static readonly IReadOnlyDictionary<string, Party> All = new[]
    {
        new Party(BuyerSh, 1, PartyRoles.Buyer, "shanghai", true, null),
        new Party(BuyerBj, 2, PartyRoles.Buyer, "beijing", false, null),
        new Party(BuyerGz, 3, PartyRoles.Buyer, "guangzhou", true, null),
        new Party(ProvA, 4, PartyRoles.Provider, null, false, null),
        new Party(ProvB, 5, PartyRoles.Provider, null, false, null),
        new Party(ProvC, 6, PartyRoles.Provider, null, false, null),
        new Party(Both, 7, PartyRoles.Provider | PartyRoles.Buyer, "shanghai", false, null),
        new Party(Carrier, 8, PartyRoles.Carrier, null, false, null),
        new Party(BuyerNoCity, 9, PartyRoles.Buyer, null, false, null),
    }.ToDictionary(p => p.Id);

    public static Party? Find(string id) => All.GetValueOrDefault(id);
}

/// <summary>Defaults of the market tests: the §13 offer and bid, placed the day before the bid's window.</summary>
public static class M
{
    /// <summary>When orders are placed unless a test says otherwise: the day before the windows.</summary>
    public static readonly Instant Now = Sh.Dec(1, 10);
    public static readonly HourWindow OfferWindow = new(Sh.Dec(2, 0), Sh.Dec(3, 0));
    public static readonly HourWindow BidWindow = new(Sh.Dec(2, 0), Sh.Dec(2, 20));

    public static HourWindow Hours(int fromHour, int toHour) => new(Sh.Dec(2).Plus(Duration.FromHours(fromHour)), Sh.Dec(2).Plus(Duration.FromHours(toHour)));

    /// <summary>§13 offer: 中卫, ai-fp16-80g (0.156 SCU), 64 devices, 58.00 yuan per SCU-hour, all of 2026-12-02.</summary>
    public static OfferSpec Offer(int devices = 64, decimal price = 58.00m, string cluster = "zhongwei", string resourceClass = "ai-fp16-80g",
        HourWindow? window = null) => new(cluster, resourceClass, devices, window ?? OfferWindow, price);

    /// <summary>§13 bid: intelligent, 8 devices, limit 60.00, cross-hub, on-demand, split allowed, GTC, 2026-12-02 00:00–20:00.</summary>
    public static BidSpec Bid(int devices = 8, decimal price = 60.00m, bool split = true, string tif = "GTC", HourWindow? window = null) =>
        new("intelligent", devices, 0m, 0, window ?? BidWindow, "cross-hub", 0m, price, "on-demand", split, tif, null);

    /// <summary>The event the engine writes when it accepts <paramref name="spec"/> (used to state a given book).</summary>
    public static OfferListed Listed(long seq, string id, string party, OfferSpec spec, Instant? at = null, Catalogue? catalogue = null)
    {
        catalogue ??= TestCatalogue.Default;
        var cluster = catalogue.Cluster(spec.Cluster)!;
        var rc = catalogue.ResourceClass(spec.ResourceClass)!;
        return new OfferListed(seq, id, party, cluster.Id, cluster.HubId, rc.Id, Slugs.Of(rc.Family), catalogue.Standard.Version,
            catalogue.Standard.ScuPerDevice(rc), rc.MemoryGb, spec.Devices, spec.Window.From, spec.Window.To, spec.Price, cluster.GreenShare,
            at ?? Now.Minus(Duration.FromHours(1)));
    }

    /// <summary>The event the engine writes when it accepts <paramref name="spec"/>, valued at the family's largest class (or the bid's minimum).</summary>
    public static BidPlaced Placed(long seq, string id, string party, BidSpec spec, Instant? at = null, Catalogue? catalogue = null) =>
        new(seq, id, party, spec.Family, spec.Devices, spec.MinScuPerDevice, spec.MinMemoryGb, spec.Window.From, spec.Window.To, spec.Tier,
            spec.MinGreen, spec.Price, spec.Commitment, spec.Split, spec.Tif, spec.City ?? TestParties.Find(party)!.City!, spec.City is not null,
            at ?? Now.Minus(Duration.FromHours(1)),
            Math.Max(spec.MinScuPerDevice, (catalogue ?? TestCatalogue.Default).LargestScuPerDevice(BidTerms.Parse(spec).Family)));

    /// <summary>A trade already in the journal: <paramref name="devices"/> of <paramref name="offer"/> to <paramref name="bid"/> over the bid's window.</summary>
    public static TradeExecuted Traded(long tradeSeq, BidPlaced bid, OfferListed offer, int devices, decimal price, Instant? at = null) =>
        new(new LeaseTerms($"lease-{tradeSeq:D6}", tradeSeq, bid.BidId, bid.Party, bid.City, offer.OfferId, offer.Party, offer.Cluster, offer.Hub,
            offer.ResourceClass, offer.Family, offer.MeteringStandard, offer.ScuPerDevice, devices, bid.From, bid.To, price, bid.Commitment, 0m),
            at ?? Now.Minus(Duration.FromMinutes(30)));

    public static IReadOnlyList<(string Bid, string Offer, int Devices, decimal Price)> Trades(IEnumerable<IMarketEvent> events) =>
        events.OfType<TradeExecuted>().Select(t => (t.Terms.BidId, t.Terms.OfferId, t.Terms.Devices, t.Terms.Price)).ToList();
}

/// <summary>
/// Given events / when command / then events. The book is built by evolving the given events; each
/// command is decided against it and its events evolved in, as the application does.
/// </summary>
public sealed class Market
{
    private Market(Catalogue catalogue) => Catalogue = catalogue;

    public OrderBook Book { get; } = new() { Archive = new OrderArchive() };
    public Catalogue Catalogue { get; }
    public List<IMarketEvent> Journal { get; } = [];

    public static Market Given(params IMarketEvent[] events) => Given(TestCatalogue.Default, events);

    public static Market Given(Catalogue catalogue, params IMarketEvent[] events)
    {
        var market = new Market(catalogue);
        foreach (var e in events)
        {
            market.Apply(e);
        }
        return market;
    }

    public IReadOnlyList<IMarketEvent> When(PlaceBid cmd) => Commit(MatchingEngine.Decide(cmd, Book, TestParties.Find, Catalogue)).Events;
    public IReadOnlyList<IMarketEvent> When(PlaceOffer cmd) => Commit(MatchingEngine.Decide(cmd, Book, TestParties.Find, Catalogue)).Events;
    public IReadOnlyList<IMarketEvent> When(CancelOrder cmd) => Commit(MatchingEngine.Decide(cmd, Book, TestParties.Find)).Events;
    public IReadOnlyList<IMarketEvent> When(ReduceOrder cmd) => Commit(MatchingEngine.Decide(cmd, Book, TestParties.Find)).Events;

    public MarketDecision Decide(PlaceBid cmd) => Commit(MatchingEngine.Decide(cmd, Book, TestParties.Find, Catalogue));
    public MarketDecision Decide(PlaceOffer cmd) => Commit(MatchingEngine.Decide(cmd, Book, TestParties.Find, Catalogue));

    /// <summary>Places a bid by <paramref name="party"/> at <see cref="M.Now"/>.</summary>
    public IReadOnlyList<IMarketEvent> Bid(string party, string id, BidSpec spec, Instant? at = null) => When(new PlaceBid(party, id, spec, at ?? M.Now));

    public IReadOnlyList<IMarketEvent> Offer(string party, string id, OfferSpec spec, Instant? at = null) => When(new PlaceOffer(party, id, spec, at ?? M.Now));

    /// <summary>The rejection a command is refused with; fails when it is accepted.</summary>
    public Rejection Rejected(Action decide)
    {
        var before = Journal.Count;
        var ex = Assert.Throws<RejectedException>(decide);
        Assert.Equal(before, Journal.Count);
        return ex.Rejection;
    }

    public Rejection RejectedBid(PlaceBid cmd) => Rejected(() => Decide(cmd));
    public Rejection RejectedOffer(PlaceOffer cmd) => Rejected(() => Decide(cmd));

    public OrderStatus Status(string id, Instant at) => Book.Statuses(at).Single(s => s.Id == id);

    private MarketDecision Commit(MarketDecision decision)
    {
        foreach (var e in decision.Events)
        {
            Apply(e);
        }
        return decision;
    }

    private void Apply(IMarketEvent e)
    {
        Book.Evolve(e);
        Journal.Add(e);
    }
}
