using System.Diagnostics;
using Marten;
using Npgsql;

namespace ComputeNet.Application.Cluster;

/// <summary>
/// Whether this process may append to the market journal (ADR 0030). The market writer asks before every append, and
/// again after an append lost a race on the journal's expected version.
/// </summary>
public interface IMarketOwnership
{
    /// <summary>This process owns the market, has fenced it, and its lease cannot have lapsed (by its own monotonic clock).</summary>
    bool MayWrite { get; }
    /// <summary>This process holds the lease (owner, or taking over and not yet fenced) and it cannot have lapsed: the fencing block may be appended.</summary>
    bool HoldsLease { get; }
    /// <summary>Re-reads the lease: true when this process still owns the market; false (and this process steps down) otherwise.</summary>
    Task<bool> ConfirmAsync(CancellationToken ct);
    /// <summary>
    /// <see cref="MayWrite"/>, or — for an owner whose local deadline passed because a heartbeat came late (a loaded
    /// machine, a slow database) — a renewal at once: it succeeds only while no host has taken the lease (same owner and
    /// epoch), and then none can have fenced the journal, so the owner writes on instead of refusing.
    /// </summary>
    Task<bool> EnsureMayWriteAsync(CancellationToken ct);
}

/// <summary>One process per database with no lease: the CLI's demo, scenario runner and benchmarks, and the Application tests.</summary>
public sealed class AlwaysOwner : IMarketOwnership
{
    public static readonly AlwaysOwner Instance = new();

    public bool MayWrite => true;
    public bool HoldsLease => true;
    public Task<bool> ConfirmAsync(CancellationToken ct) => Task.FromResult(true);
    public Task<bool> EnsureMayWriteAsync(CancellationToken ct) => Task.FromResult(true);
}

/// <summary>Where this process stands towards a market: following another owner (or none), taking it over (fencing), owning it.</summary>
public enum OwnershipState
{
    Following,
    Taking,
    Owner,
}

/// <summary>A market's lease as last read: its owner host, the address commands are forwarded to, the epoch, and whether it is live.</summary>
public sealed record MarketOwner(string Market, string Host, string Address, long Epoch, bool Live);

/// <summary>
/// A market's ownership lease in PostgreSQL (<see cref="ClusterTables.Owners"/>): one statement takes it (inserts the row,
/// or takes it over only once it has expired, bumping its epoch), the owner renews it by market, host and epoch (no row
/// updated: the lease was lost), and releases it at a graceful stop. Every time is PostgreSQL's <c>now()</c>; this process
/// only keeps a local monotonic deadline — the start of its last successful renewal plus the lease less a safety margin —
/// past which it writes nothing (a process frozen and resumed finds it passed). The state here is what
/// <see cref="MarketOwnership"/> drives and what the market writer and the command routing read.
/// </summary>
public sealed class MarketLease : IMarketOwnership
{
    /// <summary>The one market today (all families; one stream). Named so that it can later be split per family.</summary>
    public const string DefaultMarket = "market";

    private readonly IDocumentStore _store;
    private readonly object _sync = new();
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OwnershipState _state = OwnershipState.Following;
    private long _epoch;
    /// <summary><see cref="Stopwatch.GetTimestamp"/> past which this process must not write (0: none).</summary>
    private long _deadline;
    private bool _tablesEnsured;

    public MarketLease(IDocumentStore store, ClusterSettings settings, string market = DefaultMarket, string? hostId = null)
    {
        _store = store;
        Settings = settings;
        Market = market;
        HostId = hostId ?? NewHostId();
    }

    public ClusterSettings Settings { get; }
    public string Market { get; }
    /// <summary>This process's id in the cluster tables: machine, process id and a random suffix (two hosts in one process differ).</summary>
    public string HostId { get; }
    /// <summary>The address other hosts forward commands to; null until known (<see cref="SetAddress"/>).</summary>
    public string? Address => _address.Task.IsCompletedSuccessfully ? _address.Task.Result : null;
    public OwnershipState State => _state;
    /// <summary>The epoch of the lease this process took last (0: none yet).</summary>
    public long Epoch => Interlocked.Read(ref _epoch);
    /// <summary>The market's lease as this process last read or took it (null: not read yet, or no host ever took it).</summary>
    public MarketOwner? KnownOwner { get; private set; }

    public bool MayWrite => _state == OwnershipState.Owner && Stopwatch.GetTimestamp() < Interlocked.Read(ref _deadline);
    public bool HoldsLease => _state != OwnershipState.Following && Stopwatch.GetTimestamp() < Interlocked.Read(ref _deadline);

