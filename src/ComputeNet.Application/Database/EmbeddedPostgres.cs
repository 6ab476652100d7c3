using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ComputeNet.Application.Database;

/// <summary>
/// Where the embedded PostgreSQL cluster lives and how it is reached. Every property is optional:
/// the defaults let a fresh checkout get a database with no manual step.
/// </summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// The checkout the cluster belongs to. Its full path decides the data folder and the default port,
    /// so two checkouts on one machine never share a cluster.
    /// Default: the nearest folder at or above the current directory that holds ComputeNet.sln, else the current directory.
    /// </summary>
    public string? CheckoutRoot { get; init; }

    /// <summary>TCP port on 127.0.0.1. Default: derived from a hash of the checkout path, in 20000..29999, stable across runs.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// Folder holding initdb and pg_ctl. Default: env COMPUTENET_PG_BIN, else /usr/lib/postgresql/15/bin,
    /// else the highest /usr/lib/postgresql/*/bin that has initdb. An explicit value is used as given, with no fallback.
    /// </summary>
    public string? BinDirectory { get; init; }

    /// <summary>The application database inside the cluster; created on first use.</summary>
    public string DatabaseName { get; init; } = "computenet";
}

/// <summary>Decides which PostgreSQL server the process talks to, so hosts and tests share one rule.</summary>
public static class DatabaseConnection
{
    private const string EnvironmentVariable = "COMPUTENET_DB";

    /// <summary>
    /// Resolution order: env COMPUTENET_DB; then <paramref name="configured"/> (from configuration, e.g. ConnectionStrings:ComputeNet);
    /// else the embedded cluster of this checkout, started if needed (<see cref="EmbeddedPostgres.EnsureStartedAsync"/>).
    /// Blank values count as unset.
    /// </summary>
    public static async Task<string> ResolveAsync(string? configured = null, CancellationToken ct = default)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return await new EmbeddedPostgres().EnsureStartedAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The data source for a connection string. One server: Npgsql's own. Several (<c>Host=a:1,b:2;Target Session Attributes=primary</c>,
    /// a primary and its standbys): Npgsql 9 builds a multi-host data source only without target session attributes, so they are taken
    /// out of the string and applied as the data source's wrapper (<see cref="NpgsqlMultiHostDataSource.WithTargetSession"/>). Each
    /// multi-host string gets one data source per process (its pools and the servers' roles are shared by every store on it).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (settings.Host?.Contains(',', StringComparison.Ordinal) != true)
        {
            return NpgsqlDataSource.Create(connectionString);
        }

        return MultiHostDataSources.GetOrAdd(connectionString, _ =>
        {
            var target = ParseTarget(settings.TargetSessionAttributes);
            settings.TargetSessionAttributes = null;
            return new NpgsqlDataSourceBuilder(settings.ConnectionString).BuildMultiHost().WithTargetSession(target);
        });
    }

    /// <summary>Whether a connection string names several servers (a primary and its standbys).</summary>
    public static bool IsMultiHost(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Host?.Contains(',', StringComparison.Ordinal) == true;

    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> MultiHostDataSources = new(StringComparer.Ordinal);

    /// <summary>libpq's spellings (read-write, prefer-standby …), as Npgsql reads them in a connection string; unset means any server.</summary>
    private static TargetSessionAttributes ParseTarget(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "any" => TargetSessionAttributes.Any,
        "primary" => TargetSessionAttributes.Primary,
        "standby" => TargetSessionAttributes.Standby,
        "prefer-primary" => TargetSessionAttributes.PreferPrimary,
        "prefer-standby" => TargetSessionAttributes.PreferStandby,
        "read-write" => TargetSessionAttributes.ReadWrite,
        "read-only" => TargetSessionAttributes.ReadOnly,
        var other => throw new ArgumentException($"Target Session Attributes '{other}' is not one of any, primary, standby, prefer-primary, prefer-standby, read-write, read-only"),
    };
}

