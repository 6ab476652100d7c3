using ComputeNet.Domain.Market;
using CsCheck;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// A book restored from a snapshot and the journal after it is the book replayed from the whole journal: the same
/// live orders, fills, calendars and statuses, and the same decisions — trades, kills, repeats, <c>id-reused</c> — for
/// every command that follows (random streams with time moving on, so orders expire, fill, lease out and leave memory).
/// </summary>
public class BookSnapshotTests
{
    private static readonly string[] Providers = [ProvA, ProvB, Both];
    private static readonly string[] Buyers = [BuyerSh, BuyerBj, Both];
    private static readonly string[] ClusterIds = ["zhongwei", "yangtze-demo", "zhangjiakou"];
    private static readonly string[] ClassIds = ["ai-fp16-80g", "ai-fp16-80g-hi", "ai-int8-24g", "cpu-fp32-vcpu"];
    private static readonly string[] Tifs = ["GTC", "GTC", "GTC", "IOC", "FOK"];

    /// <summary>A stream of 10–80 commands, each from 12 random numbers, and where to cut it (a per-mille of its length).</summary>
    private static readonly Gen<(int[][] Stream, int Cut)> Streams = Gen.Select(Gen.Int[0, 999].Array[12].Array[10, 80], Gen.Int[0, 1000]);

    private abstract record Cmd;
    private sealed record Offer(PlaceOffer Command) : Cmd;
    private sealed record Bid(PlaceBid Command) : Cmd;
    private sealed record Cancel(CancelOrder Command) : Cmd;
    private sealed record Reduce(ReduceOrder Command) : Cmd;

    /// <summary>
    /// Commands with time moving on by seconds to hours; ids drawn from a small pool per side so some commands repeat an
    /// earlier order (same content) or reuse its id (other content), also after it has left memory.
    /// </summary>
    private static List<Cmd> Decode(int[][] stream)
    {
        var commands = new List<Cmd>();
        var at = M.Now;
        var sent = new Dictionary<string, Cmd>();
        foreach (var r in stream)
        {
            at = at.Plus(r[11] % 3 == 0 ? Duration.FromMinutes(30 + r[10] % 150) : Duration.FromSeconds(1 + r[10] % 50));
            var nextHour = Instant.FromUnixTimeSeconds((at.ToUnixTimeSeconds() / 3600 + 1) * 3600);
            var offerPrice = 55m + (r[7] % 12) * 0.5m;
            var devices = 1 + r[4] % 6;
            var id = $"x{r[9] % 40}";
            switch (r[0] % 10)
            {
                case <= 3:
                {
                    var from = nextHour.Plus(Duration.FromHours(r[5] % 6));
                    var spec = new OfferSpec(ClusterIds[r[2] % 3], ClassIds[r[3] % 4], devices, new HourWindow(from, from.Plus(Duration.FromHours(4 + r[6] % 20))),
                        offerPrice);
                    commands.Add(new Offer(new PlaceOffer(Providers[r[1] % 3], "o" + id, spec, at)));
                    break;
                }
                case <= 7:
                {
                    var from = nextHour.Plus(Duration.FromHours(r[5] % 8));
                    var spec = new BidSpec(r[2] % 5 == 0 ? "general" : "intelligent", devices, 0m, 0, new HourWindow(from, from.Plus(Duration.FromHours(1 + r[6] % 5))),
                        "cross-hub", 0m, offerPrice + 2m, "on-demand", r[8] % 2 == 0, Tifs[r[3] % 5], null);
                    commands.Add(new Bid(new PlaceBid(Buyers[r[1] % 3], "b" + id, spec, at)));
                    break;
                }
                case 8:
                    // An exact repeat of an earlier command (its content, a later time), when there is one.
                    if (commands.Count > 0)
                    {
                        commands.Add(commands[r[3] % commands.Count] switch
                        {
                            Offer o => new Offer(o.Command with { At = at }),
                            Bid b => new Bid(b.Command with { At = at }),
                            Cancel c => new Cancel(c.Command with { At = at }),
                            Reduce d => new Reduce(d.Command with { At = at }),
                            _ => throw new InvalidOperationException(),
                        });
                    }
                    break;
                default:
                {
                    var party = r[1] % 2 == 0 ? Providers[r[2] % 3] : Buyers[r[2] % 3];
                    var orderId = (r[1] % 2 == 0 ? "o" : "b") + id;
                    commands.Add(r[3] % 2 == 0 ? new Cancel(new CancelOrder(party, orderId, at)) : new Reduce(new ReduceOrder(party, orderId, r[4] % 7, at)));
                    break;
                }
            }
        }
        return commands;
    }

