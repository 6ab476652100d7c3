using ComputeNet.Domain.Market;
using ComputeNet.Domain.Reference;
using CsCheck;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// Properties of the engine over random small order streams (market-rules §5): determinism, replay, and the
/// invariants every trade and every calendar must keep, checked against an independent reading of the rules.
/// </summary>
public class MatchingPropertyTests
{
    private static readonly string[] Providers = [ProvA, ProvB, Both];
    private static readonly string[] Buyers = [BuyerSh, BuyerBj, Both];
    private static readonly string[] ClusterIds = ["zhongwei", "yangtze-demo", "zhangjiakou"];
    private static readonly string[] ClassIds = ["ai-fp16-80g", "ai-fp16-80g-hi", "ai-int8-24g", "cpu-fp32-vcpu"];
    private static readonly string[] Tifs = ["GTC", "GTC", "IOC", "FOK"];
    private static readonly string[] Tiers = ["city", "regional", "cross-hub", "cross-hub", "cross-hub", "cross-hub"];
    private static readonly decimal[] Greens = [0m, 0m, 0.5m, 0.8m];
    private static readonly decimal[] MinScus = [0m, 0m, 0.1m, 0.2m];
    private static readonly int[] MinMems = [0, 0, 32, 80];

    /// <summary>A stream of 1–25 commands, each decoded from 16 random numbers.</summary>
    private static readonly Gen<int[][]> Streams = Gen.Int[0, 999].Array[16].Array[1, 25];

    private abstract record Cmd;
    private sealed record Offer(PlaceOffer Command) : Cmd;
    private sealed record Bid(PlaceBid Command) : Cmd;
    private sealed record Cancel(CancelOrder Command) : Cmd;
    private sealed record Reduce(ReduceOrder Command) : Cmd;

    private static HourWindow Window(int from, int hours) => M.Hours(from, from + hours);

    private static List<Cmd> Decode(int[][] stream)
    {
        var commands = new List<Cmd>();
        var placed = new List<(string Party, string Id)>();
        for (var i = 0; i < stream.Length; i++)
        {
            var r = stream[i];
            var at = M.Now.Plus(Duration.FromSeconds(i));
            // Offers ask 55.0–60.5, bids pay 57.0–62.5: most pairs cross on price.
            var offerPrice = 55m + (r[7] % 12) * 0.5m;
            var bidPrice = offerPrice + 2m;
            var devices = 1 + r[4] % 6;
            switch (r[0] % 10)
            {
                case <= 3:
                {
                    var party = Providers[r[1] % 3];
                    var spec = new OfferSpec(ClusterIds[r[2] % 3], ClassIds[r[3] % 4], devices, Window(r[5] % 2, 4 + r[6] % 5), offerPrice);
                    commands.Add(new Offer(new PlaceOffer(party, $"o{i}", spec, at)));
                    placed.Add((party, $"o{i}"));
                    break;
                }
                case <= 8:
                {
                    var party = Buyers[r[1] % 3];
                    var spec = new BidSpec(r[2] % 5 == 0 ? "general" : "intelligent", devices, MinScus[r[12] % 4], MinMems[r[13] % 4],
                        Window(r[5] % 4, 1 + r[6] % 3), Tiers[r[10] % 6], Greens[r[11] % 4], bidPrice, r[14] % 3 == 0 ? "reserved" : "on-demand",
                        r[8] % 2 == 0, Tifs[r[9] % 4], null);
                    commands.Add(new Bid(new PlaceBid(party, $"b{i}", spec, at)));
                    placed.Add((party, $"b{i}"));
                    break;
                }
                default:
                    if (placed.Count == 0)
                    {
                        break;
                    }
                    var (p, id) = placed[r[15] % placed.Count];
                    commands.Add(r[3] % 2 == 0 ? new Cancel(new CancelOrder(p, id, at)) : new Reduce(new ReduceOrder(p, id, r[4] % 7, at)));
                    break;
            }
        }
        return commands;
    }

    private static MarketDecision Decide(Cmd cmd, OrderBook book) => cmd switch
    {
        Offer o => MatchingEngine.Decide(o.Command, book, TestParties.Find, TestCatalogue.Default),
        Bid b => MatchingEngine.Decide(b.Command, book, TestParties.Find, TestCatalogue.Default),
        Cancel c => MatchingEngine.Decide(c.Command, book, TestParties.Find),
        Reduce r => MatchingEngine.Decide(r.Command, book, TestParties.Find),
        _ => throw new ArgumentOutOfRangeException(nameof(cmd)),
    };

    /// <summary>
    /// Every order placed in a run, as the book holds it: an order that left the book (filled, killed, leased out) is the
    /// same object, frozen at its final state, so the checks can still read it.
    /// </summary>
    private sealed class SeenOrders
    {
        private readonly Dictionary<(string, string), BookBid> _bids = new();
        private readonly Dictionary<(string, string), BookOffer> _offers = new();