/// <summary>
/// A private PostgreSQL cluster per checkout, created and started on demand, so the CLI, the tests and the API host
/// need nothing but the postgresql-15 server binaries.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>The server listens on 127.0.0.1:<see cref="Port"/> over TCP only (no unix socket: socket paths are limited to 107 bytes)
/// and trusts the <c>postgres</c> user; it is reachable from this machine only.</item>
/// <item>Create/start/stop of one data folder happen under an exclusive file lock (<c>&lt;data folder&gt;.lock</c>),
/// so parallel test processes initialise and start the cluster exactly once and otherwise reuse it.</item>
/// <item>Durability settings stay at PostgreSQL defaults (fsync on): crash-safety is tested against this cluster.</item>
/// <item>initdb and pg_ctl refuse to run as root, so as root they run as the <c>postgres</c> OS user through runuser,
/// and the data folder lives under /var/tmp/computenet, whose every parent that user can enter.</item>
/// <item>The server outlives the process that started it (pg_ctl detaches it); it is stopped only by <see cref="StopAsync"/>.</item>
/// </list>
/// </remarks>
public sealed class EmbeddedPostgres
{
    private const string SolutionFileName = "ComputeNet.sln";
    private const string PgBinEnvironmentVariable = "COMPUTENET_PG_BIN";
    private const string PostgresRoot = "/usr/lib/postgresql";
    private const string PreferredMajorVersion = "15";
    private const string SharedRootForRoot = "/var/tmp/computenet";
    private const string SuperUser = "postgres";
    private const string OsUser = "postgres";
    private const int PgCtlTimeoutSeconds = 60;
    private const long ServerLogRotateBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SettleRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Serialises lock attempts inside one process so threads wait instead of spinning on the file lock.</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcessLocks = new(StringComparer.Ordinal);

    private readonly string? _binDirectoryOption;
    private readonly string _databaseName;
    private readonly bool _runAsPostgresUser;
    private readonly string _lockPath;

    public EmbeddedPostgres(EmbeddedPostgresOptions? options = null)
    {
        options ??= new EmbeddedPostgresOptions();
        if (string.IsNullOrWhiteSpace(options.DatabaseName))
        {
            throw new ArgumentException("DatabaseName must not be blank.", nameof(options));
        }

        if (options.Port is { } port && (port < 1 || port > 65535))
        {
            throw new ArgumentOutOfRangeException(nameof(options), port, "Port must be in 1..65535.");
        }

        // Outside a checkout (the installed `computenet` tool run elsewhere) the cluster is the user's own, under ~/.computenet,
        // rather than one per working directory.
        var outside = options.CheckoutRoot is null && FindCheckoutRootOrNull(Directory.GetCurrentDirectory()) is null;
        var checkoutRoot = NormalizePath(options.CheckoutRoot ?? (outside ? UserRoot : FindCheckoutRoot(Directory.GetCurrentDirectory())));
        var checkoutHash = SHA256.HashData(Encoding.UTF8.GetBytes(checkoutRoot));

        _binDirectoryOption = options.BinDirectory;
        _databaseName = options.DatabaseName;
        _runAsPostgresUser = IsRunningAsRoot();
        DataDirectory = _runAsPostgresUser
            ? Path.Combine(SharedRootForRoot, Convert.ToHexStringLower(checkoutHash)[..12])
            : outside ? Path.Combine(checkoutRoot, "pg") : Path.Combine(checkoutRoot, ".computenet", "pg");
        Port = options.Port ?? 20000 + (int)(BinaryPrimitives.ReadUInt32BigEndian(checkoutHash) % 10000);
        _lockPath = DataDirectory + ".lock";
    }