    private static MarketDecision Decide(Cmd cmd, OrderBook book, IOrderLookup finished) => cmd switch
    {
        Offer o => MatchingEngine.Decide(o.Command, book, finished, TestParties.Find, TestCatalogue.Default),
        Bid b => MatchingEngine.Decide(b.Command, book, finished, TestParties.Find, TestCatalogue.Default),
        Cancel c => MatchingEngine.Decide(c.Command, book, finished, TestParties.Find),
        Reduce r => MatchingEngine.Decide(r.Command, book, finished, TestParties.Find),
        _ => throw new ArgumentOutOfRangeException(nameof(cmd)),
    };

    /// <summary>
    /// Decides and applies each command, finished orders answered from <paramref name="store"/> (as the application's
    /// order documents answer them); returns one line per command (its events, repeat flag or rejection).
    /// </summary>
    private static List<string> Run(OrderBook book, OrderArchive store, IEnumerable<Cmd> commands, List<IMarketEvent>? journal = null)
    {
        book.Departed = store.Add;
        var trace = new List<string>();
        foreach (var cmd in commands)
        {
            try
            {
                var decision = Decide(cmd, book, store);
                foreach (var e in decision.Events)
                {
                    book.Evolve(e);
                    journal?.Add(e);
                }
                trace.Add($"{decision.IsRepeat}|{string.Join("|", decision.Events)}");
            }
            catch (RejectedException ex)
            {
                trace.Add($"rejected {ex.Rejection.Code} {ex.Rejection.Field}");
            }
        }
        book.Departed = null;
        return trace;
    }

    /// <summary>A snapshot as comparable lines (its lists compared by content).</summary>
    private static List<string> Lines(BookSnapshot s) =>
    [
        $"{s.LastSeq} {s.LastTradeSeq} {s.Clock} {string.Join(",", s.Parties)} {string.Join(",", s.Cities)} {string.Join(",", s.Clusters)}",
        .. s.Orders.Select(o =>
            $"{o.Seq} {o.Devices} {o.Filled} [{string.Join(",", o.Leased ?? [])}] [{string.Join(",", o.LeasesAtPlacement)}] {o.Bid} {o.Offer}"),
    ];

    private static List<string> Lines(IEnumerable<OrderRecord> records) =>
        records.OrderBy(r => r.Seq).Select(r => $"{r with { LeasesAtPlacement = [] }} [{string.Join(",", r.LeasesAtPlacement)}]").ToList();