        public void Note(IMarketEvent e, OrderBook book)
        {
            switch (e)
            {
                case BidPlaced b: _bids[(b.Party, b.BidId)] = book.Bid(b.Party, b.BidId)!; break;
                case OfferListed o: _offers[(o.Party, o.OfferId)] = book.Offer(o.Party, o.OfferId)!; break;
            }
        }

        public BookBid? Bid(string party, string id) => _bids.GetValueOrDefault((party, id));

        public BookOffer? Offer(string party, string id) => _offers.GetValueOrDefault((party, id));
    }

    /// <summary>Applies the commands to a fresh book; returns one line per command (its events, or its rejection) and the journal.</summary>
    private static (List<string> Trace, List<IMarketEvent> Journal, OrderBook Book) Run(List<Cmd> commands,
        Action<Cmd, IReadOnlyList<IMarketEvent>, OrderBook, SeenOrders>? check = null)
    {
        var book = new OrderBook { Archive = new OrderArchive() };
        var seen = new SeenOrders();
        var journal = new List<IMarketEvent>();
        var trace = new List<string>();
        foreach (var cmd in commands)
        {
            try
            {
                var decision = Decide(cmd, book);
                foreach (var e in decision.Events)
                {
                    book.Evolve(e);
                    journal.Add(e);
                    seen.Note(e, book);
                }
                trace.Add($"{decision.IsRepeat}|{string.Join("|", decision.Events)}");
                check?.Invoke(cmd, decision.Events, book, seen);
            }
            catch (RejectedException ex)
            {
                trace.Add($"rejected {ex.Rejection.Code} {ex.Rejection.Field}");
            }
        }
        return (trace, journal, book);
    }

    [Fact]
    public void Same_commands_on_two_fresh_books_give_identical_events() =>
        Streams.Sample(stream =>
        {
            var commands = Decode(stream);
            var first = Run(commands);
            var second = Run(commands);
            Assert.Equal(first.Trace, second.Trace);
            Assert.Equal(first.Journal, second.Journal);
        }, iter: 300);

    [Fact]
    public void Replaying_the_journal_rebuilds_the_book() =>
        Streams.Sample(stream =>
        {
            var (_, journal, book) = Run(Decode(stream));
            var replayed = new OrderBook { Archive = new OrderArchive() };
            foreach (var e in journal)
            {
                replayed.Evolve(e);
            }
            var end = M.Now.Plus(Duration.FromMinutes(1));
            Assert.Equal(book.Statuses(end), replayed.Statuses(end));
            Assert.Equal((book.LastSeq, book.LastTradeSeq), (replayed.LastSeq, replayed.LastTradeSeq));
            foreach (var offer in book.Offers)
            {
                Assert.Equal(offer.Leased, replayed.Offer(offer.Party, offer.Id)!.Leased);
            }
        }, iter: 300);

    [Fact]
    public void A_partys_orders_read_through_the_index_are_its_orders_in_the_full_list() =>
        Streams.Sample(stream =>
        {
            var (_, _, book) = Run(Decode(stream));
            var end = M.Now.Plus(Duration.FromMinutes(1));
            var all = book.Statuses(end).ToList();
            foreach (var party in all.Select(s => s.Party).Append("nobody").Distinct())
            {
                Assert.Equal(all.Where(s => s.Party == party), book.Statuses(party, end));
            }
            foreach (var s in all)
            {
                Assert.Equal(s, book.Status(s.Party, s.Id, end));
            }
            Assert.Null(book.Status("nobody", "x", end));
        }, iter: 200);

