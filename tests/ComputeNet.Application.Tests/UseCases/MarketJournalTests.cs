using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Application.Market.CancelOrder;
using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Metering;
using ComputeNet.Domain.Market;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>The market journal's storage: one block per group commit, older single-event journals, lease documents.</summary>
public sealed class MarketJournalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Orders_decided_together_are_one_journal_block_and_the_blocks_rebuild_the_same_book()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        var orders = Enumerable.Range(0, 60).Select(i => i % 2 == 0
            ? p.Sender.Send(Offer($"of{i}", devices: 4, price: 57 + i % 3), Ct).AsTask()
            : p.Sender.Send(Bid($"b{i}", devices: 3, price: 58), Ct).AsTask()).ToList();
        await Task.WhenAll(orders);

        IReadOnlyList<JasperFx.Events.IEvent> stored;
        await using (var session = p.Store.QuerySession())
        {
            stored = await session.Events.FetchStreamAsync(MartenSetup.Streams.Market, token: Ct);
        }
        Assert.All(stored, e => Assert.IsType<MarketEventsJournaled>(e.Data));
        var events = stored.SelectMany(MarketJournal.EventsOf).ToList();
        Assert.Equal(30, events.OfType<OfferListed>().Count());
        Assert.Equal(30, events.OfType<BidPlaced>().Count());
        Assert.True(stored.Count < 60, $"60 concurrent orders took {stored.Count} journal entries: no group commit");
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), stored.Select(e => e.Version));

        // Every trade in the blocks has its lease document, and the trade list is read from those documents.
        var trades = events.OfType<TradeExecuted>().ToList();
        Assert.NotEmpty(trades);
        var listed = await p.Sender.Send(new ListTradesRequest(), Ct);
        Assert.Equal(trades.Select(t => (t.Terms.LeaseId, t.Terms.TradeSeq, t.Terms.Devices, t.At)),
            listed.Select(t => (t.LeaseId, t.TradeSeq, t.Devices, t.At)));
        var mine = await p.Sender.Send(new ListTradesRequest("sme-sh-1"), Ct);
        Assert.Equal(listed, mine);
        Assert.Empty(await p.Sender.Send(new ListTradesRequest("nobody"), Ct));

        var rebuilt = new OrderBook { Archive = new OrderArchive() };
        foreach (var e in events)
        {
            rebuilt.Evolve(e);
        }
        var now = p.Clock.GetCurrentInstant();
        Assert.Equal(
            rebuilt.Statuses(now).Select(s => (s.Id, s.Devices, s.DevicesFilled)),
            (await p.Sender.Send(new ListOrdersRequest(), Ct)).Select(o => (o.Id, o.Devices, o.DevicesFilled)));
    }

    [Fact]
    public async Task A_journal_of_single_events_as_written_before_blocks_still_rebuilds_the_book()
    {
        await using var original = await TestPlatform.StartAsync(Nov30Morning);
        await original.Sender.Send(Buyer(), Ct);
        await original.Sender.Send(Provider(), Ct);
        await original.Sender.Send(Offer(), Ct);
        await original.Sender.Send(Bid(), Ct);
        List<IMarketEvent> events;
        await using (var session = original.Store.QuerySession())
        {
            events = (await session.Events.FetchStreamAsync(MartenSetup.Streams.Market, token: Ct)).SelectMany(MarketJournal.EventsOf).ToList();
        }
        var expected = await original.Sender.Send(new ListOrdersRequest(), Ct);

        await using var old = await TestPlatform.StartAsync(Nov30Morning);
        await old.Sender.Send(Buyer(), Ct);
        await old.Sender.Send(Provider(), Ct);
        await using (var session = old.Store.LightweightSession())
        {
            session.Events.StartStream(MartenSetup.Streams.Market, events.Cast<object>().ToArray());
            foreach (var t in events.OfType<TradeExecuted>())
            {
                session.Insert(LeaseDocument.Of(t));
            }
            await session.SaveChangesAsync(Ct);
        }

        Assert.Equal(expected, await old.Sender.Send(new ListOrdersRequest(), Ct));
        // The next order appends a block after the single events.
        var cancelled = await old.Sender.Send(new CancelOrderRequest("prov-nx", "of1"), Ct);
        Assert.Equal("cancelled", cancelled.State);
    }

    [Fact]
    public async Task A_command_that_would_be_refused_on_a_stale_book_is_decided_again_after_another_process_wrote()
    {
        await using var a = await TestPlatform.StartAsync(Nov30Morning);
        await using var b = await a.SecondProcessAsync();
        await a.Sender.Send(Provider(), Ct);
        await b.Sender.Send(Offer("of0"), Ct);  // b's writer has read the journal
        await a.Sender.Send(Offer("of1"), Ct);  // ... and a appends after it

        // b's book does not know of1 yet; refusing "unknown order" without checking the journal would be wrong.
        var cancelled = await b.Sender.Send(new CancelOrderRequest("prov-nx", "of1"), Ct);
        Assert.Equal("cancelled", cancelled.State);
    }
}
