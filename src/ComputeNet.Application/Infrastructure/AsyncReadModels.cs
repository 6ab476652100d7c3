using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The read models people list and search that Marten's async daemon writes (issue 12, "reads"): no decision reads them,
/// so they are written after their events commit instead of in the writer's transaction
/// (<see cref="MartenSetup"/>, "async read models"). Two ways they are kept current:
/// <list type="bullet">
/// <item><b>a hosted daemon</b> (<c>serve</c>: <see cref="DaemonMode.HotCold"/>, one host of several runs it): readers
/// answer from what it has projected, at most a poll interval behind; <see cref="WaitAsync"/> waits until it has
/// projected every event committed before the call (the API's <c>?consistent=true</c>);</item>
/// <item><b>no daemon in this process</b> (CLI commands, the scenario runner, the demo, tests): every reader calls
/// <see cref="ReadyAsync"/>, which runs the async projections inline up to the event store's high-water mark first,
/// so what was written before the read is always there — deterministically, with no waiting or polling.</item>
/// </list>
/// </summary>
public sealed class AsyncReadModels(IDocumentStore store, ComputeNetSettings settings, AsyncReadModels.Options options) : IAsyncDisposable, IDisposable
{
    /// <param name="Hosted">A daemon runs in this process's host (<c>AddAsyncDaemon</c>); otherwise readers catch up inline.</param>
    public sealed record Options(bool Hosted);

    /// <summary>The projections the daemon runs (everything else is inline: decisions or a close read it).</summary>
    public static readonly Type[] Projections = [typeof(Settlement.SettlementDocumentsProjection), .. Analytics.AnalyticsProjections.Async];

    /// <summary>The longest a reader waits for the read models (inline catch-up, or the hosted daemon).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IProjectionDaemon? _daemon;

    public bool Hosted => options.Hosted;

    /// <summary>
    /// Called by every reader of an async read model before it reads. With a hosted daemon: nothing (answers may lag by
    /// the daemon's poll). Without one: the async projections are brought up to the events committed so far.
    /// </summary>
    public Task ReadyAsync(CancellationToken ct) => options.Hosted ? Task.CompletedTask : CatchUpAsync(ct);

    /// <summary>
    /// Read-your-writes: returns once every async projection has projected every event committed before the call
    /// (false if <see cref="Timeout"/> passed first). Without a hosted daemon it catches up inline.
    /// </summary>
    public async Task<bool> WaitAsync(CancellationToken ct)
    {
        if (!options.Hosted)
        {
            await CatchUpAsync(ct);
            return true;
        }
        var target = await HighestSequenceAsync(ct);
        var deadline = DateTime.UtcNow + Timeout;
        var delay = TimeSpan.FromMilliseconds(10);
        while (await LowestProgressAsync(ct) < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
        }
        return true;
    }

    /// <summary>
    /// Runs every async projection inline up to the high-water mark (Marten's <c>CatchUpAsync</c>), one catch-up at a
    /// time in this process; nothing to do costs two one-row reads. Not for a process whose host runs the daemon.
    /// </summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        if (await LowestProgressAsync(ct) >= await HighestSequenceAsync(ct))
        {
            return;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (await LowestProgressAsync(ct) >= await HighestSequenceAsync(ct))
            {
                return;
            }
            _daemon ??= await store.BuildProjectionDaemonAsync();
            try
            {
                await _daemon.CatchUpAsync(Timeout, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Another process advanced the same projection meanwhile (its progress moved under ours): catch up once more
                // from where it got to.
                (_daemon as IDisposable)?.Dispose();
                _daemon = await store.BuildProjectionDaemonAsync();
                await _daemon.CatchUpAsync(Timeout, ct);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The highest event sequence committed now (through the primary key: one index probe).</summary>
    public async Task<long> HighestSequenceAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select coalesce(max(seq_id), 0) from \"{Schema}\".mt_events";
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>How far the least advanced async projection has got (0 when one has never run).</summary>
    public async Task<long> LowestProgressAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select count(*), coalesce(min(last_seq_id), 0) from \"{Schema}\".mt_event_progression where name = any(@names)";
        command.Parameters.AddWithValue("names", ShardNames);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetInt64(0) < ShardNames.Length ? 0 : reader.GetInt64(1);
    }

    /// <summary>The progression rows of every async projection (<c>{projection}:All</c>), read from Marten's configuration.</summary>
    public string[] ShardNames => _shards ??= ShardNamesOf(store);

    public static string[] ShardNamesOf(IDocumentStore store) =>
        ((StoreOptions)store.Options).Projections.AllShards().Select(s => s.Name.Identity).Distinct().ToArray();

    private string[]? _shards;

    private string Schema => store.Options.Events.DatabaseSchemaName.Replace("\"", "");

    private string ConnectionString => settings.ConnectionString;

    public void Dispose() => (_daemon as IDisposable)?.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.StopAllAsync();
            (_daemon as IDisposable)?.Dispose();
        }
    }
}
