using System.Collections.Concurrent;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using Marten;

namespace ComputeNet.Application.Metering;

/// <summary>
/// Usage ingestion. Each provider's usage lives in its own stream (<c>usage:{provider}</c>) as batch events, and every
/// accepted record also gets a row in <see cref="UsageRecordTable"/> in the same transaction. Validation reads from that
/// table only what a batch needs (its ids, and its leases' records near its intervals), so nothing of a provider's
/// history is held in memory and a restarted host has nothing to load. One writer per provider per process; the append
/// carries the provider stream's expected version, so a writer elsewhere causes a retry (which reads again), never a
/// double record. Every batch is written under the shared settlement lock, so it is either seen whole by a period close
/// or routed past it.
/// </summary>
public sealed class MeteringService(IDocumentStore store, PartyDirectory parties, PlatformService platform)
{
    /// <summary>One gate and the last known stream version per provider: bounded by the number of providers.</summary>
    private readonly ConcurrentDictionary<string, ProviderState> _providers = new(StringComparer.Ordinal);

    public static string StreamOf(string provider) => $"usage:{provider}";

    public async Task<IReadOnlyList<UsageOutcome>> RecordAsync(string provider, IReadOnlyList<Domain.Metering.RecordUsage> commands, CancellationToken ct)
    {
        var state = _providers.GetOrAdd(provider, _ => new ProviderState());
        var calendar = (await platform.CurrentAsync(ct)).Calendar;
        var routes = await parties.RoutesMapAsync(ct);
        await state.Gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var session = store.LightweightSession();
                await SettlementLock.ShareAsync(session, ct);
                // The version is known before the records are read: an append by anyone after this point fails ours.
                var version = state.Version ??= (await session.Events.FetchStreamStateAsync(StreamOf(provider), ct))?.Version ?? 0;
                var leases = await LeasesAsync(session, commands, ct);
                var usage = new ProviderUsage(provider);
                foreach (var known in await UsageRecordTable.KnownAsync(session, provider, commands, ct))
                {
                    usage.Evolve(known);
                }
                var closed = await ClosedPeriodsFromAsync(session, commands, calendar, ct);

                var decision = usage.Decide(commands, id => leases.GetValueOrDefault(id),
                    (city, cluster) => routes.GetValueOrDefault((city, cluster)), calendar, closed);
                if (decision.Events.Count == 0)
                {
                    return decision.Outcomes;
                }
                var events = decision.Events.Cast<object>().ToArray();
                ExpectedVersion.Append(session, StreamOf(provider), version, events);
                foreach (var batch in decision.Events)
                {
                    UsageRecordTable.Insert(session, batch.Records.ToList());
                }
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
                {
                    state.Version = null;
                    await ExpectedVersion.BackOffAsync(attempt, ct);
                    continue;
                }
                state.Version = version + events.Length;
                PlatformMetrics.UsageRecordsStored.Add(decision.Events.Sum(b => (long)b.Records.Count()));
                return decision.Outcomes;
            }
        }
        catch
        {
            state.Version = null;
            throw;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// The closed periods a batch can be routed past: those from the earliest own period of its records on (period keys
    /// of one calendar sort as text), so the read does not grow with the number of periods ever closed.
    /// </summary>
    private static async Task<IReadOnlySet<string>> ClosedPeriodsFromAsync(IQuerySession session, IReadOnlyList<Domain.Metering.RecordUsage> commands,
        Domain.Settlement.PeriodCalendar calendar, CancellationToken ct)
    {
        if (commands.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
        var earliest = calendar.PeriodOf(commands.Min(c => c.From)).Key;
        var ids = await session.AdvancedSql.QueryAsync<string>(
            $"select id from \"{session.DocumentStore.Options.DatabaseSchemaName}\".mt_doc_closedperiodview where id >= ?", ct, earliest);
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The terms of the leases a batch names, in one read (lease terms never change; nothing is kept between batches).</summary>
    private static async Task<IReadOnlyDictionary<string, LeaseTerms>> LeasesAsync(IQuerySession session, IReadOnlyList<Domain.Metering.RecordUsage> commands,
        CancellationToken ct)
    {
        var ids = commands.Select(c => c.LeaseId).Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal)
            .Select(MartenSetup.Streams.Lease).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, LeaseTerms>(StringComparer.Ordinal);
        }
        return (await session.LoadManyAsync<LeaseDocument>(ct, ids)).ToDictionary(d => d.LeaseId, d => d.Terms, StringComparer.Ordinal);
    }

    /// <summary>Usage records received by a period, read from the store (callers hold the exclusive settlement lock).</summary>
    public static async Task<IReadOnlyList<UsageRecorded>> ReceivedByAsync(IQuerySession session, string period, CancellationToken ct)
    {
        var batches = await session.Events.QueryRawEventDataOnly<UsageBatchRecorded>().Where(b => b.ReceivingPeriod == period).ToListAsync(ct);
        return batches.SelectMany(b => b.Records).ToList();
    }

    /// <summary>Device-seconds delivered over each lease's whole window by the records stored now (for SLA credits).</summary>
    public static Task<IReadOnlyDictionary<string, long>> DeliveredAsync(IQuerySession session, IEnumerable<LeaseTerms> leases, CancellationToken ct) =>
        UsageRecordTable.DeliveredAsync(session, leases, ct);

    private sealed class ProviderState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        /// <summary>The provider stream's version after this process's last append; null when unknown (start, a failed append).</summary>
        public long? Version { get; set; }
    }
}
