using System.Collections.Concurrent;
using ComputeNet.Application.Cluster;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Domain;
using ComputeNet.Domain.Market;
using Microsoft.Extensions.DependencyInjection;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// One owner per market (ADR 0030), with two platform instances on one schema as two hosts would be: the lease in
/// PostgreSQL decides who may write, and the empty journal block a new owner appends fences the former one — whose
/// pending append then fails on the journal's expected version, so it appends nothing and its callers are told
/// <c>market-owner-unavailable</c>. The ownership service's loop is driven by hand here, step by step.
/// </summary>
public sealed class MarketOwnershipTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void WithLease(IServiceCollection s, ClusterSettings settings)
    {
        s.AddSingleton(sp => new MarketLease(sp.GetRequiredService<Marten.IDocumentStore>(), settings));
        s.AddSingleton<IMarketOwnership>(sp => sp.GetRequiredService<MarketLease>());
    }

    /// <summary>What the ownership service does when it takes the market: take the lease, fence the journal, own.</summary>
    private static async Task<long> TakeAsync(TestPlatform host)
    {
        var lease = host.Services.GetRequiredService<MarketLease>();
        var epoch = await lease.TryTakeAsync(Ct) ?? throw new InvalidOperationException("the lease was not free");
        await host.Services.GetRequiredService<MarketService>().FenceAsync(lease.HostId, epoch, Ct);
        Assert.True(lease.BecomeOwner(epoch));
        return epoch;
    }

    /// <summary>The lease ends as if its owner had been frozen past it (PostgreSQL's clock moved on; the owner's own clock did not).</summary>
    private static Task LapseAsync(TestPlatform p) => p.TamperAsync("update {schema}.cn_market_owners set expires_at = now() - interval '1 second'");

    private static async Task<List<(long Version, List<IMarketEvent> Events)>> JournalAsync(TestPlatform p)
    {
        await using var session = p.Store.QuerySession();
        var stored = await session.Events.FetchStreamAsync(MartenSetup.Streams.Market, token: Ct);
        return stored.Select(e => (e.Version, MarketJournal.EventsOf(e).ToList())).ToList();
    }

    private static async Task<(TestPlatform A, TestPlatform B)> TwoHostsAsync(ClusterSettings? settings = null)
    {
        settings ??= new ClusterSettings();
        var a = await TestPlatform.StartAsync(Nov30Morning, configure: s => WithLease(s, settings));
        var b = await a.SecondProcessAsync(s => WithLease(s, settings));
        a.Services.GetRequiredService<MarketLease>().SetAddress("http://host-a.invalid");
        b.Services.GetRequiredService<MarketLease>().SetAddress("http://host-b.invalid");
        await a.Sender.Send(Buyer(), Ct);
        await a.Sender.Send(Provider(), Ct);
        return (a, b);
    }

    /// <summary>Three hosts started together made the secret at once; those whose statement's snapshot missed the winner's row got
    /// null and answered their first forwards 500 (found by the failover tests).</summary>
    [Fact]
    public async Task The_cluster_secret_made_by_several_hosts_at_once_is_one_secret_and_never_missing()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        var secrets = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => MarketLease.SecretAsync(p.Store, Ct), Ct)));
        Assert.All(secrets, s => Assert.False(string.IsNullOrEmpty(s)));
        Assert.Single(secrets.Distinct());
    }

    [Fact]
    public async Task A_stale_owner_appends_nothing_and_its_callers_are_told_the_owner_is_unavailable()
    {
        var (a, b) = await TwoHostsAsync();
        await using var _ = a;
        await using var __ = b;
        Assert.Equal(1, await TakeAsync(a));
        await a.Sender.Send(Offer("of1", devices: 4), Ct);

        // A is frozen past its lease; B takes the market over and fences the journal. A, resumed, still believes its lease
        // holds (its local deadline has not passed: it was not frozen in this test), decides a bid on its stale book, and
        // its append fails on the expected version: it re-reads the lease, finds B there, fails the batch and steps down.
        await LapseAsync(a);
        Assert.Equal(2, await TakeAsync(b));
        var leaseA = a.Services.GetRequiredService<MarketLease>();
        Assert.True(leaseA.MayWrite);
        var stale = await Assert.ThrowsAsync<RejectedException>(() => a.Sender.Send(Bid("b-stale", devices: 2), Ct).AsTask());
        Assert.Equal(Codes.MarketOwnerUnavailable, stale.Rejection.Code);
        Assert.Equal(OwnershipState.Following, leaseA.State);
        Assert.False(leaseA.MayWrite);
        // Stepped down: no new command is decided at all.
        Assert.Equal(Codes.MarketOwnerUnavailable,
            (await Assert.ThrowsAsync<RejectedException>(() => a.Sender.Send(Bid("b-later"), Ct).AsTask())).Rejection.Code);

        // The new owner accepts the client's retry (same id): a new order, decided on the book the journal holds.
        var retried = await b.Sender.Send(Bid("b-stale", devices: 2), Ct);
        Assert.False(retried.Repeat);
        Assert.Equal(2, retried.DevicesFilled);

        var journal = await JournalAsync(a);
        // Fencing blocks: A's at version 1, B's at 3; the stale decision is nowhere.
        Assert.Equal([1L, 3L], journal.Where(j => j.Events.Count == 0).Select(j => j.Version));
        var placed = journal.SelectMany(j => j.Events).OfType<BidPlaced>().Select(e => e.BidId).ToList();
        Assert.Equal(["b-stale"], placed);
        Assert.Equal(["of1"], journal.SelectMany(j => j.Events).OfType<OfferListed>().Select(e => e.OfferId));
        // The takeover's history names B, its epoch and its fencing block's version.
        await b.Services.GetRequiredService<MarketLease>().RecordTakeoverAsync(2, 3, Ct);
        var view = await b.Sender.Send(new Cluster.GetCluster.GetClusterRequest(), Ct);
        var owner = Assert.Single(view.Markets);
        Assert.Equal((b.Services.GetRequiredService<MarketLease>().HostId, 2L, true), (owner.Owner, owner.Epoch, owner.Live));
        Assert.Equal(3, Assert.Single(view.Takeovers).JournalVersion);
    }

    [Fact]
    public async Task Every_acknowledged_order_is_in_the_journal_once_across_a_takeover()
    {
        var (a, b) = await TwoHostsAsync();
        await using var _ = a;
        await using var __ = b;
        await TakeAsync(a);
        TestPlatform owner = a;
        var acked = new ConcurrentDictionary<string, OrderResult>();
        var refused = 0;
        var next = -1;
        var senders = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= 400)
                {
                    return;
                }
                var id = n % 2 == 0 ? $"of{n}" : $"b{n}";
                // A client retries a refused command with the same id, on whichever host owns the market then.
                for (var attempt = 0; ; attempt++)
                {
                    var host = Volatile.Read(ref owner);
                    try
                    {
                        acked[id] = n % 2 == 0
                            ? await host.Sender.Send(Offer(id, devices: 2, price: 57 + n % 3), Ct)
                            : await host.Sender.Send(Bid(id, devices: 1, price: 58), Ct);
                        break;
                    }
                    catch (RejectedException e) when (e.Rejection.Code == Codes.MarketOwnerUnavailable && attempt < 200)
                    {
                        Interlocked.Increment(ref refused);
                        await Task.Delay(5, Ct);
                    }
                }
            }
        }, Ct)).ToList();
        while (Volatile.Read(ref next) < 150)
        {
            await Task.Delay(5, Ct);
        }
        await LapseAsync(a);
        await TakeAsync(b);
        Volatile.Write(ref owner, b);
        await Task.WhenAll(senders);

        Assert.Equal(400, acked.Count);
        var journal = await JournalAsync(a);
        var placed = journal.SelectMany(j => j.Events).Select(e => e switch
        {
            BidPlaced bid => bid.BidId,
            OfferListed offer => offer.OfferId,
            _ => null,
        }).OfType<string>().ToList();
        Assert.Equal(placed.Count, placed.Distinct().Count());
        Assert.Equal(acked.Keys.Order(), placed.Order());
        var repeats = acked.Values.Count(r => r.Repeat);
        TestContext.Current.SendDiagnosticMessage($"takeover under load: {refused} refusals retried, {repeats} answered as repeats");
        // Trade sequence numbers run on across the takeover with no gap and no duplicate.
        var seqs = journal.SelectMany(j => j.Events).OfType<TradeExecuted>().Select(t => t.Terms.TradeSeq).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
    }

    [Fact]
    public async Task A_late_heartbeat_renews_before_writing_and_a_released_lease_is_taken_at_once()
    {
        var settings = new ClusterSettings { HeartbeatMs = 100, LeaseMs = 400, TakeoverPollMs = 100 };
        var (a, b) = await TwoHostsAsync(settings);
        await using var _ = a;
        await using var __ = b;
        var leaseA = a.Services.GetRequiredService<MarketLease>();
        var leaseB = b.Services.GetRequiredService<MarketLease>();
        await TakeAsync(a);
        Assert.Null(await leaseB.TryTakeAsync(Ct));
        Assert.Equal(leaseA.HostId, leaseB.KnownOwner?.Host);

        // Not renewed in time (a heartbeat come late on a loaded machine): its own deadline has passed, so it may not write
        // as it stands; but nobody took the lease, so the writer renews at once (same owner and epoch) and writes on.
        await Task.Delay(settings.LeaseMs, Ct);
        Assert.False(leaseA.MayWrite);
        Assert.Equal("of-late", (await a.Sender.Send(Offer("of-late"), Ct)).OrderId);
        Assert.True(leaseA.MayWrite);
        Assert.Equal(1, leaseA.Epoch);

        // A graceful stop releases the lease: the next host takes it at its first try, not after the lease's length.
        await a.Services.GetRequiredService<MarketService>().StepDownAsync(Ct);
        await leaseA.ReleaseAsync(leaseA.Epoch, Ct);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(2, await TakeAsync(b));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(settings.LeaseMs));
        Assert.True(leaseB.MayWrite);
        Assert.False(await leaseA.RenewAsync(Ct));
        Assert.True((await b.Sender.Send(Offer("of-late"), Ct)).Repeat);
    }

    [Fact]
    public async Task A_former_owner_whose_lease_another_host_took_writes_nothing_even_after_a_late_renewal_attempt()
    {
        var settings = new ClusterSettings { HeartbeatMs = 100, LeaseMs = 400, TakeoverPollMs = 100 };
        var (a, b) = await TwoHostsAsync(settings);
        await using var _ = a;
        await using var __ = b;
        var leaseA = a.Services.GetRequiredService<MarketLease>();
        await TakeAsync(a);

        // Frozen past its lease (no heartbeat): PostgreSQL's clock lets the other host take the market and fence it.
        await Task.Delay(settings.LeaseMs + 100, Ct);
        Assert.Equal(2, await TakeAsync(b));

        // Resumed: its deadline has passed and its renewal finds another owner, so it steps down and writes nothing.
        Assert.False(leaseA.MayWrite);
        Assert.Equal(Codes.MarketOwnerUnavailable,
            (await Assert.ThrowsAsync<RejectedException>(() => a.Sender.Send(Offer("of-frozen"), Ct).AsTask())).Rejection.Code);
        Assert.False(await leaseA.EnsureMayWriteAsync(Ct));
        Assert.Equal(OwnershipState.Following, leaseA.State);
        Assert.DoesNotContain(await JournalAsync(a), j => j.Events.OfType<OfferListed>().Any(o => o.OfferId == "of-frozen"));
        Assert.False((await b.Sender.Send(Offer("of-frozen"), Ct)).Repeat);
    }
}