    [Fact]
    public void A_book_restored_from_a_snapshot_and_the_tail_is_the_book_replayed_from_the_whole_journal()
    {
        long trades = 0, repeats = 0, reused = 0, left = 0;
        Streams.Sample(sample =>
        {
            var commands = Decode(sample.Stream);
            var cut = commands.Count * sample.Cut / 1000;

            // The original: the first commands, a snapshot, then the rest.
            var original = new OrderBook();
            var store = new OrderArchive();
            var journal = new List<IMarketEvent>();
            var head = Run(original, store, commands.Take(cut), journal);
            var snapshot = original.Snapshot();
            var storedAtCut = Copy(store);

            // Restored from the snapshot: the same book as the journal replayed whole, and the same snapshot again.
            // Through the stored form: the compact chunk encoding gives back the same orders.
            var restored = OrderBook.Restore(snapshot with { Orders = SnapshotCodec.Decode(SnapshotCodec.Encode(snapshot.Orders)) });
            var replayed = new OrderBook();
            foreach (var e in journal)
            {
                replayed.Evolve(e);
            }
            Assert.Equal(Lines(snapshot), Lines(restored.Snapshot()));
            Assert.Equal(Lines(snapshot), Lines(replayed.Snapshot()));
            restored.Core.Validate();

            // The same commands after the cut decide the same on each.
            var tail = commands.Skip(cut).ToList();
            var storedForReplay = Copy(storedAtCut);
            var expected = Run(original, store, tail, journal);
            Assert.Equal(expected, Run(restored, storedAtCut, tail));
            Assert.Equal(expected, Run(replayed, storedForReplay, tail));
            Assert.Equal(Lines(original.Snapshot()), Lines(restored.Snapshot()));
            Assert.Equal(Lines(original.Snapshot()), Lines(replayed.Snapshot()));
            // What left memory after the cut is remembered alike.
            Assert.Equal(Lines(store.Records), Lines(storedAtCut.Records));
            foreach (var offer in original.Offers)
            {
                Assert.Equal(offer.Leased, restored.Offer(offer.Party, offer.Id)!.Leased);
            }

            Interlocked.Add(ref trades, journal.OfType<TradeExecuted>().Count());
            Interlocked.Add(ref repeats, head.Concat(expected).Count(t => t.StartsWith("True|", StringComparison.Ordinal)));
            Interlocked.Add(ref reused, head.Concat(expected).Count(t => t.StartsWith("rejected id-reused", StringComparison.Ordinal)));
            Interlocked.Add(ref left, store.Count);
            Assert.True(original.OrdersInMemory == original.Core.LiveOrders, "the book holds exactly the engine's live orders");
        }, iter: 400);
        // Not vacuous: the streams trade, repeat, reuse ids and let orders go.
        Assert.True(trades > 500 && repeats > 100 && reused > 100 && left > 1000, $"trades {trades}, repeats {repeats}, id-reused {reused}, left memory {left}");
    }

    [Fact]
    public void A_finished_order_leaves_memory_and_its_repeat_and_id_reuse_still_hold()
    {
        var store = new OrderArchive();
        var book = new OrderBook();
        var offer = M.Offer(devices: 8);
        var bid = M.Bid(devices: 8);
        var commands = new List<Cmd>
        {
            new Offer(new PlaceOffer(ProvA, "o1", offer, M.Now)),
            new Bid(new PlaceBid(Both, "b1", bid, M.Now)),
        };
        Assert.Equal(2, Run(book, store, commands).Count(t => t.StartsWith("False|", StringComparison.Ordinal)));
        // The bid filled whole and the offer leased out in every hour of the bid's window only: the bid left memory.
        Assert.Null(book.Bid(Both, "b1"));
        Assert.Equal(OrderState.Filled, store.Find(Both, "b1")!.StateAt(M.Now));
        Assert.Equal(1, book.OrdersInMemory);

        var later = M.Now.Plus(Duration.FromMinutes(5));
        Assert.True(MatchingEngine.Decide(new PlaceBid(Both, "b1", bid, later), book, store, TestParties.Find, TestCatalogue.Default).IsRepeat);
        var reuse = Assert.Throws<RejectedException>(() =>
            MatchingEngine.Decide(new PlaceBid(Both, "b1", bid with { Devices = 7 }, later), book, store, TestParties.Find, TestCatalogue.Default));
        Assert.Equal((Codes.IdReused, "id"), (reuse.Rejection.Code, reuse.Rejection.Field));
        // Its id is taken across both sides, also once the bid that used it left memory.
        Assert.Equal(Codes.IdReused, Assert.Throws<RejectedException>(() =>
            MatchingEngine.Decide(new PlaceOffer(Both, "b1", offer, later), book, store, TestParties.Find, TestCatalogue.Default)).Rejection.Code);
        // Cancelling or reducing it changes nothing, as for a finished order in memory.
        Assert.Empty(MatchingEngine.Decide(new CancelOrder(Both, "b1", later), book, store, TestParties.Find).Events);
        Assert.Empty(MatchingEngine.Decide(new ReduceOrder(Both, "b1", 1, later), book, store, TestParties.Find).Events);
        // Unknown to both the book and the store: invalid, as before.
        var unknown = Assert.Throws<RejectedException>(() => MatchingEngine.Decide(new CancelOrder(Both, "nope", later), book, store, TestParties.Find));
        Assert.Equal(Codes.Invalid, unknown.Rejection.Code);
    }

    private static OrderArchive Copy(OrderArchive archive)
    {
        var copy = new OrderArchive();
        foreach (var r in archive.Records)
        {
            copy.Add(r);
        }
        return copy;
    }
}