    /// <summary>
    /// The cluster's data folder: /var/tmp/computenet/&lt;12 hex of SHA-256(checkout path)&gt; as root, else &lt;checkout&gt;/.computenet/pg;
    /// outside a checkout, the checkout path is <see cref="UserRoot"/> (~/.computenet, data folder ~/.computenet/pg as another user).
    /// </summary>
    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary>
    /// Makes sure the cluster is initialised, running and holds <see cref="EmbeddedPostgresOptions.DatabaseName"/>,
    /// and returns an Npgsql connection string to that database. Reuses a running cluster; safe to call concurrently
    /// from many threads and processes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The binaries or the postgres OS user are missing, or the server did not start (the message carries server.log's tail).</exception>
    public async Task<string> EnsureStartedAsync(CancellationToken ct = default)
    {
        var admin = await TryConnectToThisClusterAsync(ct).ConfigureAwait(false);
        if (admin is null)
        {
            await StartUnderLockAsync(ct).ConfigureAwait(false);
            admin = await TryConnectToThisClusterAsync(ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException(
                    $"The PostgreSQL cluster in {DataDirectory} is running but does not answer on 127.0.0.1:{Port}; "
                    + $"it may have been started with another port. Stop it (pg_ctl stop -D {DataDirectory}) and retry.\n"
                    + ServerLogTail());
        }

        await using (admin.ConfigureAwait(false))
        {
            await EnsureDatabaseAsync(admin, ct).ConfigureAwait(false);
        }

        return ConnectionString(_databaseName, pooling: true, timeoutSeconds: 15);
    }

    /// <summary>Stops the cluster (fast shutdown: open sessions are ended). Returns true if it was running and is now stopped.</summary>
    public async Task<bool> StopAsync(CancellationToken ct = default)
    {
        if (!IsInitialised())
        {
            return false;
        }

        var bin = ResolveBinDirectory();
        using (await AcquireLockAsync(ct).ConfigureAwait(false))
        {
            TryRemovePidFileOfZombiePostmaster();
            if (!await IsRunningPerPgCtlAsync(bin).ConfigureAwait(false))
            {
                return false;
            }

            var result = await RunPostgresToolAsync(
                bin, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", $"{PgCtlTimeoutSeconds}", "stop"]).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"pg_ctl stop failed for {DataDirectory} (exit code {result.ExitCode}).\n{result.Describe()}\n{ServerLogTail()}");
            }
        }

        using (var pooled = new NpgsqlConnection(ConnectionString(_databaseName, pooling: true, timeoutSeconds: 15)))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        return true;
    }

    /// <summary>True if the cluster of this data folder is running (answering on <see cref="Port"/>, or per pg_ctl status).</summary>
    public async Task<bool> IsRunningAsync(CancellationToken ct = default)
    {
        var admin = await TryConnectToThisClusterAsync(ct).ConfigureAwait(false);
        if (admin is not null)
        {
            await admin.DisposeAsync().ConfigureAwait(false);
            return true;
        }

        return IsInitialised() && await IsRunningPerPgCtlAsync(ResolveBinDirectory()).ConfigureAwait(false);
    }

    private async Task StartUnderLockAsync(CancellationToken ct)
    {
        var bin = ResolveBinDirectory();
        if (_runAsPostgresUser)
        {
            await EnsurePostgresOsUserExistsAsync().ConfigureAwait(false);
        }

        PrepareParentDirectory();
        using (await AcquireLockAsync(ct).ConfigureAwait(false))
        {
            if (await WaitWhileRunningButNotAnsweringAsync(bin, ct).ConfigureAwait(false))
            {
                return;
            }

            ct.ThrowIfCancellationRequested();
            if (!IsInitialised())
            {
                await InitialiseAsync(bin).ConfigureAwait(false);
            }

            ct.ThrowIfCancellationRequested();
            await StartServerAsync(bin).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Returns true if a postmaster owns the data folder; false once none does, so the caller may start one.
    /// A postmaster that owns the folder but does not answer yet (crash recovery, or a dead postmaster whose PID is not yet reaped)
    /// gets <see cref="SettleTimeout"/> to answer or vanish; if it does neither, true is returned and the caller reports it.
    /// </summary>
    private async Task<bool> WaitWhileRunningButNotAnsweringAsync(string bin, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (IsInitialised() && await IsRunningPerPgCtlAsync(bin).ConfigureAwait(false))
        {
            var admin = await TryConnectToThisClusterAsync(ct).ConfigureAwait(false);
            if (admin is not null)
            {
                await admin.DisposeAsync().ConfigureAwait(false);
                return true;
            }

            if (TryRemovePidFileOfZombiePostmaster())
            {
                continue;
            }

            if (waited.Elapsed > SettleTimeout)
            {
                return true;
            }

            await Task.Delay(SettleRetryDelay, ct).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// A postmaster killed abruptly can stay a zombie when PID 1 does not reap it (seen in sandboxes), and both pg_ctl and
    /// postgres then take its PID for a live server and refuse to start. A zombie holds no memory or sockets, so its
    /// postmaster.pid is stale; it is removed, only while holding the cluster lock. Returns true if it was removed.
    /// </summary>
    private bool TryRemovePidFileOfZombiePostmaster()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        try
        {
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (!int.TryParse(firstLine, out var pid) || pid <= 0)
            {
                return false;
            }

            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            if (afterName < 0 || afterName + 2 >= stat.Length || stat[afterName + 2] != 'Z')
            {
                return false;
            }

            File.Delete(pidFile);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A folder without PG_VERSION is never a usable cluster (initdb writes it first), so it is wiped and initialised afresh.</summary>
    private async Task InitialiseAsync(string bin)
    {
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (_runAsPostgresUser)
        {
            var chown = await RunProcessAsync("chown", [$"{OsUser}:{OsUser}", DataDirectory], workingDirectory: null).ConfigureAwait(false);
            chown.ThrowIfFailed($"chown {OsUser}:{OsUser} {DataDirectory}");
        }

        var initdb = await RunPostgresToolAsync(
            bin, "initdb", ["-D", DataDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]).ConfigureAwait(false);
        initdb.ThrowIfFailed($"initdb -D {DataDirectory}");
    }

    /// <summary>
    /// The server's settings beyond PostgreSQL's defaults, sized for a market that keeps years of history on one machine
    /// (docs/runbook.md, "The embedded PostgreSQL"): a buffer cache of 1 GB (the default 128 MB holds a fraction of the
    /// indexes a year of orders needs, so each read and insert went to the disk more often as the history grew); checkpoints
    /// at most every 15 minutes or 4 GB of WAL (at the default 1 GB a busy intake forced one every minute or so, each
    /// followed by a wave of full-page images); full-page images compressed with lz4; large values (the market journal's
    /// blocks, about 40 kB of JSON each) compressed with lz4 rather than pglz, which costs the writer's transaction less
    /// and the daemon's reads less to decompress. Durability is unchanged (synchronous commit, full-page writes).
    /// </summary>
    public const string ServerSettings =
        "-c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=15min -c wal_compression=lz4 -c default_toast_compression=lz4";

    private async Task StartServerAsync(string bin)
    {
        var serverLog = Path.Combine(DataDirectory, "server.log");
        if (File.Exists(serverLog) && new FileInfo(serverLog).Length > ServerLogRotateBytes)
        {
            File.Delete(serverLog);
        }

        var serverOptions = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            + "-c max_connections=200 " + ServerSettings;
        var result = await RunPostgresToolAsync(
            bin, "pg_ctl",
            ["-D", DataDirectory, "-l", serverLog, "-w", "-t", $"{PgCtlTimeoutSeconds}", "-o", serverOptions, "start"]).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return;
        }

        var stalePidHint = File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))
            ? $"\nA postmaster.pid is present in {DataDirectory}; if no postgres process uses this folder it is stale: delete it and retry."
            : "";
        throw new InvalidOperationException(
            $"pg_ctl start failed for {DataDirectory} on 127.0.0.1:{Port} (exit code {result.ExitCode}).\n{result.Describe()}{stalePidHint}\n{ServerLogTail()}");
    }

    /// <summary>Tolerates a concurrent creator: CREATE DATABASE racing on one name fails with 42P04 or a unique violation on pg_database.</summary>
    private async Task EnsureDatabaseAsync(NpgsqlConnection admin, CancellationToken ct)
    {
        if (await DatabaseExistsAsync(admin, ct).ConfigureAwait(false))
        {
            return;
        }

        var quotedName = "\"" + _databaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quotedName}", admin);
        try
        {
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            if (!await DatabaseExistsAsync(admin, ct).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    private async Task<bool> DatabaseExistsAsync(NpgsqlConnection admin, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("select 1 from pg_database where datname = $1", admin);
        query.Parameters.Add(new NpgsqlParameter { Value = _databaseName });
        return await query.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Returns an open connection to the <c>postgres</c> database if the server on <see cref="Port"/> is this data folder's cluster,
    /// else null. Checking data_directory keeps a foreign server that happens to hold the port from being mistaken for ours.
    /// </summary>
    private async Task<NpgsqlConnection?> TryConnectToThisClusterAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(ConnectionString("postgres", pooling: false, timeoutSeconds: 3));
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var query = new NpgsqlCommand("show data_directory", connection);
            var served = await query.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
            if (served is not null && string.Equals(NormalizePath(served), DataDirectory, StringComparison.Ordinal))
            {
                return connection;
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>pg_ctl status exits 0 when a postmaster owns the data folder, 3 when not running, 4 when the folder is unusable.</summary>
    private async Task<bool> IsRunningPerPgCtlAsync(string bin)
    {
        var status = await RunPostgresToolAsync(bin, "pg_ctl", ["status", "-D", DataDirectory]).ConfigureAwait(false);
        return status.ExitCode == 0;
    }

    private bool IsInitialised() => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    private string ConnectionString(string database, bool pooling, int timeoutSeconds) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = pooling,
        MaxPoolSize = 50,
        Timeout = timeoutSeconds,
        CommandTimeout = 120,
    }.ConnectionString;

    private string ResolveBinDirectory()
    {
        var configured = _binDirectoryOption ?? NonBlank(Environment.GetEnvironmentVariable(PgBinEnvironmentVariable));
        List<string> candidates = configured is not null ? [configured] : DefaultBinCandidates();
        foreach (var candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "pg_ctl")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"PostgreSQL 15 server binaries not found (looked in {string.Join(", ", candidates)}). "
            + "Install the Debian package postgresql-15: apt-get update && apt-get install -y postgresql-15 "
            + $"— or set {PgBinEnvironmentVariable} to a folder holding initdb and pg_ctl, "
            + "or COMPUTENET_DB to the connection string of an existing server.");
    }

    /// <summary>Version 15 first (what we test against), then any other installed major version, highest first.</summary>
    internal static List<string> DefaultBinCandidates()
    {
        var preferred = Path.Combine(PostgresRoot, PreferredMajorVersion, "bin");
        var candidates = new List<string> { preferred };
        if (Directory.Exists(PostgresRoot))
        {
            candidates.AddRange(Directory.GetDirectories(PostgresRoot)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var major) ? major : -1, Bin: Path.Combine(version, "bin")))
                .Where(v => v.Bin != preferred && File.Exists(Path.Combine(v.Bin, "initdb")))
                .OrderByDescending(v => v.Version)
                .Select(v => v.Bin));
        }

        return candidates;
    }

    private static async Task EnsurePostgresOsUserExistsAsync()
    {
        var id = await RunProcessAsync("id", ["-u", OsUser], workingDirectory: null).ConfigureAwait(false);
        if (id.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Running as root, the embedded PostgreSQL cluster must run as the '{OsUser}' OS user (initdb refuses root), "
                + $"but that user does not exist. The Debian package postgresql-15 creates it: "
                + "apt-get update && apt-get install -y postgresql-15.");
        }
    }

    /// <summary>As root the shared folder is 0755 so the postgres user can enter it; the cluster folder inside stays 0700.</summary>
    private void PrepareParentDirectory()
    {
        var parent = Path.GetDirectoryName(DataDirectory)!;
        const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        CreateDirectory(parent, Mode0755);
        if (_runAsPostgresUser && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(parent, Mode0755);
        }
    }

    private static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, mode);
    }

    /// <summary>Holds both the in-process semaphore and the cross-process file lock; dispose releases both.</summary>
    private async Task<IDisposable> AcquireLockAsync(CancellationToken ct)
    {
        var gate = InProcessLocks.GetOrAdd(_lockPath, _ => new SemaphoreSlim(1, 1));
        var waited = Stopwatch.StartNew();
        if (!await gate.WaitAsync(LockTimeout, ct).ConfigureAwait(false))
        {
            throw new TimeoutException($"Timed out after {LockTimeout.TotalSeconds:0} s waiting for the in-process lock on {_lockPath}.");
        }

        try
        {
            while (true)
            {
                try
                {
                    var file = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new ClusterLock(file, gate);
                }
                catch (IOException) when (waited.Elapsed < LockTimeout)
                {
                    await Task.Delay(LockRetryDelay, ct).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new TimeoutException(
                        $"Timed out after {LockTimeout.TotalSeconds:0} s waiting for the file lock {_lockPath}, held by another process starting or stopping the cluster.", e);
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class ClusterLock(FileStream file, SemaphoreSlim gate) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            gate.Release();
        }
    }

    /// <summary>Runs an initdb/pg_ctl binary, as the postgres OS user when we are root, from a folder that user can enter.</summary>
    private Task<ProcessResult> RunPostgresToolAsync(string bin, string tool, IReadOnlyList<string> arguments)
    {
        var executable = Path.Combine(bin, tool);
        var workingDirectory = Path.GetDirectoryName(DataDirectory);
        if (workingDirectory is null || !Directory.Exists(workingDirectory))
        {
            workingDirectory = null;
        }

        return _runAsPostgresUser
            ? RunProcessAsync("runuser", ["-u", OsUser, "--", executable, .. arguments], workingDirectory)
            : RunProcessAsync(executable, arguments, workingDirectory);
    }

    /// <summary>
    /// Not cancellable on purpose: abandoning initdb or pg_ctl midway while releasing the lock would let another process
    /// act on a half-built cluster. Each tool bounds its own run time (pg_ctl -t).
    /// </summary>
    internal static async Task<ProcessResult> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = string.Join(' ', arguments.Prepend(fileName));
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start `{commandLine}`: {e.Message}", e);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return new ProcessResult(commandLine, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public string Describe() =>
            $"`{CommandLine}` exited with {ExitCode}.\nstderr:\n{StandardError.Trim()}\nstdout:\n{StandardOutput.Trim()}";

        public void ThrowIfFailed(string what)
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed.\n{Describe()}");
            }
        }
    }

    private string ServerLogTail(int lines = 30)
    {
        var serverLog = Path.Combine(DataDirectory, "server.log");
        try
        {
            if (!File.Exists(serverLog))
            {
                return $"(no {serverLog})";
            }

            var tail = File.ReadLines(serverLog).TakeLast(lines);
            return $"Last lines of {serverLog}:\n{string.Join('\n', tail)}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(could not read {serverLog}: {e.Message})";
        }
    }

    /// <summary>Where the cluster lives when the current directory is in no checkout (the installed tool): ~/.computenet.</summary>
    public static string UserRoot => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".computenet");

    /// <summary>The nearest folder at or above <paramref name="start"/> holding ComputeNet.sln, else null.</summary>
    public static string? FindCheckoutRootOrNull(string start)
    {
        var found = FindCheckoutRoot(start);
        return File.Exists(Path.Combine(found, SolutionFileName)) ? found : null;
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> holding ComputeNet.sln, else <paramref name="start"/>.</summary>
    public static string FindCheckoutRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFileName)))
            {
                return folder.FullName;
            }
        }

        return start;
    }

    internal static string NormalizePath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    internal static bool IsRunningAsRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Environment.UserName == "root")
        {
            return true;
        }

        try
        {
            return NativeMethods.geteuid() == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        internal static extern uint geteuid();
    }
}
