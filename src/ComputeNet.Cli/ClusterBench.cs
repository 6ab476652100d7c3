using System.CommandLine;
using ComputeNet.Application.Benchmarks;
using ComputeNet.Application.Database;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// <c>bench cluster</c>: order intake and read throughput of a local cluster (<see cref="LocalCluster"/>) with 1, 2 and 3 hosts, the
/// load sent round-robin to every host over HTTP (<see cref="ClusterOrderLoad"/>). Each host count gets a fresh cluster (primary,
/// standby, hosts), so the runs do not inherit each other's books.
/// </summary>
internal static class ClusterBench
{
    public static Command Create()
    {
        var hosts = new Option<int[]>("--hosts") { Description = "host counts to measure, one fresh cluster each", DefaultValueFactory = _ => [1, 2, 3], AllowMultipleArgumentsPerToken = true };
        var seconds = new Option<int>("--seconds") { Description = "seconds of order load, then as many of reads, per host count", DefaultValueFactory = _ => 15 };
        var concurrency = new Option<int>("--concurrency") { Description = "requests in flight", DefaultValueFactory = _ => 32 };
        var sync = new Option<bool>("--sync") { Description = "synchronous replication (each commit waits for the standby's flush)" };
        var syncMoney = new Option<bool>("--sync-money") { Description = "synchronous replication for the money paths only (orders commit locally)" };
        var standby = new Option<bool>("--standby") { Description = "a streaming standby beside the primary (--standby false: none)", DefaultValueFactory = _ => true };
        var command = new Command("cluster", "a local cluster with 1, 2 and 3 hosts under an order load and a read load sent round-robin to all hosts: orders/s, reads/s, p50/p99")
        {
            hosts, seconds, concurrency, sync, syncMoney, standby,
        };
        command.SetAction(async (parse, ct) =>
        {
            var counts = parse.GetValue(hosts)!;
            if (counts.Length == 0 || counts.Any(c => c is < 1 or > 9))
            {
                return Exit.UsageError("--hosts takes counts from 1 to 9");
            }
            if ((parse.GetValue(sync) || parse.GetValue(syncMoney)) && !parse.GetValue(standby))
            {
                return Exit.UsageError("--sync needs a standby: drop --standby false");
            }
            await RunAsync(counts, TimeSpan.FromSeconds(Math.Max(3, parse.GetValue(seconds))), Math.Max(1, parse.GetValue(concurrency)),
                parse.GetValue(standby), parse.GetValue(sync) || parse.GetValue(syncMoney), parse.GetValue(syncMoney) && !parse.GetValue(sync), ct);
            return Exit.Ok;
        });
        return command;
    }

    private static async Task RunAsync(int[] counts, TimeSpan duration, int concurrency, bool standby, bool synchronous, bool moneyOnly, CancellationToken ct)
    {
        var table = new Table().AddColumns("hosts", "orders", "orders/s", "order p50 ms", "order p99 ms", "answers", "reads/s", "read p50 ms", "read p99 ms");
        foreach (var count in counts)
        {
            var directory = $"{LocalCluster.DefaultDirectory()}-bench-{Guid.NewGuid().ToString("N")[..8]}";
            AnsiConsole.MarkupLineInterpolated($"[grey]{count} host(s): starting a cluster in {directory} …[/]");
            var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
            {
                Directory = directory,
                Hosts = count,
                Standby = standby,
                Synchronous = synchronous,
                MoneyOnly = moneyOnly,
                Launcher = HostLauncher.CurrentProcess(typeof(ClusterBench).Assembly.Location),
                // Warnings only: a host logging every request at Information spends a core on its console.
                HostEnvironment = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" },
            }, log: null, ct);
            try
            {
                await using var load = new ClusterOrderLoad(cluster.State.Hosts.Select(h => h.Url).ToList(), cluster.State.OperatorKey);
                await load.RegisterAsync(buyers: 20, providers: 20, ct);
                // Warm-up (not counted): connections, JIT, the writers' first catch-up.
                load.Start(concurrency);
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                var warmAcknowledged = load.Acknowledged.Count;
                var warmLatencies = load.LatenciesMs.Count;
                var started = load.Clock.Elapsed;
                await Task.Delay(duration, ct);
                var measured = load.Clock.Elapsed - started;
                var acknowledged = load.Acknowledged.Count - warmAcknowledged;
                var latencies = load.LatenciesMs.Skip(warmLatencies).ToArray();
                await load.StopAsync();
                var (reads, _, readLatencies) = await load.ReadAsync(duration, concurrency, ct);
                table.AddRow($"{count}", $"{acknowledged:N0}", $"{acknowledged / measured.TotalSeconds:N0}", $"{Percentile(latencies, 0.50):F1}",
                    $"{Percentile(latencies, 0.99):F1}", Markup.Escape(load.Describe()), $"{reads / duration.TotalSeconds:N0}",
                    $"{Percentile(readLatencies, 0.50):F1}", $"{Percentile(readLatencies, 0.99):F1}");
            }
            finally
            {
                await cluster.StopAsync(clean: true, CancellationToken.None);
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(
            $"replication: {(!standby ? "no standby" : synchronous ? moneyOnly ? "synchronous for the money paths" : "synchronous" : "asynchronous")}; {concurrency} requests in flight; {duration.TotalSeconds:0} s of orders after 5 s of warm-up, then {duration.TotalSeconds:0} s of reads "
            + $"(GET /v1/orders/{{id}} and GET /v1/trades alternately); every process (PostgreSQL, hosts, this client) shares {Environment.ProcessorCount} cores");
    }

    private static double Percentile(double[] values, double q)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)(q * values.Length))];
    }
}
