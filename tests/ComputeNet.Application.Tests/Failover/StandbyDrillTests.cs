using ComputeNet.Application.Benchmarks;
using ComputeNet.Application.Database;
using Npgsql;

namespace ComputeNet.Application.Tests.Failover;

/// <summary>
/// The standby drill with real processes and real PostgreSQL (docs/runbook.md, "The standby drill"): a primary, a streaming standby and
/// two <c>serve</c> hosts under a steady order load sent to both; the primary is stopped as a crash would (<c>pg_ctl stop -m immediate</c>),
/// the standby promoted; the hosts reconnect by themselves (nothing restarts them) and accept orders again; then the new primary's
/// journal is compared with what the clients were told.
/// </summary>
public sealed class StandbyDrillTests(ITestOutputHelper output)
{
    /// <summary>From the promotion to the first order acknowledged through the new primary. Measured 0.3–1.5 s on 2 shared cores;
    /// the bound leaves room for a loaded machine, not for a host that needs a restart.</summary>
    private static readonly TimeSpan ReconnectBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Under_synchronous_replication_the_promoted_standby_holds_every_acknowledged_order_and_the_hosts_reconnect_by_themselves()
    {
        var (load, placements, _) = await DrillAsync(synchronous: true);

        var lost = load.Acknowledged.Keys.Where(k => !placements.ContainsKey(k)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged orders are not on the promoted standby: {string.Join(", ", lost.Take(10))}");
    }

    [Fact]
    public async Task Under_asynchronous_replication_only_the_orders_acknowledged_in_the_last_moment_before_the_crash_can_be_lost()
    {
        var (load, placements, killedAt) = await DrillAsync(synchronous: false);

        // What async replication can lose: commits the primary acknowledged whose WAL the standby had not received when the primary
        // died — the last replication lag's worth (milliseconds on loopback). Everything acknowledged well before the crash is there.
        var lost = load.Acknowledged.Where(a => !placements.ContainsKey(a.Key)).ToList();
        output.WriteLine($"acknowledged but not on the promoted standby: {lost.Count} of {load.Acknowledged.Count}"
            + (lost.Count > 0 ? $", acknowledged {string.Join(", ", lost.Select(l => $"{(killedAt - l.Value.At).TotalMilliseconds:F0}"))} ms before the crash" : ""));
        Assert.DoesNotContain(lost, l => l.Value.At < killedAt - TimeSpan.FromSeconds(2));
    }

    private async Task<(ClusterOrderLoad Load, Dictionary<(string Party, string Id), int> Placements, TimeSpan KilledAt)> DrillAsync(bool synchronous)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(hosts: 2, synchronous, ct);
        var load = new ClusterOrderLoad(cluster.State.Hosts.Select(h => h.Url).ToList(), cluster.State.OperatorKey);
        await using var _ = load;
        await load.RegisterAsync(buyers: 2, providers: 2, ct);
        load.Start(workers: 8);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        Assert.True(load.Acknowledged.Count > 0, $"no order acknowledged before the crash: {load.Describe()}");
        var lag = await ReplicationAsync(cluster.State.Primary!, ct);
        await AssertReportReadOnStandbyAsync(cluster.State, ct);

        var killedAt = load.Clock.Elapsed;
        var acknowledgedBefore = load.Acknowledged.Count;
        await cluster.Cluster.StopPostgresAsync("primary", immediate: true, ct);
        await cluster.Cluster.PromoteStandbyAsync(ct);
        var promotedAt = load.Clock.Elapsed;
        var firstAfter = await load.FirstAcknowledgedAfterAsync(promotedAt, TimeSpan.FromSeconds(30), ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await load.StopAsync();

        // The async daemon's projections after the promotion: printed, not asserted. They stalled in three of six full-suite
        // runs on 2026-12-08, with either replication mode, the watchdog notwithstanding — an open bug (docs/architecture.md,
        // known gaps; ADR 0031), kept out of this drill's verdict on the orders, the journal and the reconnection.
        output.WriteLine(await MarketJournal.ProjectionsProgressAsync(cluster.State, TimeSpan.FromSeconds(60), ct));
        var placements = await MarketJournal.PlacementsAsync(cluster.State.ConnectionString, cluster.State.Schema, ct);
        var trades = await MarketJournal.TradeSequencesAsync(cluster.State.ConnectionString, cluster.State.Schema, ct);
        output.WriteLine($"{(synchronous ? "synchronous" : "asynchronous")} replication ({lag}); {acknowledgedBefore} orders acknowledged before the crash, "
            + $"{load.Acknowledged.Count} in all; crash → promoted {(promotedAt - killedAt).TotalSeconds:F2} s; promoted → first order acknowledged "
            + $"{(firstAfter - promotedAt).TotalSeconds:F2} s (crash → first order {(firstAfter - killedAt).TotalSeconds:F2} s); answers: {load.Describe()}; "
            + $"journal: {placements.Count} orders, {trades.Count} trades");

        // During the switch a write is answered 503 with Retry-After (the database is unavailable), never 500; its repeat is safe.
        Assert.Empty(load.UnexpectedAnswers);
        Assert.DoesNotContain(500, load.Statuses.Keys);
        Assert.Equal(0, load.ServiceUnavailableWithoutRetryAfter);
        Assert.True(firstAfter - promotedAt <= ReconnectBound, $"the hosts took {(firstAfter - promotedAt).TotalSeconds:F2} s to accept orders on the new primary");
        Assert.True(load.Acknowledged.Values.Count(a => a.At > promotedAt) > 10, "the hosts accepted only a few orders after the promotion");
        Assert.All(placements, p => Assert.True(p.Value == 1, $"{p.Key} is in the journal {p.Value} times"));
        Assert.Equal(Enumerable.Range(1, trades.Count).Select(i => (long)i), trades);
        return (load, placements, killedAt);
    }

    /// <summary>The regulator's metering report reads leases and usage on the standby (ConnectionStrings:ComputeNetReads): after one
    /// report through each host, the standby holds a session named after that host's reads.</summary>
    private static async Task AssertReportReadOnStandbyAsync(LocalClusterState state, CancellationToken ct)
    {
        var period = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", state.OperatorKey);
        foreach (var host in state.Hosts)
        {
            using var report = await http.GetAsync($"{host.Url}/v1/reports/metering?period={period}", ct);
            Assert.True(report.IsSuccessStatusCode, $"metering report on {host.Name}: {(int)report.StatusCode} {await report.Content.ReadAsStringAsync(ct)}");
        }
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={state.Standby!.Port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync(ct);
        await using var query = new NpgsqlCommand("select array_agg(distinct application_name) from pg_stat_activity where application_name like 'host%-reads'", connection);
        var names = await query.ExecuteScalarAsync(ct) as string[] ?? [];
        Assert.Equal(state.Hosts.Select(h => $"{h.Name}-reads").Order(), names.Order());
    }

    /// <summary>The standby as the primary saw it just before the crash.</summary>
    private static async Task<string> ReplicationAsync(PostgresNode primary, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={primary.Port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync(ct);
        await using var query = new NpgsqlCommand(
            "select sync_state, coalesce(extract(epoch from replay_lag) * 1000, 0)::float8 from pg_stat_replication", connection);
        await using var reader = await query.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? $"standby {reader.GetString(0)}, replay lag {reader.GetDouble(1):F1} ms" : "no standby streaming";
    }
}
