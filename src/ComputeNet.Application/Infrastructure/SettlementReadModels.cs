using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Keeps the settlement read models (<see cref="MartenSetup"/>'s settlement and read-model blocks: what the close,
/// checkpoints, cash, reversals and the ledger read, and the documents people list) in step with the events of a schema.
/// A schema written before they existed has events but none of their documents: at start it is rebuilt from its events
/// with Marten's projection rebuild, under the exclusive settlement lock so no close, usage or cash action writes
/// meanwhile, and a marker document records that this version's read models are complete. Closes without their listed
/// documents (<see cref="Settlement.PeriodDocument"/>) bring on a rebuild of the async read models, marker or not. A
/// schema of version 2 (the listed documents inline, ordered by a close-order sequence) has its async read models
/// (<see cref="AsyncReadModels.Projections"/>) rebuilt once: the daemon's documents are ordered by event sequence.
/// <c>computenet db rebuild-projections --schema S</c> rebuilds them all on demand (stop the <c>serve</c> hosts first: a
/// running daemon would race the rebuild of its projections).
/// </summary>
public static class SettlementReadModels
{
    /// <summary>Raised when a read model changes shape, so that older stores are rebuilt once more.</summary>
    /// <remarks>4: the ledger lines of the parties' accounts (<see cref="Settlement.LedgerLineDocument"/>, issue 14).</remarks>
    public const int Version = 4;

    public sealed class Marker
    {
        public const string Key = "settlement-read-models";
        public string Id { get; set; } = Key;
        public int Version { get; set; }
    }

    /// <summary>The inline projections the close, checkpoints, cash, reversals and the ledger read.</summary>
    public static readonly Type[] InlineProjections =
    [
        typeof(Settlement.ClosedPeriodProjection), typeof(Settlement.ChainHeadProjection), typeof(Audit.CheckpointViewProjection),
        typeof(Ledger.LedgerAccountProjection), typeof(Ledger.LedgerTransactionProjection), typeof(Ledger.LedgerLogProjection),
        typeof(Ledger.PeriodLedgerProjection),
    ];

    /// <summary>The projections rebuilt together: the inline ones above, then the async read models people list.</summary>
    public static readonly Type[] Projections = [.. InlineProjections, .. AsyncReadModels.Projections];

    /// <summary>The longest the rebuild of one projection may take before start-up gives up.</summary>
    public static readonly TimeSpan RebuildTimeout = TimeSpan.FromHours(1);

    /// <summary>The partial expression index on <c>mt_events</c> by which a close finds the usage batches its period receives.</summary>
    public const string UsageReceivingPeriodIndex = "mt_events_usage_receiving_period";

    /// <summary>
    /// Creates (once) the index of usage batches by receiving period: without it the close's query of its period's batches
    /// scans every event ever stored (orders included). Building it on a large existing store takes a while, once.
    /// </summary>
    public static async Task EnsureUsageIndexAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 0;
        command.CommandText = $"create index if not exists {UsageReceivingPeriodIndex} on \"{schema.Replace("\"", "")}\".mt_events ((data ->> 'receivingPeriod')) "
            + "where type = 'usage_batch_recorded'";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Rebuilds the read models if this schema's are missing or older (<paramref name="force"/>: always). Returns whether it rebuilt.</summary>
    public static async Task<bool> EnsureAsync(IDocumentStore store, bool force, Action<string>? log, CancellationToken ct)
    {
        if (!force)
        {
            // The usual start: the models are current, and no lock is taken (a running close is not waited for).
            await using var query = store.QuerySession();
            if (await NeededAsync(query, ct) is null)
            {
                return false;
            }
        }
        await using var session = store.LightweightSession();
        await SettlementLock.ExclusiveAsync(session, ct);
        Type[] projections = Projections;
        if (!force)
        {
            // Read outside the locked transaction: a read in it would hold a share lock on the tables that the rebuild
            // below truncates from another connection, and wait on itself.
            await using var query = store.QuerySession();
            if (await NeededAsync(query, ct) is not { } needed)
            {
                return false;
            }
            projections = needed;
        }
        var hasEvents = await session.Events.QueryAllRawEvents().AnyAsync(ct);
        if (hasEvents || force)
        {
            var which = projections.Length == Projections.Length ? "closed periods, chain heads, checkpoints, ledger; invoices, statements, claims, periods and ledger lines"
                : "the async read models: invoices, statements, claims, periods and ledger lines";
            log?.Invoke($"schema '{store.Options.DatabaseSchemaName}': rebuilding the settlement read models from its events ({which})…");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var daemon = await store.BuildProjectionDaemonAsync();
            try
            {
                foreach (var projection in projections)
                {
                    await daemon.RebuildProjectionAsync(projection, RebuildTimeout, ct);
                }
            }
            finally
            {
                await daemon.StopAllAsync();
                (daemon as IDisposable)?.Dispose();
            }
            log?.Invoke($"schema '{store.Options.DatabaseSchemaName}': read models rebuilt in {watch.Elapsed.TotalSeconds:0.0} s");
        }
        session.Store(new Marker { Version = Version });
        await session.SaveChangesAsync(ct);
        return hasEvents || force;
    }

    /// <summary>
    /// Cheap (a few one-row reads): which projections need a rebuild, or null when none does. No marker: all of them. The
    /// previous version's marker (2: the listed documents were inline), or closed periods without a single listed document
    /// (documents lost, or never projected): the async read models.
    /// </summary>
    private static async Task<Type[]?> NeededAsync(IQuerySession session, CancellationToken ct)
    {
        var marker = (await session.LoadAsync<Marker>(Marker.Key, ct))?.Version;
        if (marker is null or < 2)
        {
            return Projections;
        }
        if (marker < Version || await DocumentsLostAsync(session, ct))
        {
            return AsyncReadModels.Projections;
        }
        return null;
    }

    /// <summary>
    /// Whether the async projection's progress has passed a close of which no listed document exists (documents lost): not
    /// merely that the daemon has not reached the first close yet, which a rebuild would race.
    /// </summary>
    private static async Task<bool> DocumentsLostAsync(IQuerySession session, CancellationToken ct)
    {
        if (await session.Query<Settlement.PeriodDocument>().AnyAsync(ct) || await session.Query<Settlement.ClosedPeriodView>().FirstOrDefaultAsync(ct) is not { } closed)
        {
            return false;
        }
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var closedAt = (await session.AdvancedSql.QueryAsync<long>(
            $"select seq_id from \"{schema}\".mt_events where stream_id = ? and version = 1", ct, MartenSetup.Streams.Period(closed.Id))).FirstOrDefault();
        var progress = (await session.AdvancedSql.QueryAsync<long>(
            $"select coalesce(min(last_seq_id), 0) from \"{schema}\".mt_event_progression where name = any(?::text[])", ct,
            new object[] { AsyncReadModels.ShardNamesOf(session.DocumentStore) })).Single();
        return closedAt > 0 && progress >= closedAt;
    }
}
