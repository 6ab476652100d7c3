using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ComputeNet.Application.Database;

/// <summary>How to run <c>computenet</c> for a host: the executable and the arguments before <c>serve</c>
/// (<c>dotnet computenet.dll</c> from a build, or the installed <c>computenet</c> alone).</summary>
public sealed record HostLauncher(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The <c>computenet</c> this process runs as (the CLI starting its own hosts).</summary>
    public static HostLauncher CurrentProcess(string entryAssemblyPath)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable this process runs");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? new HostLauncher(processPath, [entryAssemblyPath])
            : new HostLauncher(processPath, []);
    }
}

/// <summary>What to start. Every property but <see cref="Launcher"/> is optional.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>The cluster's folder; default <see cref="LocalCluster.DefaultDirectory"/>.</summary>
    public string? Directory { get; init; }

    /// <summary>How many <c>serve</c> hosts (1–9).</summary>
    public int Hosts { get; init; } = 3;

    /// <summary>A streaming-replication standby beside the primary.</summary>
    public bool Standby { get; init; } = true;

    /// <summary>Synchronous replication: a commit is answered once the standby has flushed its WAL (needs <see cref="Standby"/>).</summary>
    public bool Synchronous { get; init; }

    /// <summary>
    /// With <see cref="Synchronous"/>: only the money paths wait for the standby (the server's default
    /// <c>synchronous_commit</c> is <c>local</c>; transactions under the settlement lock set it <c>on</c>), so order intake
    /// commits locally.
    /// </summary>
    public bool MoneyOnly { get; init; }

    /// <summary>Ports from here on: the primary, the standby, then the hosts; default: free ports chosen by the system.</summary>
    public int? BasePort { get; init; }

    public string Schema { get; init; } = ComputeNetSettings.DefaultSchema;

    public required HostLauncher Launcher { get; init; }

    /// <summary>Extra environment for every host (e.g. <c>ComputeNet__Cluster__LeaseMs</c>).</summary>
    public IReadOnlyDictionary<string, string> HostEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Folder of initdb, pg_ctl and pg_basebackup; default as <see cref="EmbeddedPostgres"/> finds them.</summary>
    public string? BinDirectory { get; init; }
}

/// <summary>Where a node stands when asked: running or not, its role as the server reports it, and for the primary how far its
/// standby is behind.</summary>
public sealed record NodeStatus(string Name, string Kind, string Address, string Role, int? Pid, string State, string? Detail);

/// <summary>
/// A cluster on loopback for development, drills and the failover tests: a PostgreSQL 15 primary, optionally a
/// streaming-replication standby (<c>pg_basebackup -R</c> with a replication slot), and N <c>computenet serve</c> hosts
/// that all take the multi-host connection string (<see cref="LocalClusterState.ConnectionString"/>).
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>Everything listens on 127.0.0.1 only; PostgreSQL trusts the <c>postgres</c> user (a development cluster).</item>
/// <item>As root, PostgreSQL's tools run as the <c>postgres</c> OS user (they refuse root), under a folder it can enter.</item>
/// <item>The state file is written after every change, so a later process (status, stop, promote, kill) finds every pid, port and
/// folder; nothing is removed unless asked (<see cref="StopAsync"/> with clean).</item>
/// <item>A promoted standby makes the old primary <see cref="PostgresRole.Lost"/>: it is never started again.</item>
/// </list>
/// </remarks>
public sealed class LocalCluster
{
    public const string DatabaseName = "computenet";
    private const string OsUser = "postgres";
    private const int PgCtlTimeoutSeconds = 60;
    private static readonly TimeSpan HostReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan HostStopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StreamingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Linux signal numbers (x86-64 and arm64).</summary>
    public enum Signal
    {
        Kill = 9,
        Term = 15,
        Cont = 18,
        Stop = 19,
    }

    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private readonly Action<string> _log;

    private LocalCluster(LocalClusterState state, string? binDirectory, Action<string>? log)
    {
        State = state;
        _bin = ResolveBin(binDirectory);
        _asPostgresUser = EmbeddedPostgres.IsRunningAsRoot();
        _log = log ?? (_ => { });
    }

    public LocalClusterState State { get; private set; }

