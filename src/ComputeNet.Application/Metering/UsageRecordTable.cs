using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using Marten;
using NodaTime;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ComputeNet.Application.Metering;

/// <summary>
/// Every accepted usage record, one row each, written in the same transaction as the provider's batch event (which
/// stays the source of truth). It is what usage validation asks instead of holding every record ever in memory: the
/// earlier records with a batch's ids (repeat or <c>id-reused</c>) and those of its leases near its intervals
/// (<c>overlap</c>), through the primary key and the (provider, lease, start) index — so a batch costs its own records, whatever
/// the provider's history, and a restarted host has nothing to load. It also gives the device-seconds delivered per
/// lease for the SLA test of reserved leases.
/// </summary>
/// <remarks>
/// Times are kept as the record's exact instants inside <c>record</c> (the event's own JSON, stored as <c>json</c>, not
/// <c>jsonb</c>: it is only ever read whole, and text is cheaper to write); <c>from_s</c>/<c>to_s</c> are whole Unix
/// seconds (floor) used only to find candidates, which are then checked exactly in memory.
/// </remarks>
public static class UsageRecordTable
{
    public const string Name = "cn_usage_records";

    /// <summary>The table and its indexes, created and kept by Marten's schema management with everything else.</summary>
    public static Table Definition(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("provider").NotNull().AsPrimaryKey();
        table.AddColumn<string>("record_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("lease_id").NotNull();
        table.AddColumn<long>("from_s").NotNull();
        table.AddColumn<long>("to_s").NotNull();
        table.AddColumn<long>("device_seconds").NotNull();
        table.AddColumn<string>("receiving_period").NotNull();
        table.AddColumn("record", "json").NotNull();
        // One index serves validation (a lease's records near an interval), SLA deliveries, and GET /v1/usage in its order
        // (provider, lease, start): every reader knows a lease's provider (issue 12, "reads"; one index, not two, keeps
        // ingestion's cost).
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_provider_lease_from") { Columns = ["provider", "lease_id", "from_s"] });
        return table;
    }

    private static string Qualified(IQuerySession session) => $"\"{session.DocumentStore.Options.DatabaseSchemaName}\".{Name}";

    /// <summary>Queues the insert of <paramref name="records"/> (one statement) into the session's transaction.</summary>
    public static void Insert(IDocumentSession session, IReadOnlyCollection<UsageRecorded> records, bool ignoreExisting = false)
    {
        if (records.Count == 0)
        {
            return;
        }
        var serializer = session.DocumentStore.Options.Serializer();
        session.QueueSqlCommand(
            $"insert into {Qualified(session)} (provider, record_id, lease_id, from_s, to_s, device_seconds, receiving_period, record) "
            + "select * from unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::json[])"
            + (ignoreExisting ? " on conflict do nothing" : ""),
            records.Select(r => r.Provider).ToArray(),
            records.Select(r => r.RecordId).ToArray(),
            records.Select(r => r.LeaseId).ToArray(),
            records.Select(r => r.From.ToUnixTimeSeconds()).ToArray(),
            records.Select(r => r.To.ToUnixTimeSeconds()).ToArray(),
            records.Select(r => r.DeviceSeconds).ToArray(),
            records.Select(r => r.ReceivingPeriod).ToArray(),
            records.Select(r => serializer.ToJson(r)).ToArray());
    }

    /// <summary>
    /// What validation of <paramref name="commands"/> needs to know of <paramref name="provider"/>'s stored records: those
    /// with the commands' ids, and for each lease every record that could overlap the span of the commands' intervals of
    /// that lease (records of one lease never overlap, so these are the records starting inside the span and the last
    /// one starting before it). Two indexed queries, whatever the history.
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecorded>> KnownAsync(IQuerySession session, string provider, IReadOnlyList<Domain.Metering.RecordUsage> commands,
        CancellationToken ct)
    {
        var table = Qualified(session);
        var ids = commands.Select(c => c.RecordId).Distinct(StringComparer.Ordinal).ToArray();
        var byId = await session.AdvancedSql.QueryAsync<UsageRecorded>(
            $"select record from {table} where provider = ? and record_id = any(?)", ct, provider, ids);
        var spans = commands.Where(c => !string.IsNullOrEmpty(c.LeaseId) && c.From < c.To)
            .GroupBy(c => c.LeaseId, StringComparer.Ordinal)
            .Select(g => (Lease: g.Key, From: g.Min(c => c.From).ToUnixTimeSeconds(), To: g.Max(c => c.To).ToUnixTimeSeconds()))
            .ToList();
        if (spans.Count == 0)
        {
            return byId;
        }
        var near = await session.AdvancedSql.QueryAsync<UsageRecorded>(
            $"""
             select n.record from unnest(?::text[], ?::bigint[], ?::bigint[]) as s(lease, a, b)
             cross join lateral (
               (select u.record from {table} u where u.provider = ? and u.lease_id = s.lease and u.from_s >= s.a and u.from_s <= s.b)
               union all
               (select u.record from {table} u where u.provider = ? and u.lease_id = s.lease and u.from_s < s.a order by u.from_s desc limit 1)
             ) n
             """, ct, spans.Select(s => s.Lease).ToArray(), spans.Select(s => s.From).ToArray(), spans.Select(s => s.To).ToArray(), provider, provider);
        return byId.Concat(near).DistinctBy(r => r.RecordId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Device-seconds delivered over each lease's whole window by the records stored now (the SLA test).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> DeliveredAsync(IQuerySession session, IEnumerable<LeaseTerms> leases, CancellationToken ct)
    {
        var keys = leases.DistinctBy(l => l.LeaseId, StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return new Dictionary<string, long>(StringComparer.Ordinal);
        }
        var rows = await session.AdvancedSql.QueryAsync<LeaseDelivered>(
            $"select jsonb_build_object('leaseId', lease_id, 'deviceSeconds', sum(device_seconds)) from {Qualified(session)} "
            + "where (provider, lease_id) in (select * from unnest(?::text[], ?::text[])) group by lease_id",
            ct, keys.Select(l => l.Provider).ToArray(), keys.Select(l => l.LeaseId).ToArray());
        return rows.ToDictionary(r => r.LeaseId, r => r.DeviceSeconds, StringComparer.Ordinal);
    }

    private sealed record LeaseDelivered(string LeaseId, long DeviceSeconds);

    /// <summary>
    /// Records ordered by provider, lease and interval start, optionally one provider's and/or one lease's;
    /// <paramref name="limit"/> from <paramref name="offset"/>, read through the (provider, lease, start) or (lease, start)
    /// index (a lease-only filter names the lease's <paramref name="provider"/>: callers look it up). Whole seconds order
    /// through the index; the exact start (records of one lease never overlap, so it is distinct per lease) orders within
    /// a second.
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecorded>> PageAsync(IQuerySession session, string? provider, string? leaseId, int offset, int limit,
        CancellationToken ct)
    {
        var where = (provider, leaseId) switch
        {
            (null, null) => "true",
            (not null, null) => "provider = ?",
            (null, not null) => throw new ArgumentException("a lease's records are read with its provider", nameof(provider)),
            _ => "provider = ? and lease_id = ?",
        };
        object[] args = [.. new[] { provider, leaseId }.OfType<object>(), offset, limit];
        return await session.AdvancedSql.QueryAsync<UsageRecorded>(
            $"select record from {Qualified(session)} where {where} order by provider, lease_id, from_s, (record->>'from')::timestamptz, record_id offset ? limit ?",
            ct, args);
    }

    /// <summary>
    /// The records of some leases starting in [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>) (Unix seconds),
    /// through the (provider, lease, start) index: what a period's metering report reads instead of every record.
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecorded>> StartingBetweenAsync(IQuerySession session, IEnumerable<LeaseTerms> leases, long fromSeconds,
        long toSeconds, CancellationToken ct)
    {
        var keys = leases.DistinctBy(l => l.LeaseId, StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return [];
        }
        return await session.AdvancedSql.QueryAsync<UsageRecorded>(
            $"select record from {Qualified(session)} where (provider, lease_id) in (select * from unnest(?::text[], ?::text[])) and from_s >= ? and from_s < ?",
            ct, keys.Select(l => l.Provider).ToArray(), keys.Select(l => l.LeaseId).ToArray(), fromSeconds, toSeconds);
    }

    /// <summary>The records a period received for some leases (a claim's evidence, a FOCUS row's usage), per lease by start.</summary>
    public static async Task<IReadOnlyList<UsageRecorded>> ReceivedAsync(IQuerySession session, string period, IEnumerable<LeaseTerms> leases, CancellationToken ct)
    {
        var keys = leases.DistinctBy(l => l.LeaseId, StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return [];
        }
        return await session.AdvancedSql.QueryAsync<UsageRecorded>(
            $"select record from {Qualified(session)} where (provider, lease_id) in (select * from unnest(?::text[], ?::text[])) and receiving_period = ? "
            + "order by lease_id, from_s, (record->>'from')::timestamptz, record_id",
            ct, keys.Select(l => l.Provider).ToArray(), keys.Select(l => l.LeaseId).ToArray(), period);
    }

    /// <summary>
    /// One page of the records a period received for some leases (an invoice's lines, <c>GET /v1/invoices/{id}/usage</c>),
    /// ordered by lease then start: each lease is a range of the (provider, lease, start) index, so the page costs the
    /// invoice's own records, whatever the platform's history.
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecorded>> PageReceivedAsync(IQuerySession session, string period,
        IEnumerable<(string Provider, string LeaseId)> leases, int offset, int limit, CancellationToken ct)
    {
        var keys = leases.Distinct().ToArray();
        if (keys.Length == 0)
        {
            return [];
        }
        return await session.AdvancedSql.QueryAsync<UsageRecorded>(
            $"select record from {Qualified(session)} where (provider, lease_id) in (select * from unnest(?::text[], ?::text[])) and receiving_period = ? "
            + "order by lease_id, from_s, (record->>'from')::timestamptz, record_id offset ? limit ?",
            ct, keys.Select(l => l.Provider).ToArray(), keys.Select(l => l.LeaseId).ToArray(), period, offset, limit);
    }

    /// <summary>
    /// Upgrades a schema written before this table existed: when the table is empty but usage events exist, every stored
    /// record is copied in from the events (once; concurrent starts skip rows already there). Returns the rows added.
    /// </summary>
    public static async Task<int> BackfillAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var table = Qualified(query);
        if ((await query.AdvancedSql.QueryAsync<bool>($"select exists (select 1 from {table})", ct)).Single())
        {
            return 0;
        }
        // Through the partial index on usage batches (created before this runs), not a scan of every event. Single
        // UsageRecorded events of schemas older than ADR 0007 are not copied: nothing reads them (metering.md).
        if (!await query.Events.QueryRawEventDataOnly<UsageBatchRecorded>().AnyAsync(ct))
        {
            return 0;
        }
        var added = 0;
        async Task WriteAsync(IEnumerable<UsageRecorded> records)
        {
            foreach (var chunk in records.Chunk(10_000))
            {
                await using var session = store.LightweightSession();
                Insert(session, chunk, ignoreExisting: true);
                await session.SaveChangesAsync(ct);
                added += chunk.Length;
            }
        }
        await foreach (var batch in query.Events.QueryRawEventDataOnly<UsageBatchRecorded>().ToAsyncEnumerable(ct))
        {
            await WriteAsync(batch.Records);
        }
        return added;
    }
}