    [Fact]
    public void Every_trade_and_every_calendar_keeps_the_rules()
    {
        long tradesSeen = 0, killsSeen = 0, partialsSeen = 0;
        Streams.Sample(stream =>
        {
            var killedOrOnce = new HashSet<(string, string)>();
            Run(Decode(stream), (cmd, events, book, seen) =>
            {
                var trades = events.OfType<TradeExecuted>().Select(t => t.Terms).ToList();
                Interlocked.Add(ref tradesSeen, trades.Count);
                Interlocked.Add(ref killsSeen, events.OfType<BidKilled>().Count());
                foreach (var t in trades)
                {
                    var bid = seen.Bid(t.Buyer, t.BidId)!;
                    var offer = seen.Offer(t.Provider, t.OfferId)!;
                    Assert.True(t.Price <= bid.Spec.Price, $"trade above the bid's limit: {t}");
                    Assert.True(t.Price >= offer.Spec.Price, $"trade below the offer's limit: {t}");
                    Assert.Equal(cmd is Bid ? offer.Spec.Price : bid.Spec.Price, t.Price);   // the resting order's price
                    Assert.NotEqual(t.Buyer, t.Provider);                                    // no self-trade
                    Assert.True(t.Devices >= 1);
                    Assert.Equal((bid.Spec.Window.From, bid.Spec.Window.To), (t.From, t.To));
                    Assert.True(CompatibleByTheRules(bid.Spec, bid.Placed.City, offer.Listed), $"incompatible trade: {t}");
                    Assert.DoesNotContain((t.Buyer, t.BidId), killedOrOnce);                 // IOC/FOK trade only on arrival
                }

                foreach (var offer in book.Offers)
                {
                    Assert.All(offer.Leased, leased => Assert.InRange(leased, 0, offer.Devices));   // free capacity never negative
                }
                foreach (var bid in book.Bids)
                {
                    Assert.InRange(bid.Filled, 0, bid.Devices);
                }

                if (cmd is Bid { Command: var placeBid } && events.Count > 0)
                {
                    var spec = placeBid.Spec;
                    var traded = trades.Sum(t => t.Devices);
                    var killed = events.OfType<BidKilled>().Sum(k => k.DevicesKilled);
                    if (traded > 0 && traded < spec.Devices)
                    {
                        Interlocked.Increment(ref partialsSeen);
                    }
                    if (!spec.Split)
                    {
                        Assert.True(trades.Count == 0 || (trades.Count == 1 && traded == spec.Devices), "a non-split bid trades all from one offer");
                    }
                    Assert.Equal(spec.Tif == "GTC" ? 0 : spec.Devices - traded, killed);
                    if (spec.Tif == "FOK")
                    {
                        Assert.True(traded == 0 || traded == spec.Devices, "FOK fills all or nothing");
                    }
                    if (spec.Tif != "GTC")
                    {
                        killedOrOnce.Add((placeBid.Party, placeBid.BidId!));
                    }
                    // Lowest price first, then earliest arrival.
                    var order = trades.Select(t => seen.Offer(t.Provider, t.OfferId)!).Select(o => (o.Spec.Price, o.Seq)).ToList();
                    Assert.Equal(order.OrderBy(x => x.Price).ThenBy(x => x.Seq), order);
                    // Nothing left undone: unless FOK, a bid with devices still wanted has no compatible offer with them free.
                    if (spec.Tif != "FOK" && traded < spec.Devices)
                    {
                        foreach (var offer in book.Offers.Where(o => !o.Cancelled && o.Party != placeBid.Party))
                        {
                            if (CompatibleByTheRules(spec, seen.Bid(placeBid.Party, placeBid.BidId!)!.Placed.City, offer.Listed))
                            {
                                Assert.True(offer.MinFree(spec.Window) < (spec.Split ? 1 : spec.Devices), $"bid {placeBid.BidId} left {offer.Id} with devices free");
                            }
                        }
                    }
                }

                if (cmd is Offer { Command: var placeOffer } && events.Count > 0)
                {
                    // Highest price first, then earliest arrival.
                    var order = trades.Select(t => seen.Bid(t.Buyer, t.BidId)!).Select(b => (b.Spec.Price, b.Seq)).ToList();
                    Assert.Equal(order.OrderByDescending(x => x.Price).ThenBy(x => x.Seq), order);
                    var offer = seen.Offer(placeOffer.Party, placeOffer.OfferId!)!;
                    foreach (var bid in book.Bids.Where(b => b.IsLive(placeOffer.At) && b.Party != placeOffer.Party))
                    {
                        if (CompatibleByTheRules(bid.Spec, bid.Placed.City, offer.Listed))
                        {
                            Assert.True(offer.MinFree(bid.Spec.Window) < (bid.Spec.Split ? 1 : bid.Remaining), $"offer {offer.Id} left live bid {bid.Id} unfilled");
                        }
                    }
                }
            });
        }, iter: 300);
        // The streams are not vacuous: they trade, kill and fill in part.
        Assert.True(tradesSeen > 200 && killsSeen > 100 && partialsSeen > 10, $"trades {tradesSeen}, kills {killsSeen}, partial fills {partialsSeen}");
    }

    /// <summary>market-rules §5 compatibility, written from the rules (not the engine), capacity aside.</summary>
    private static bool CompatibleByTheRules(BidSpec bid, string bidCity, OfferListed offer)
    {
        var catalogue = TestCatalogue.Default;
        var latency = catalogue.LatencyMs(catalogue.City(bidCity)!, catalogue.Cluster(offer.Cluster)!);
        var tierMax = bid.Tier switch { "city" => 1.0m, "regional" => 5.0m, _ => 20.0m };
        return bid.Family == offer.Family
            && offer.ScuPerDevice >= bid.MinScuPerDevice
            && offer.MemoryGb >= bid.MinMemoryGb
            && latency <= tierMax
            && offer.GreenShare >= bid.MinGreen
            && offer.From <= bid.Window.From && bid.Window.To <= offer.To
            && offer.Price <= bid.Price;
    }
}
