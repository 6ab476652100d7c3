using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ComputeNet.Application.Benchmarks;
using ComputeNet.Application.Database;
using Npgsql;

namespace ComputeNet.Application.Tests.Failover;

/// <summary>
/// Failover of the market's owner with real processes (ADR 0030, ADR 0031): three <c>serve</c> hosts on loopback on one
/// PostgreSQL, a steady order load from 24 clients sent round-robin to all of them (client order ids; a 503 repeated after its Retry-After,
/// a host that does not answer within 2 s left for the next). The owner is found through <c>GET /v1/cluster</c>, then killed
/// (SIGKILL) or frozen (SIGSTOP for 10 s). Afterwards the journal is read block by block: every acknowledged order placed
/// exactly once, trade sequences 1..n.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    /// <summary>Issue 16: another host owns the market, and orders are acknowledged again, within 5 s of the owner's death or freeze.</summary>
    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The hosts' lease: 2 s, renewed every 500 ms, a lapsed lease polled every 250 ms (ComputeNet:Cluster:*). With the
    /// default 3 s lease the first order after a freeze came 4.5–4.8 s later on two loaded cores (one run 5.03 s, ADR 0031):
    /// inside the bound with no margin. A deployment that needs the 5 s bound sets the lease this way (README, "Running
    /// several hosts").
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> Lease = new Dictionary<string, string>
    {
        ["ComputeNet__Cluster__LeaseMs"] = "2000", ["ComputeNet__Cluster__HeartbeatMs"] = "500", ["ComputeNet__Cluster__TakeoverPollMs"] = "250",
    };

    [Fact]
    public async Task Killing_the_owner_under_load_moves_the_market_within_5_s_and_loses_or_doubles_no_acknowledged_order()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(hosts: 3, synchronous: false, ct, standby: false, Lease);
        await using var load = await StartLoadAsync(cluster, ct);
        var owner = await OwnerAsync(cluster.State, except: null, ct);
        var daemon = await cluster.Cluster.DaemonHostsAsync(ct);

        var killedAt = load.Clock.Elapsed;
        var killedAtUtc = DateTimeOffset.UtcNow;
        cluster.Cluster.SignalHost(owner.Host, LocalCluster.Signal.Kill);
        var firstAfter = await load.FirstAcknowledgedAfterAsync(killedAt, TimeSpan.FromSeconds(30), ct);
        var successor = await OwnerAsync(cluster.State, except: owner.Host, ct);
        output.WriteLine($"killed the owner {owner.Host} (epoch {owner.Epoch}); {successor.Host} owns the market (epoch {successor.Epoch}); "
            + $"kill → takeover recorded {(await TakeoverAtAsync(cluster.State, successor, ct) - killedAtUtc).TotalSeconds:F2} s, "
            + $"→ first order acknowledged {(firstAfter - killedAt).TotalSeconds:F2} s");
        Assert.True(successor.Epoch > owner.Epoch);
        Assert.True(firstAfter - killedAt <= TakeoverBound, $"the first order after the kill was acknowledged {(firstAfter - killedAt).TotalSeconds:F2} s later");

        // The async daemon moves too: if it ran on the killed owner it is elsewhere now; otherwise its host is killed as well.
        var daemonHost = daemon.FirstOrDefault();
        if (daemonHost is not null && daemonHost != owner.Host)
        {
            output.WriteLine($"the async daemon ran on {daemonHost}: killed it too");
            cluster.Cluster.SignalHost(daemonHost, LocalCluster.Signal.Kill);
            var secondKill = load.Clock.Elapsed;
            await load.FirstAcknowledgedAfterAsync(secondKill + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await load.StopAsync();
        output.WriteLine(await MarketJournal.ProjectionsCatchUpAsync(cluster.State, TimeSpan.FromSeconds(30), ct));

        await AssertJournalAsync(cluster.State, load, ct);
    }

    [Fact]
    public async Task A_frozen_owner_is_replaced_and_after_it_thaws_writes_nothing_and_steps_down()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(hosts: 3, synchronous: false, ct, standby: false, Lease);
        await using var load = await StartLoadAsync(cluster, ct);
        var owner = await OwnerAsync(cluster.State, except: null, ct);
        var frozen = cluster.Cluster.FindHost(owner.Host);

        var stoppedAt = load.Clock.Elapsed;
        var stoppedAtUtc = DateTimeOffset.UtcNow;
        cluster.Cluster.SignalHost(frozen.Name, LocalCluster.Signal.Stop);
        var firstAfter = await load.FirstAcknowledgedAfterAsync(stoppedAt, TimeSpan.FromSeconds(30), ct);
        var successor = await OwnerAsync(cluster.State, except: frozen.Name, ct);
        Assert.True(firstAfter - stoppedAt <= TakeoverBound, $"the first order after the freeze was acknowledged {(firstAfter - stoppedAt).TotalSeconds:F2} s later");
        await Task.Delay(TimeSpan.FromSeconds(10) - (load.Clock.Elapsed - stoppedAt), ct);
        cluster.Cluster.SignalHost(frozen.Name, LocalCluster.Signal.Cont);

        // Thawed, it finds its lease deadline passed: it appends nothing (its commit count stands still while the load goes on,
        // a third of it sent to it and forwarded), and it says it is not the owner.
        var commitsAtThaw = await CommitsAsync(frozen.Url, cluster.State.OperatorKey, ct);
        var acknowledgedAtThaw = load.Acknowledged.Count;
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var commitsLater = await CommitsAsync(frozen.Url, cluster.State.OperatorKey, ct);
        var view = await ClusterViewAsync(frozen.Url, cluster.State.OperatorKey, ct);
        output.WriteLine($"froze the owner {frozen.Name} (epoch {owner.Epoch}) for 10 s; {successor.Host} took over (epoch {successor.Epoch}); "
            + $"freeze → takeover recorded {(await TakeoverAtAsync(cluster.State, successor, ct) - stoppedAtUtc).TotalSeconds:F2} s, "
            + $"→ first order acknowledged {(firstAfter - stoppedAt).TotalSeconds:F2} s; after the thaw {frozen.Name} committed "
            + $"{commitsLater - commitsAtThaw} blocks in 5 s while {load.Acknowledged.Count - acknowledgedAtThaw} orders were acknowledged");
        Assert.Equal(commitsAtThaw, commitsLater);
        Assert.True(load.Acknowledged.Count - acknowledgedAtThaw > 10, "the cluster took only a few orders after the thaw");
        var market = view["markets"]!.AsArray().Single()!;
        Assert.NotEqual(view["answeredBy"]!.GetValue<string>(), market["owner"]!.GetValue<string>());
        Assert.Equal(successor.Epoch, market["epoch"]!.GetValue<long>());

        await load.StopAsync();
        await AssertJournalAsync(cluster.State, load, ct);
    }

    private async Task<ClusterOrderLoad> StartLoadAsync(TestCluster cluster, CancellationToken ct)
    {
        var load = new ClusterOrderLoad(cluster.State.Hosts.Select(h => h.Url).ToList(), cluster.State.OperatorKey, requestTimeout: TimeSpan.FromSeconds(2));
        await load.RegisterAsync(buyers: 3, providers: 3, ct);
        load.Start(workers: 24);
        var waited = Stopwatch.StartNew();
        while (load.Acknowledged.Count < 50)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the load did not start: {load.Describe()}");
            await Task.Delay(100, ct);
        }
        return load;
    }

    /// <summary>Every acknowledged order in the journal once, no order placed twice, trade sequences 1..n, and clients saw only
    /// 2xx, 503 with Retry-After, or no answer from a dead or frozen host — never a wrong answer.</summary>
    private async Task AssertJournalAsync(LocalClusterState state, ClusterOrderLoad load, CancellationToken ct)
    {
        var placements = await MarketJournal.PlacementsAsync(state.ConnectionString, state.Schema, ct);
        var trades = await MarketJournal.TradeSequencesAsync(state.ConnectionString, state.Schema, ct);
        output.WriteLine($"{load.Acknowledged.Count} orders acknowledged; answers: {load.Describe()}; journal: {placements.Count} orders, {trades.Count} trades");
        Assert.Empty(load.UnexpectedAnswers);
        Assert.DoesNotContain(500, load.Statuses.Keys);
        Assert.Equal(0, load.ServiceUnavailableWithoutRetryAfter);
        var lost = load.Acknowledged.Keys.Where(k => !placements.ContainsKey(k)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged orders are not in the journal: {string.Join(", ", lost.Take(10))}");
        Assert.All(placements, p => Assert.True(p.Value == 1, $"{p.Key} is in the journal {p.Value} times"));
        Assert.Equal(Enumerable.Range(1, trades.Count).Select(i => (long)i), trades);
    }

    private sealed record Owner(string Host, long Epoch);

    /// <summary>The market's live owner as <c>GET /v1/cluster</c> reports it (asked of a host other than <paramref name="except"/>),
    /// mapped to a host of the cluster by its advertised address; waits for a live lease held by a host other than <paramref name="except"/>.</summary>
    private static async Task<Owner> OwnerAsync(LocalClusterState state, string? except, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        string last = "no answer";
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var host in state.Hosts.Where(h => h.Name != except))
            {
                try
                {
                    var view = await ClusterViewAsync(host.Url, state.OperatorKey, ct);
                    last = view.ToJsonString();
                    if (view["markets"]!.AsArray().SingleOrDefault(m => m!["live"]!.GetValue<bool>()) is { } market
                        && state.Hosts.FirstOrDefault(h => h.Url == market["address"]!.GetValue<string>()) is { } owner && owner.Name != except)
                    {
                        return new Owner(owner.Name, market["epoch"]!.GetValue<long>());
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                }
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"no live owner other than {except ?? "none"} within 30 s; last /v1/cluster: {last}");
    }

    /// <summary>When the successor recorded its takeover (PostgreSQL's clock, on this machine the same as the test's).</summary>
    private static async Task<DateTimeOffset> TakeoverAtAsync(LocalClusterState state, Owner successor, CancellationToken ct)
    {
        var view = await ClusterViewAsync(state.Hosts.Single(h => h.Name == successor.Host).Url, state.OperatorKey, ct);
        var takeover = view["takeovers"]!.AsArray().First(t => t!["epoch"]!.GetValue<long>() == successor.Epoch)!;
        return DateTimeOffset.Parse(takeover["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<JsonNode> ClusterViewAsync(string url, string operatorKey, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        return JsonNode.Parse(await http.GetStringAsync($"{url}/v1/cluster", ct))!;
    }

    /// <summary>The market writer's committed blocks in this host process (<c>computenet.market.commit.commands</c>, a histogram's count).</summary>
    private static async Task<long> CommitsAsync(string url, string operatorKey, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        var metrics = await http.GetStringAsync($"{url}/metrics", ct);
        return metrics.Split('\n')
            .Where(line => line.StartsWith("computenet_market_commit_commands", StringComparison.Ordinal) && line.Contains("_count", StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