    private static string NewHostId() =>
        $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Sets the advertised address once (the configured one, or the one Kestrel bound).</summary>
    public void SetAddress(string address) => _address.TrySetResult(address.TrimEnd('/'));

    /// <summary>Waits until the advertised address is known.</summary>
    public Task<string> AddressAsync(CancellationToken ct) => _address.Task.WaitAsync(ct);

    private string Table(string name) => $"\"{_store.Options.DatabaseSchemaName}\".{name}";

    /// <summary>
    /// Takes the lease when nobody holds it or it has expired (one statement); returns the new epoch, or null when another
    /// host holds it (then <see cref="KnownOwner"/> is read).
    /// </summary>
    public async Task<long?> TryTakeAsync(CancellationToken ct)
    {
        var address = await AddressAsync(ct);
        var sent = Stopwatch.GetTimestamp();
        var epoch = await ScalarAsync<long?>($"""
            insert into {Table(ClusterTables.Owners)} as o (market, owner, address, epoch, expires_at, taken_at)
            values ($1, $2, $3, 1, now() + $4 * interval '1 millisecond', now())
            on conflict (market) do update set owner = excluded.owner, address = excluded.address, epoch = o.epoch + 1,
                expires_at = excluded.expires_at, taken_at = excluded.taken_at
            where o.expires_at < now()
            returning epoch
            """, ct, Market, HostId, address, Settings.LeaseMs);
        if (epoch is not { } taken)
        {
            await ReadOwnerAsync(ct);
            return null;
        }
        lock (_sync)
        {
            Interlocked.Exchange(ref _epoch, taken);
            Interlocked.Exchange(ref _deadline, DeadlineFrom(sent));
            _state = OwnershipState.Taking;
            KnownOwner = new MarketOwner(Market, HostId, address, taken, true);
        }
        return taken;
    }

    /// <summary>Taking → owner, once the fencing block is durable (false when the lease was lost meanwhile).</summary>
    public bool BecomeOwner(long epoch)
    {
        lock (_sync)
        {
            if (_state != OwnershipState.Taking || Epoch != epoch)
            {
                return false;
            }
            _state = OwnershipState.Owner;
            return true;
        }
    }

    /// <summary>Renews the lease this process holds; false when it was lost (another host took it): then this process has stepped down.</summary>
    public async Task<bool> RenewAsync(CancellationToken ct)
    {
        var epoch = Epoch;
        var sent = Stopwatch.GetTimestamp();
        var rows = await ExecuteAsync($"update {Table(ClusterTables.Owners)} set expires_at = now() + $4 * interval '1 millisecond' "
            + "where market = $1 and owner = $2 and epoch = $3", ct, Market, HostId, epoch, Settings.LeaseMs);
        lock (_sync)
        {
            if (rows == 0 || Epoch != epoch)
            {
                StepDownLocked();
                return false;
            }
            Interlocked.Exchange(ref _deadline, DeadlineFrom(sent));
            return true;
        }
    }

    private Task<bool>? _renewing;