    /// <summary>As root: /var/tmp/computenet/cluster-&lt;12 hex of SHA-256(checkout path)&gt; (the postgres user must enter every parent);
    /// otherwise &lt;checkout&gt;/.computenet/cluster.</summary>
    public static string DefaultDirectory()
    {
        var checkout = EmbeddedPostgres.FindCheckoutRootOrNull(System.IO.Directory.GetCurrentDirectory()) ?? EmbeddedPostgres.UserRoot;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(EmbeddedPostgres.NormalizePath(checkout))))[..12];
        return EmbeddedPostgres.IsRunningAsRoot()
            ? Path.Combine("/var/tmp/computenet", $"cluster-{hash}")
            : Path.Combine(checkout, ".computenet", "cluster");
    }

    /// <summary>The cluster whose state file is in <paramref name="directory"/>, or null when there is none.</summary>
    public static LocalCluster? Open(string directory, string? binDirectory = null, Action<string>? log = null) =>
        LocalClusterState.Load(Path.GetFullPath(directory)) is { } state ? new LocalCluster(state, binDirectory, log) : null;

    /// <summary>
    /// Starts a new cluster in the options' folder, or starts again the stopped one whose state file is there (same ports, same data;
    /// a lost former primary stays down). Refuses a folder whose cluster is running, a port in use and missing binaries.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        if (options.Hosts is < 1 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Hosts, "a local cluster has 1 to 9 hosts");
        }
        if (options.Synchronous && !options.Standby)
        {
            throw new ArgumentException("synchronous replication needs a standby", nameof(options));
        }
        var directory = EmbeddedPostgres.NormalizePath(options.Directory ?? DefaultDirectory());
        var existing = LocalClusterState.Load(directory);
        var cluster = existing is not null
            ? new LocalCluster(existing, options.BinDirectory, log)
            : new LocalCluster(Plan(directory, options), options.BinDirectory, log);
        if (existing is not null)
        {
            var running = await cluster.RunningPartsAsync(ct);
            if (running.Count > 0)
            {
                throw new InvalidOperationException(
                    $"a cluster is already running in {directory} ({string.Join(", ", running)}): `computenet cluster status --dir {directory}`, or stop it first");
            }
            cluster.State = cluster.State with { Hosts = cluster.State.Hosts.Take(options.Hosts).ToList(), StartedAt = DateTimeOffset.UtcNow };
        }
        try
        {
            await cluster.StartPostgresAsync(fresh: existing is null, ct);
            await cluster.StartHostsAsync(options.Launcher, options.HostEnvironment, ct);
        }
        catch
        {
            cluster.State.Save();
            throw;
        }
        return cluster;
    }

    private static LocalClusterState Plan(string directory, LocalClusterOptions options)
    {
        var needed = 1 + (options.Standby ? 1 : 0) + options.Hosts;
        var ports = options.BasePort is { } basePort ? Enumerable.Range(basePort, needed).ToList() : FreePorts(needed);
        foreach (var port in ports)
        {
            if (port is < 1024 or > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(options), port, "ports must be in 1024..65535");
            }
            EnsurePortFree(port);
        }
        var pg = Path.Combine(directory, "pg");
        var postgres = new List<PostgresNode> { new("pg1", ports[0], Path.Combine(pg, "pg1"), PostgresRole.Primary) };
        if (options.Standby)
        {
            postgres.Add(new PostgresNode("pg2", ports[1], Path.Combine(pg, "pg2"), PostgresRole.Standby));
        }
        var hosts = Enumerable.Range(1, options.Hosts)
            .Select(i => ports[postgres.Count + i - 1])
            .Select((port, i) => new HostNode($"host{i + 1}", port, $"http://127.0.0.1:{port}", 0, Path.Combine(directory, "hosts", $"host{i + 1}.log")))
            .ToList();
        var operatorKey = "cnop_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        return new LocalClusterState(directory, options.Schema, operatorKey, options.Synchronous, postgres, hosts, DateTimeOffset.UtcNow)
        {
            MoneyOnly = options.Synchronous && options.MoneyOnly,
        };
    }

    // ---- PostgreSQL ---------------------------------------------------------------------------------------------------

    private async Task StartPostgresAsync(bool fresh, CancellationToken ct)
    {
        foreach (var node in State.Postgres.Where(p => p.Role != PostgresRole.Lost))
        {
            EnsurePortFree(node.Port);
        }
        await PrepareDirectoriesAsync();
        State.Save();
        var primary = State.Primary ?? throw new InvalidOperationException("the cluster has no primary left (its standby was never promoted)");
        if (fresh)
        {
            _log($"initdb {primary.DataDirectory}");
            (await RunToolAsync("initdb", ["-D", primary.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))
                .ThrowIfFailed($"initdb -D {primary.DataDirectory}");
        }
        await StartServerAsync(primary, ct);
        if (fresh)
        {
            await using var admin = await ConnectAsync(primary.Port, "postgres", ct);
            await ExecuteAsync(admin, $"create database {DatabaseName}", ct);
        }
        if (State.Standby is { } standby)
        {
            if (fresh)
            {
                await using (var admin = await ConnectAsync(primary.Port, "postgres", ct))
                {
                    // The slot keeps on the primary every WAL segment the standby has not received, so a standby that falls behind
                    // (stopped, slow) catches up instead of needing a new base backup; the cost is WAL kept on the primary's disk.
                    await ExecuteAsync(admin, $"select pg_create_physical_replication_slot('{standby.Name}')", ct);
                }
                _log($"pg_basebackup → {standby.DataDirectory}");
                (await RunToolAsync("pg_basebackup",
                    ["-D", standby.DataDirectory, "-h", "127.0.0.1", "-p", $"{primary.Port}", "-U", "postgres", "-X", "stream", "-S", standby.Name, "-R", "-c", "fast"]))
                    .ThrowIfFailed($"pg_basebackup from 127.0.0.1:{primary.Port}");
            }
            await StartServerAsync(standby, ct);
            await WaitStreamingAsync(primary, standby, ct);
        }
        State.Save();
    }

    /// <summary>
    /// Settings beyond PostgreSQL's defaults: loopback TCP only, WAL for a streaming standby (replica level is the default in 15,
    /// given anyway), <c>cluster_name</c> (a standby's application_name, which synchronous_standby_names names), and on the primary of a
    /// synchronous cluster <c>synchronous_standby_names</c> (and, money paths only, <c>synchronous_commit=local</c> as the default). A promoted standby gets no synchronous standby (none is left to wait for).
    /// </summary>
    private string ServerOptions(PostgresNode node)
    {
        var options = $"-p {node.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 "
            + "-c shared_buffers=256MB -c max_wal_size=2GB -c wal_compression=lz4 -c default_toast_compression=lz4 -c wal_level=replica -c max_wal_senders=5 -c max_replication_slots=5 "
            + $"-c hot_standby=on -c hot_standby_feedback=on -c cluster_name={node.Name}";
        if (State.Synchronous && node.Role == PostgresRole.Primary && State.Standby is { } standby)
        {
            options += $" -c synchronous_standby_names={standby.Name}";
            if (State.MoneyOnly)
            {
                options += " -c synchronous_commit=local";
            }
        }
        return options;
    }

    private async Task StartServerAsync(PostgresNode node, CancellationToken ct)
    {
        _log($"start {node.Name} ({node.Role.ToString().ToLowerInvariant()}) on 127.0.0.1:{node.Port}");
        var result = await RunToolAsync("pg_ctl",
            ["-D", node.DataDirectory, "-l", node.LogPath, "-w", "-t", $"{PgCtlTimeoutSeconds}", "-o", ServerOptions(node), "start"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{node.Name} did not start on 127.0.0.1:{node.Port}.\n{result.Describe()}\n{Tail(node.LogPath)}");
        }
        await using var _ = await ConnectAsync(node.Port, "postgres", ct);
    }

    private async Task WaitStreamingAsync(PostgresNode primary, PostgresNode standby, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        await using var admin = await ConnectAsync(primary.Port, "postgres", ct);
        while (true)
        {
            await using var query = new NpgsqlCommand("select count(*) from pg_stat_replication where application_name = $1 and state = 'streaming'", admin);
            query.Parameters.Add(new NpgsqlParameter { Value = standby.Name });
            if ((long)(await query.ExecuteScalarAsync(ct))! > 0)
            {
                return;
            }
            if (waited.Elapsed > StreamingTimeout)
            {
                throw new InvalidOperationException($"{standby.Name} is not streaming from {primary.Name} after {StreamingTimeout.TotalSeconds:0} s.\n{Tail(standby.LogPath)}");
            }
            await Task.Delay(200, ct);
        }
    }

    /// <summary>
    /// Promotes the standby to primary (the drill's second step). Refused while the primary answers: two primaries would each take
    /// writes the other never sees. The former primary becomes <see cref="PostgresRole.Lost"/>.
    /// </summary>
    public async Task PromoteStandbyAsync(CancellationToken ct = default)
    {
        var standby = State.Standby ?? throw new InvalidOperationException("the cluster has no standby to promote");
        if (State.Primary is { } primary && await AnswersAsync(primary.Port, ct))
        {
            throw new InvalidOperationException(
                $"the primary {primary.Name} (127.0.0.1:{primary.Port}) still answers: stop it first (`computenet cluster kill primary`), or both would take writes");
        }
        _log($"promote {standby.Name}");
        (await RunToolAsync("pg_ctl", ["-D", standby.DataDirectory, "-w", "-t", $"{PgCtlTimeoutSeconds}", "promote"])).ThrowIfFailed($"pg_ctl promote {standby.Name}");
        State = State with
        {
            Postgres = State.Postgres.Select(p => p.Role switch
            {
                PostgresRole.Standby => p with { Role = PostgresRole.Primary },
                PostgresRole.Primary => p with { Role = PostgresRole.Lost },
                _ => p,
            }).ToList(),
        };
        State.Save();
    }

    /// <summary>
    /// Stops a PostgreSQL node as a crash would (<c>pg_ctl stop -m immediate</c>: no checkpoint, open sessions cut; what was committed
    /// is in the WAL) or cleanly (<c>-m fast</c>).
    /// </summary>
    public async Task StopPostgresAsync(string name, bool immediate, CancellationToken ct = default)
    {
        var node = FindPostgres(name);
        _log($"stop {node.Name} ({(immediate ? "immediate" : "fast")})");
        var result = await RunToolAsync("pg_ctl", ["-D", node.DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", $"{PgCtlTimeoutSeconds}", "stop"]);
        if (result.ExitCode != 0 && await AnswersAsync(node.Port, ct))
        {
            throw new InvalidOperationException($"{node.Name} did not stop.\n{result.Describe()}");
        }
    }

    /// <summary>The node named <paramref name="name"/> (pg1, pg2), or by role (primary, standby).</summary>
    public PostgresNode FindPostgres(string name) =>
        (name.ToLowerInvariant() switch
        {
            "primary" => State.Primary,
            "standby" => State.Standby,
            var other => State.Postgres.FirstOrDefault(p => p.Name == other),
        }) ?? throw new InvalidOperationException($"no PostgreSQL node '{name}' in this cluster (nodes: {string.Join(", ", State.Postgres.Select(p => $"{p.Name} {p.Role.ToString().ToLowerInvariant()}"))})");

    // ---- Hosts --------------------------------------------------------------------------------------------------------

    private async Task StartHostsAsync(HostLauncher launcher, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(State.Directory, "hosts"));
        foreach (var host in State.Hosts)
        {
            EnsurePortFree(host.Port);
        }
        // The first host alone (it creates or migrates the schema and the signing key), then the others together.
        var first = State.Hosts[0];
        await StartHostAsync(first.Name, launcher, environment, ct);
        await Task.WhenAll(State.Hosts.Skip(1).Select(h => h.Name).ToList().Select(name => StartHostAsync(name, launcher, environment, ct)));
    }

    private readonly Lock _stateGate = new();

    /// <summary>Starts (or starts again, after a kill) one host and waits until <c>/health/live</c> answers.</summary>
    public async Task StartHostAsync(string name, HostLauncher launcher, IReadOnlyDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var host = FindHost(name);
        if (host.Pid > 0 && IsAlive(host.Pid))
        {
            throw new InvalidOperationException($"{host.Name} is running (pid {host.Pid})");
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(host.LogPath)!);
        // exec keeps the pid: sh → setsid (a session of its own, so the host outlives the terminal and the command that started it)
        // → computenet. Output appends to the host's log.
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            ArgumentList = { "-c", "exec setsid \"$0\" \"$@\" >>\"$COMPUTENET_HOST_LOG\" 2>&1 </dev/null", launcher.FileName },
            Environment =
            {
                ["COMPUTENET_HOST_LOG"] = host.LogPath,
                // Application Name: pg_stat_activity names the host behind each session (status shows which host holds the
                // async daemon's advisory locks; an operator sees who is connected).
                ["COMPUTENET_DB"] = new NpgsqlConnectionStringBuilder(State.ConnectionString) { ApplicationName = host.Name }.ConnectionString,
                ["ConnectionStrings__ComputeNetReads"] = new NpgsqlConnectionStringBuilder(State.ReadConnectionString) { ApplicationName = $"{host.Name}-reads" }.ConnectionString,
                ["ComputeNet__OperatorKey"] = State.OperatorKey,
                ["ComputeNet__Cluster__AdvertiseUrl"] = host.Url,
                ["NO_COLOR"] = "1",
            },
        };
        foreach (var argument in launcher.LeadingArguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var argument in new[] { "serve", "--urls", host.Url, "--schema", State.Schema, "--environment", "Development" })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        File.AppendAllText(host.LogPath, $"---- {DateTimeOffset.UtcNow:O} start {host.Name} on {host.Url}\n");
        _log($"start {host.Name} on {host.Url}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {launcher.FileName}");
        UpdateHost(host.Name, h => h with { Pid = process.Id });
        await WaitReadyAsync(FindHost(name), ct);
    }

    private async Task WaitReadyAsync(HostNode host, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (!IsAlive(host.Pid))
            {
                throw new InvalidOperationException($"{host.Name} exited while starting.\n{Tail(host.LogPath)}");
            }
            try
            {
                using var answer = await http.GetAsync($"{host.Url}/health/live", ct);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }
            if (waited.Elapsed > HostReadyTimeout)
            {
                throw new InvalidOperationException($"{host.Name} did not answer on {host.Url} within {HostReadyTimeout.TotalSeconds:0} s.\n{Tail(host.LogPath)}");
            }
            await Task.Delay(250, ct);
        }
    }

    /// <summary>Sends a signal to a host: KILL (a crash), STOP (a freeze), CONT (a thaw), TERM (a graceful stop).</summary>
    public void SignalHost(string name, Signal signal)
    {
        var host = FindHost(name);
        if (host.Pid <= 0 || !IsAlive(host.Pid))
        {
            throw new InvalidOperationException($"{host.Name} is not running");
        }
        _log($"{signal.ToString().ToUpperInvariant()} {host.Name} (pid {host.Pid})");
        if (NativeMethods.kill(host.Pid, (int)signal) != 0)
        {
            throw new InvalidOperationException($"kill -{(int)signal} {host.Pid} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    public HostNode FindHost(string name) =>
        State.Hosts.FirstOrDefault(h => h.Name == name.ToLowerInvariant())
        ?? throw new InvalidOperationException($"no host '{name}' in this cluster (hosts: {string.Join(", ", State.Hosts.Select(h => h.Name))})");

    private void UpdateHost(string name, Func<HostNode, HostNode> change)
    {
        lock (_stateGate)
        {
            State = State with { Hosts = State.Hosts.Select(h => h.Name == name ? change(h) : h).ToList() };
            State.Save();
        }
    }

    /// <summary>Stops a host gracefully (SIGTERM, so it hands its markets over), thawing it first if frozen; SIGKILL after 15 s.</summary>
    public async Task StopHostAsync(string name, CancellationToken ct = default)
    {
        var host = FindHost(name);
        if (host.Pid > 0 && IsAlive(host.Pid))
        {
            NativeMethods.kill(host.Pid, (int)Signal.Cont);
            NativeMethods.kill(host.Pid, (int)Signal.Term);
            var waited = Stopwatch.StartNew();
            while (IsAlive(host.Pid) && waited.Elapsed < HostStopTimeout)
            {
                await Task.Delay(100, ct);
            }
            if (IsAlive(host.Pid))
            {
                NativeMethods.kill(host.Pid, (int)Signal.Kill);
            }
        }
        UpdateHost(host.Name, h => h with { Pid = 0 });
    }

    // ---- Whole cluster ------------------------------------------------------------------------------------------------

    /// <summary>Stops the hosts (gracefully), then PostgreSQL (fast: sessions ended, a clean shutdown checkpoint); with
    /// <paramref name="clean"/> removes the cluster's folder too.</summary>
    public async Task StopAsync(bool clean = false, CancellationToken ct = default)
    {
        await Task.WhenAll(State.Hosts.Select(h => StopHostAsync(h.Name, ct)));
        foreach (var node in State.Postgres.OrderByDescending(p => p.Role == PostgresRole.Standby))
        {
            if (await AnswersAsync(node.Port, ct) || File.Exists(Path.Combine(node.DataDirectory, "postmaster.pid")))
            {
                await StopPostgresAsync(node.Name, immediate: false, ct);
            }
        }
        if (clean)
        {
            _log($"remove {State.Directory}");
            System.IO.Directory.Delete(State.Directory, recursive: true);
        }
    }

    /// <summary>Every node as it is now: processes alive or not, roles as the servers report them, the standby's lag.</summary>
    public async Task<IReadOnlyList<NodeStatus>> StatusAsync(CancellationToken ct = default)
    {
        var statuses = new List<NodeStatus>();
        foreach (var node in State.Postgres)
        {
            statuses.Add(await PostgresStatusAsync(node, ct));
        }
        var daemon = await DaemonHostsAsync(ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var host in State.Hosts)
        {
            var state = host.Pid <= 0 || !IsAlive(host.Pid) ? "stopped" : IsFrozen(host.Pid) ? "frozen (SIGSTOP)" : "running";
            string? detail = null;
            if (state == "running")
            {
                try
                {
                    using var ready = await http.GetAsync($"{host.Url}/health/ready", ct);
                    detail = (ready.IsSuccessStatusCode ? "ready" : $"not ready ({(int)ready.StatusCode})")
                        + (daemon.Contains(host.Name) ? "; holds advisory locks (async daemon)" : "");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    detail = "not answering";
                }
            }
            statuses.Add(new NodeStatus(host.Name, "host", host.Url, "serve", host.Pid > 0 ? host.Pid : null, state, detail));
        }
        return statuses;
    }

    private async Task<NodeStatus> PostgresStatusAsync(PostgresNode node, CancellationToken ct)
    {
        var address = $"127.0.0.1:{node.Port}";
        try
        {
            await using var connection = await ConnectAsync(node.Port, "postgres", ct, timeoutSeconds: 2);
            await using var recovery = new NpgsqlCommand("select pg_is_in_recovery(), pg_postmaster_start_time()", connection);
            await using var reader = await recovery.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var inRecovery = reader.GetBoolean(0);
            await reader.CloseAsync();
            string? detail = null;
            if (!inRecovery)
            {
                // Lag as the primary sees it: WAL bytes sent but not yet replayed, and the time the last replay took to arrive.
                await using var lag = new NpgsqlCommand(
                    "select application_name, sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, "
                    + "coalesce(extract(epoch from replay_lag) * 1000, 0)::float8 from pg_stat_replication", connection);
                await using var rows = await lag.ExecuteReaderAsync(ct);
                var standbys = new List<string>();
                while (await rows.ReadAsync(ct))
                {
                    standbys.Add($"{rows.GetString(0)} {rows.GetString(1)}, {rows.GetInt64(2):N0} bytes behind, replay lag {rows.GetDouble(3):F1} ms");
                }
                detail = standbys.Count > 0 ? "streams to " + string.Join("; ", standbys) : "no standby streaming";
            }
            return new NodeStatus(node.Name, "postgres", address, inRecovery ? "standby" : "primary", PostmasterPid(node), "running", detail);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            var role = node.Role == PostgresRole.Lost ? "lost (former primary)" : node.Role.ToString().ToLowerInvariant();
            return new NodeStatus(node.Name, "postgres", address, role, null, "stopped", null);
        }
    }

    /// <summary>
    /// The hosts (by their connections' application_name) holding session advisory locks on the primary: Marten's async daemon
    /// takes one per projection shard where it runs them (HotCold: one host). Empty when no primary answers.
    /// </summary>
    public async Task<IReadOnlySet<string>> DaemonHostsAsync(CancellationToken ct = default)
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        if (State.Primary is not { } primary)
        {
            return hosts;
        }
        try
        {
            await using var connection = await ConnectAsync(primary.Port, DatabaseName, ct, timeoutSeconds: 2);
            await using var query = new NpgsqlCommand(
                "select distinct a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                + "where l.locktype = 'advisory' and l.granted and a.application_name <> ''", connection);
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                hosts.Add(reader.GetString(0));
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
        }
        return hosts;
    }

    private async Task<List<string>> RunningPartsAsync(CancellationToken ct)
    {
        var running = new List<string>();
        foreach (var node in State.Postgres)
        {
            if (await AnswersAsync(node.Port, ct))
            {
                running.Add($"{node.Name} on 127.0.0.1:{node.Port}");
            }
        }
        running.AddRange(State.Hosts.Where(h => h.Pid > 0 && IsAlive(h.Pid)).Select(h => $"{h.Name} pid {h.Pid}"));
        return running;
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------------

    /// <summary>As root the cluster folder is 0755 (root's) and pg/ belongs to the postgres user, who creates the data folders in it.</summary>
    private async Task PrepareDirectoriesAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the local cluster runs on Linux (PostgreSQL's tools, setsid, signals)");
        }
        const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var parent = Path.GetDirectoryName(State.Directory)!;
        System.IO.Directory.CreateDirectory(parent, Mode0755);
        System.IO.Directory.CreateDirectory(State.Directory, Mode0755);
        var pg = Path.Combine(State.Directory, "pg");
        System.IO.Directory.CreateDirectory(pg, Mode0755);
        if (_asPostgresUser)
        {
            File.SetUnixFileMode(State.Directory, Mode0755);
            var chown = await EmbeddedPostgres.RunProcessAsync("chown", [$"{OsUser}:{OsUser}", pg], workingDirectory: null);
            chown.ThrowIfFailed($"chown {OsUser} {pg}");
            var enter = await EmbeddedPostgres.RunProcessAsync("runuser", ["-u", OsUser, "--", "test", "-w", pg], workingDirectory: null);
            if (enter.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"the {OsUser} OS user cannot reach {pg} (a parent folder is closed to it, e.g. root's home or a mktemp folder): "
                    + "give a --dir under /var/tmp");
            }
        }
    }

    private Task<EmbeddedPostgres.ProcessResult> RunToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var executable = Path.Combine(_bin, tool);
        return _asPostgresUser
            ? EmbeddedPostgres.RunProcessAsync("runuser", ["-u", OsUser, "--", executable, .. arguments], State.Directory)
            : EmbeddedPostgres.RunProcessAsync(executable, arguments, State.Directory);
    }

    private static string ResolveBin(string? configured)
    {
        configured ??= Environment.GetEnvironmentVariable("COMPUTENET_PG_BIN") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var candidates = configured is not null ? [configured] : EmbeddedPostgres.DefaultBinCandidates();
        foreach (var candidate in candidates)
        {
            if (new[] { "initdb", "pg_ctl", "pg_basebackup" }.All(tool => File.Exists(Path.Combine(candidate, tool))))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            $"PostgreSQL 15 server binaries (initdb, pg_ctl, pg_basebackup) not found (looked in {string.Join(", ", candidates)}). "
            + "Install them: apt-get update && apt-get install -y postgresql-15 — or set COMPUTENET_PG_BIN to their folder.");
    }

    private static async Task<NpgsqlConnection> ConnectAsync(int port, string database, CancellationToken ct, int timeoutSeconds = 10)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Database = database, Pooling = false, Timeout = timeoutSeconds,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<bool> AnswersAsync(int port, CancellationToken ct)
    {
        try
        {
            await using var _ = await ConnectAsync(port, "postgres", ct, timeoutSeconds: 2);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static int? PostmasterPid(PostgresNode node)
    {
        try
        {
            return int.TryParse(File.ReadLines(Path.Combine(node.DataDirectory, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<int> FreePorts(int count)
    {
        // Held open together so that the system gives distinct ports; released just before the servers bind them.
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return listener;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static void EnsurePortFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException)
        {
            throw new InvalidOperationException($"port {port} on 127.0.0.1 is in use: give another --base-port, or stop what holds it");
        }
    }

    /// <summary>A process that exists and has not exited (a zombie counts as exited).</summary>
    public static bool IsAlive(int pid) => ProcessState(pid) is { } state && state != 'Z' && state != 'X';

    private static bool IsFrozen(int pid) => ProcessState(pid) == 'T';

    private static char? ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName >= 0 && afterName + 2 < stat.Length ? stat[afterName + 2] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Tail(string path, int lines = 30)
    {
        try
        {
            return File.Exists(path) ? $"Last lines of {path}:\n{string.Join('\n', File.ReadLines(path).TakeLast(lines))}" : $"(no {path})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(could not read {path}: {e.Message})";
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int kill(int pid, int sig);
    }
}
