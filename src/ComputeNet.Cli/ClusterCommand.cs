using System.CommandLine;
using System.Text.Json;
using ComputeNet.Application.Database;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// <c>computenet cluster start|status|stop|promote|kill|restart</c>: a local cluster on loopback (a PostgreSQL primary, a streaming
/// standby, N <c>serve</c> hosts) for development, the standby drill and the failover tests (<see cref="LocalCluster"/>).
/// </summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var dir = new Option<string?>("--dir") { Description = $"the cluster's folder (state file, logs, PostgreSQL data); default {LocalCluster.DefaultDirectory()}" };
        var json = new Option<bool>("--json") { Description = "print the cluster as JSON (addresses, ports, pids, folders, operator key, connection strings)" };

        var hosts = new Option<int>("--hosts") { Description = "serve hosts to start (1–9)", DefaultValueFactory = _ => 3 };
        var standby = new Option<bool>("--standby") { Description = "a streaming-replication standby beside the primary (--standby false: none)", DefaultValueFactory = _ => true };
        var sync = new Option<bool>("--sync") { Description = "synchronous replication: every commit waits until the standby has flushed it (nothing acknowledged is lost on failover; slower intake)" };
        var syncMoney = new Option<bool>("--sync-money") { Description = "synchronous replication for the money paths only (closes, usage, cash, payouts, refunds, disputes wait for the standby; orders commit locally)" };
        var basePort = new Option<int?>("--base-port") { Description = "ports from here on: primary, standby, then the hosts (default: free ports)" };
        var schema = new Option<string>("--schema") { Description = "event-store schema the hosts serve", DefaultValueFactory = _ => Application.ComputeNetSettings.DefaultSchema };
        var start = new Command("start", "start a local cluster (or start again the stopped one in --dir): PostgreSQL primary, standby, N hosts; prints their addresses")
        {
            dir, hosts, standby, sync, syncMoney, basePort, schema, json,
        };
        start.SetAction(async (parse, ct) =>
        {
            var hostCount = parse.GetValue(hosts);
            if (hostCount is < 1 or > 9)
            {
                return Exit.UsageError($"--hosts {hostCount}: a local cluster has 1 to 9 hosts");
            }
            if ((parse.GetValue(sync) || parse.GetValue(syncMoney)) && !parse.GetValue(standby))
            {
                return Exit.UsageError("--sync needs a standby: drop --standby false");
            }
            var quiet = parse.GetValue(json);
            try
            {
                var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
                {
                    Directory = parse.GetValue(dir),
                    Hosts = hostCount,
                    Standby = parse.GetValue(standby),
                    Synchronous = parse.GetValue(sync) || parse.GetValue(syncMoney),
                    MoneyOnly = parse.GetValue(syncMoney) && !parse.GetValue(sync),
                    BasePort = parse.GetValue(basePort),
                    Schema = parse.GetValue(schema)!,
                    Launcher = HostLauncher.CurrentProcess(typeof(ClusterCommand).Assembly.Location),
                }, quiet ? null : line => Exit.Error.MarkupLineInterpolated($"[grey]{line}[/]"), ct);
                await PrintAsync(cluster, quiet, ct);
                return Exit.Ok;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or PlatformNotSupportedException)
            {
                Exit.Error.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return Exit.Failed;
            }
        });

        var status = new Command("status", "the cluster's nodes: running or not, roles as PostgreSQL reports them, the standby's lag, the hosts' readiness") { dir, json };
        status.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(dir)) is not { } cluster)
            {
                return NoCluster(parse.GetValue(dir));
            }
            await PrintAsync(cluster, parse.GetValue(json), ct);
            return Exit.Ok;
        });

        var clean = new Option<bool>("--clean") { Description = "remove the cluster's folder (data, logs, state) after stopping it" };
        var stop = new Command("stop", "stop the hosts (gracefully: they hand their markets over), then PostgreSQL; removes nothing unless --clean") { dir, clean };
        stop.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(dir)) is not { } cluster)
            {
                return NoCluster(parse.GetValue(dir));
            }
            await cluster.StopAsync(parse.GetValue(clean), ct);
            AnsiConsole.MarkupLineInterpolated($"stopped the cluster in {cluster.State.Directory}{(parse.GetValue(clean) ? " and removed it" : "")}");
            return Exit.Ok;
        });

        var promote = new Command("promote", "the drill's second step: promote the standby to primary (refused while the primary still answers); the hosts reconnect by themselves") { dir };
        promote.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(dir)) is not { } cluster)
            {
                return NoCluster(parse.GetValue(dir));
            }
            try
            {
                await cluster.PromoteStandbyAsync(ct);
            }
            catch (InvalidOperationException e)
            {
                return Exit.UsageError(e.Message);
            }
            AnsiConsole.MarkupLineInterpolated($"promoted {cluster.State.Primary!.Name} (127.0.0.1:{cluster.State.Primary.Port}); it now takes the writes");
            return Exit.Ok;
        });

        var node = new Argument<string>("node") { Description = "a host (host1, host2, …), or a PostgreSQL node (primary, standby, pg1, pg2)" };
        var signal = new Option<string>("--signal") { Description = "hosts: KILL (a crash), STOP (a freeze), CONT (a thaw), TERM (a graceful stop); PostgreSQL: KILL = pg_ctl stop -m immediate, TERM = -m fast", DefaultValueFactory = _ => "KILL" };
        var kill = new Command("kill", "the drill's first step and the failover tests' faults: signal a host, or stop a PostgreSQL node as a crash would") { node, signal, dir };
        kill.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(dir)) is not { } cluster)
            {
                return NoCluster(parse.GetValue(dir));
            }
            var target = parse.GetValue(node)!;
            var name = parse.GetValue(signal)!.ToUpperInvariant();
            if (!Enum.TryParse<LocalCluster.Signal>(name, ignoreCase: true, out var chosen) || !Enum.IsDefined(chosen) || int.TryParse(name, out _))
            {
                return Exit.UsageError($"--signal {name}: give KILL, STOP, CONT or TERM");
            }
            try
            {
                if (cluster.State.Hosts.Any(h => h.Name == target.ToLowerInvariant()))
                {
                    cluster.SignalHost(target, chosen);
                }
                else if (chosen is LocalCluster.Signal.Kill or LocalCluster.Signal.Term)
                {
                    await cluster.StopPostgresAsync(target, immediate: chosen == LocalCluster.Signal.Kill, ct);
                }
                else
                {
                    return Exit.UsageError($"--signal {name} applies to hosts only; a PostgreSQL node takes KILL or TERM");
                }
            }
            catch (InvalidOperationException e)
            {
                return Exit.UsageError(e.Message);
            }
            AnsiConsole.MarkupLineInterpolated($"{name} {target}");
            return Exit.Ok;
        });

        var hostName = new Argument<string>("host") { Description = "the host to start again (host1, host2, …)" };
        var restart = new Command("restart", "start a host again after a kill (same port, same settings)") { hostName, dir };
        restart.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(dir)) is not { } cluster)
            {
                return NoCluster(parse.GetValue(dir));
            }
            try
            {
                var host = cluster.FindHost(parse.GetValue(hostName)!);
                await cluster.StopHostAsync(host.Name, ct);
                await cluster.StartHostAsync(host.Name, HostLauncher.CurrentProcess(typeof(ClusterCommand).Assembly.Location), ct: ct);
            }
            catch (InvalidOperationException e)
            {
                Exit.Error.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return Exit.Failed;
            }
            AnsiConsole.MarkupLineInterpolated($"started {parse.GetValue(hostName)} again");
            return Exit.Ok;
        });

        var cluster = new Command("cluster", "a local cluster on loopback: PostgreSQL primary + streaming standby + N serve hosts (docs/runbook.md, \"Running a local cluster\")");
        cluster.Subcommands.Add(start);
        cluster.Subcommands.Add(status);
        cluster.Subcommands.Add(stop);
        cluster.Subcommands.Add(promote);
        cluster.Subcommands.Add(kill);
        cluster.Subcommands.Add(restart);
        return cluster;
    }

    private static LocalCluster? Open(string? directory) => LocalCluster.Open(directory ?? LocalCluster.DefaultDirectory());

    private static int NoCluster(string? directory) =>
        Exit.UsageError($"no cluster in {directory ?? LocalCluster.DefaultDirectory()} (no {LocalClusterState.FileName}): `computenet cluster start` first, or give its --dir");

    private static async Task PrintAsync(LocalCluster cluster, bool json, CancellationToken ct)
    {
        var nodes = await cluster.StatusAsync(ct);
        var state = cluster.State;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                directory = state.Directory,
                schema = state.Schema,
                synchronous = state.Synchronous,
                moneyOnly = state.MoneyOnly,
                operatorKey = state.OperatorKey,
                connectionString = state.ConnectionString,
                readConnectionString = state.ReadConnectionString,
                nodes,
                state.Hosts,
                state.Postgres,
            }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            return;
        }
        var table = new Table().AddColumns("node", "kind", "address", "role", "pid", "state", "detail");
        foreach (var node in nodes)
        {
            table.AddRow(Markup.Escape(node.Name), node.Kind, Markup.Escape(node.Address), Markup.Escape(node.Role), node.Pid?.ToString() ?? "",
                Markup.Escape(node.State), Markup.Escape(node.Detail ?? ""));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"replication: {(state.Standby is null ? "no standby" : state.Synchronous ? state.MoneyOnly ? "synchronous for the money paths (their commits wait for the standby; orders do not)" : "synchronous (commits wait for the standby)" : "asynchronous")}; schema {state.Schema}; folder {state.Directory}");
        AnsiConsole.MarkupLineInterpolated($"hosts' connection string: {state.ConnectionString}");
        AnsiConsole.MarkupLineInterpolated($"operator key: {state.OperatorKey}");
        AnsiConsole.MarkupLineInterpolated($"try: curl -H 'Authorization: Bearer {state.OperatorKey}' {state.Hosts[0].Url}/v1/parties");
    }
}