    public Task<bool> EnsureMayWriteAsync(CancellationToken ct)
    {
        if (MayWrite)
        {
            return Task.FromResult(true);
        }
        lock (_sync)
        {
            if (_state != OwnershipState.Owner)
            {
                return Task.FromResult(false);
            }
            // Callers waiting at once share one renewal.
            if (_renewing is not { IsCompleted: false })
            {
                _renewing = RenewNowAsync();
            }
            return _renewing.WaitAsync(ct);
        }

        async Task<bool> RenewNowAsync()
        {
            try
            {
                return await RenewAsync(CancellationToken.None) && MayWrite;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>Stops writing at once (the writer checks <see cref="MayWrite"/> before every append).</summary>
    public void StepDown()
    {
        lock (_sync)
        {
            StepDownLocked();
        }
    }

    private void StepDownLocked()
    {
        _state = OwnershipState.Following;
        Interlocked.Exchange(ref _deadline, 0);
    }

    /// <summary>Graceful stop: ends the lease held at <paramref name="epoch"/> now, so another host takes the market at its next poll.</summary>
    public async Task ReleaseAsync(long epoch, CancellationToken ct)
    {
        StepDown();
        await ExecuteAsync($"update {Table(ClusterTables.Owners)} set expires_at = now() where market = $1 and owner = $2 and epoch = $3",
            ct, Market, HostId, epoch);
    }

    /// <summary>Reads the market's lease (and keeps it as <see cref="KnownOwner"/>); null when no host ever took it.</summary>
    public async Task<MarketOwner?> ReadOwnerAsync(CancellationToken ct)
    {
        await EnsureTablesAsync(ct);
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select owner, address, epoch, expires_at > now() from {Table(ClusterTables.Owners)} where market = $1";
        command.Parameters.Add(new NpgsqlParameter { Value = Market });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var owner = await reader.ReadAsync(ct)
            ? new MarketOwner(Market, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3))
            : null;
        KnownOwner = owner;
        return owner;
    }

    private Task<MarketOwner?>? _refresh;
    private long _refreshedAt;

    /// <summary>
    /// Reads the lease again when the last read is older than <paramref name="maxAge"/>; concurrent callers share one
    /// read (requests waiting for a new owner during a takeover do not each query the database).
    /// </summary>
    public Task<MarketOwner?> RefreshOwnerAsync(TimeSpan maxAge, CancellationToken ct)
    {
        lock (_sync)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running.WaitAsync(ct);
            }
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _refreshedAt)) < maxAge)
            {
                return Task.FromResult(KnownOwner);
            }
            Interlocked.Exchange(ref _refreshedAt, Stopwatch.GetTimestamp());
            _refresh = ReadOwnerAsync(CancellationToken.None);
            return _refresh.WaitAsync(ct);
        }
    }

    public async Task<bool> ConfirmAsync(CancellationToken ct)
    {
        var epoch = Epoch;
        var owner = await ReadOwnerAsync(ct);
        if (owner is { Live: true } && owner.Host == HostId && owner.Epoch == epoch && _state != OwnershipState.Following)
        {
            return true;
        }
        StepDown();
        return false;
    }

    /// <summary>Records this host in <see cref="ClusterTables.Hosts"/> (its address, and now as its last heartbeat).</summary>
    public async Task HeartbeatHostAsync(CancellationToken ct)
    {
        var address = await AddressAsync(ct);
        await ExecuteAsync($"insert into {Table(ClusterTables.Hosts)} (host, address, started_at, seen_at) values ($1, $2, now(), now()) "
            + "on conflict (host) do update set address = excluded.address, seen_at = excluded.seen_at", ct, HostId, address);
    }

    /// <summary>Records a takeover for operators: the epoch, this host, and the journal version of its fencing block.</summary>
    public async Task RecordTakeoverAsync(long epoch, long journalVersion, CancellationToken ct) =>
        await ExecuteAsync($"insert into {Table(ClusterTables.Takeovers)} (market, epoch, owner, address, journal_version, at) "
            + "values ($1, $2, $3, $4, $5, now()) on conflict (market, epoch) do nothing", ct, Market, epoch, HostId, Address ?? "", journalVersion);

    /// <summary>
    /// The cluster's shared secret (hosts forward commands with it): made at random on first use and kept in the database —
    /// whoever can read the database is trusted already.
    /// </summary>
    public static async Task<string> SecretAsync(IDocumentStore store, CancellationToken ct)
    {
        await ClusterTables.EnsureAsync(store, ct);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        var table = $"\"{store.Options.DatabaseSchemaName}\".{ClusterTables.Secret}";
        command.CommandText = $"with made as (insert into {table} (id, secret) values (1, $1) on conflict (id) do nothing returning secret) "
            + $"select secret from made union all select secret from {table} where id = 1 limit 1";
        command.Parameters.Add(new NpgsqlParameter { Value = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) });
        if (await command.ExecuteScalarAsync(ct) is string secret)
        {
            return secret;
        }
        // Another host's first use inserted the row after this statement's snapshot was taken: the insert did nothing and the
        // select, in the same snapshot, saw no row (seen as 500s on the first forwards of three hosts started together). A new
        // statement sees the committed row.
        await using var again = connection.CreateCommand();
        again.CommandText = $"select secret from {table} where id = 1";
        return await again.ExecuteScalarAsync(ct) as string
            ?? throw new InvalidOperationException($"{table} holds no secret after it was made");
    }

    private long DeadlineFrom(long sent) =>
        sent + (long)((TimeSpan.FromMilliseconds(Settings.LeaseMs) - Settings.SafetyMargin).TotalSeconds * Stopwatch.Frequency);

    private async Task EnsureTablesAsync(CancellationToken ct)
    {
        if (!_tablesEnsured)
        {
            await ClusterTables.EnsureAsync(_store, ct);
            _tablesEnsured = true;
        }
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await EnsureTablesAsync(ct);
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = Command(connection, sql, values);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<T?> ScalarAsync<T>(string sql, CancellationToken ct, params object[] values)
    {
        await EnsureTablesAsync(ct);
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = Command(connection, sql, values);
        var result = await command.ExecuteScalarAsync(ct);
        return result is null or DBNull ? default : (T)result;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
