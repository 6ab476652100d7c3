using ComputeNet.Application.Market;
using ComputeNet.Application.Market.CancelOrder;
using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Domain;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The book holds only what is alive (issue 12): with a live bound of 3 orders, finished orders leave memory and the
/// market keeps accepting, while their repeats, <c>id-reused</c>, cancels and reads still answer from the order
/// documents; a restart restores the latest snapshot and replays only the journal after it.
/// </summary>
public sealed class MarketMemoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Small(IServiceCollection s) => s.AddSingleton(new MarketOptions { MaxLiveOrders = 3, SnapshotEveryBlocks = 4 });

    /// <summary>
    /// Many commands in flight at once, so that the writer looks up each next batch while the previous one commits: an
    /// order that finished in one batch is still known to the next (a repeat of it is a repeat with its first answer, other
    /// content under its id is <c>id-reused</c>), whatever order the three commands per id arrive in.
    /// </summary>
    [Fact]
    public async Task Orders_finishing_while_the_next_batch_is_looked_up_keep_their_repeats_and_id_reuse()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning, configure: Small);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(devices: 1_000), Ct);
        async Task<(string Id, int Devices, OrderResult? Result, string? Code)> Send(string id, int devices)
        {
            try
            {
                return (id, devices, await p.Sender.Send(Bid(id, devices: devices), Ct), null);
            }
            catch (RejectedException e)
            {
                return (id, devices, null, e.Rejection.Code);
            }
        }
        var sent = new List<Task<(string Id, int Devices, OrderResult? Result, string? Code)>>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 60; i++)
            {
                // Each bid fills at once and leaves memory; its repeat and a reuse of its id follow, in flight together.
                sent.Add(Send($"p{i}", round == 2 ? 2 : 1));
            }
        }
        var outcomes = await Task.WhenAll(sent);
        foreach (var group in outcomes.GroupBy(o => o.Id))
        {
            var accepted = group.Where(o => o.Result is not null).ToList();
            var first = Assert.Single(accepted, o => !o.Result!.Repeat);
            Assert.Equal("filled", first.Result!.State);
            // Same content as the first: a repeat with its answer; other content: id-reused.
            Assert.All(group.Where(o => o.Devices == first.Devices && o != first), o =>
            {
                Assert.Equal((true, "filled"), (o.Result!.Repeat, o.Result.State));
                Assert.Equal(first.Result.Leases, o.Result.Leases);
            });
            Assert.All(group.Where(o => o.Devices != first.Devices), o => Assert.Equal(Codes.IdReused, o.Code));
        }
    }

    [Fact]
    public async Task Finished_orders_leave_memory_while_repeats_and_id_reuse_still_hold()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning, configure: Small);
        var market = p.Services.GetRequiredService<MarketService>();
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(), Ct);
        // Twelve bids, each filled whole at once: twelve orders through a book bounded to three live ones.
        var first = await p.Sender.Send(Bid("b1", devices: 4), Ct);
        for (var i = 2; i <= 12; i++)
        {
            Assert.Equal("filled", (await p.Sender.Send(Bid($"b{i}", devices: 4), Ct)).State);
        }
        Assert.Equal(1, await market.ReadAsync(book => book.OrdersInMemory, Ct));

        // Two resting bids fill the bound; a third is refused as the book's limit, a finished order never is.
        await p.Sender.Send(Bid("rest1", price: 50m), Ct);
        await p.Sender.Send(Bid("rest2", price: 50m), Ct);
        var full = await Assert.ThrowsAsync<RejectedException>(async () => await p.Sender.Send(Bid("rest3", price: 50m), Ct));
        Assert.Equal((Codes.Invalid, "book"), (full.Rejection.Code, full.Rejection.Field));
        Assert.Equal(3, await market.ReadAsync(book => book.OrdersInMemory, Ct));

        // b1 left memory long ago: its repeat is still a repeat with the first answer, other content still id-reused.
        var repeat = await p.Sender.Send(Bid("b1", devices: 4), Ct);
        Assert.Equal((true, "filled", 4), (repeat.Repeat, repeat.State, repeat.DevicesFilled));
        Assert.Equal(first.Leases, repeat.Leases);
        var reused = await Assert.ThrowsAsync<RejectedException>(async () => await p.Sender.Send(Bid("b1", devices: 5), Ct));
        Assert.Equal((Codes.IdReused, "id"), (reused.Rejection.Code, reused.Rejection.Field));
        // Cancelling it changes nothing; an id never used is still unknown.
        Assert.Equal("filled", (await p.Sender.Send(new CancelOrderRequest("sme-sh-1", "b1"), Ct)).State);
        var unknown = await Assert.ThrowsAsync<RejectedException>(async () => await p.Sender.Send(new CancelOrderRequest("sme-sh-1", "b99"), Ct));
        Assert.Equal(Codes.Invalid, unknown.Rejection.Code);
        Assert.Equal(3, await market.ReadAsync(book => book.OrdersInMemory, Ct));

        // Reads come from the order documents: every order, in arrival order, paged in the database.
        var all = await p.Sender.Send(new ListOrdersRequest(), Ct);
        Assert.Equal(["of1", .. Enumerable.Range(1, 12).Select(i => $"b{i}"), "rest1", "rest2"], all.Select(o => o.Id));
        Assert.Equal(("filled", 4), (all[1].State, all[1].DevicesFilled));
        Assert.Equal(("partially-filled", 48), (all[0].State, all[0].DevicesFilled));
        var page = await p.Sender.Send(new ListOrdersPageRequest("sme-sh-1", 10, 5), Ct);
        Assert.Equal(["b11", "b12", "rest1", "rest2"], page.Items.Select(o => o.Id));
        Assert.False(page.More);
        Assert.True((await p.Sender.Send(new ListOrdersPageRequest(null, 0, 14), Ct)).More);
        Assert.Equal("filled", (await p.Sender.Send(new GetOrderRequest("sme-sh-1", "b3"), Ct))!.State);
        Assert.Equal("b3", (await p.Sender.Send(new GetOrderRequest(null, "b3"), Ct))!.Id);
        Assert.Null(await p.Sender.Send(new GetOrderRequest("prov-nx", "b3"), Ct));

        // A restart restores the latest snapshot (taken every 4 blocks) and replays only the blocks after it.
        await using var restarted = await p.SecondProcessAsync(Small);
        var again = restarted.Services.GetRequiredService<MarketService>();
        Assert.Equal(all, await restarted.Sender.Send(new ListOrdersRequest(), Ct));
        Assert.Equal(3, await again.ReadAsync(book => book.OrdersInMemory, Ct));
        var rebuild = again.LastRebuild;
        Assert.True(rebuild.FromSnapshot, "restored from a snapshot");
        Assert.True(rebuild.SnapshotVersion >= 12 && rebuild.BlocksReplayed < 4, $"snapshot at {rebuild.SnapshotVersion}, {rebuild.BlocksReplayed} blocks replayed");
        Assert.True((await restarted.Sender.Send(Bid("b2", devices: 4), Ct)).Repeat);
        Assert.Equal("cancelled", (await restarted.Sender.Send(new CancelOrderRequest("sme-sh-1", "rest2"), Ct)).State);
        var more = await restarted.Sender.Send(Bid("b13", devices: 4), Ct);
        Assert.Equal(("filled", "lease-000013"), (more.State, Assert.Single(more.Leases)));
    }

    [Fact]
    public async Task A_journal_without_snapshot_is_replayed_once_and_then_snapshotted()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning, configure: s => s.AddSingleton(new MarketOptions { SnapshotEveryBlocks = 0 }));
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(), Ct);
        await p.Sender.Send(Bid(), Ct);
        // As a schema written before snapshots: no snapshot and no order documents.
        await using (var session = p.Store.LightweightSession())
        {
            session.DeleteWhere<MarketSnapshot>(_ => true);
            session.DeleteWhere<MarketSnapshotChunk>(_ => true);
            session.DeleteWhere<OrderDocument>(_ => true);
            await session.SaveChangesAsync(Ct);
        }

        await using var upgraded = await p.SecondProcessAsync();
        var orders = await upgraded.Sender.Send(new ListOrdersRequest(), Ct);
        Assert.Equal([("of1", "partially-filled"), ("b1", "filled")], orders.Select(o => (o.Id, o.State)));
        var market = upgraded.Services.GetRequiredService<MarketService>();
        Assert.False(market.LastRebuild.FromSnapshot);
        await using var session2 = p.Store.QuerySession();
        var snapshot = await session2.LoadAsync<MarketSnapshot>(MarketSnapshot.TheId, Ct);
        Assert.Equal((2L, 1), (snapshot!.Version, snapshot.Orders));

        await using var third = await p.SecondProcessAsync();
        Assert.Equal(orders, await third.Sender.Send(new ListOrdersRequest(), Ct));
        Assert.True(third.Services.GetRequiredService<MarketService>().LastRebuild.FromSnapshot);
    }
}
