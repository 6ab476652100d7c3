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
/// Usage ingestion. Each provider's usage lives in its own stream (<c>usage:{provider}</c>) as batch events; the
/// state validation needs (record ids, each lease's intervals) is held in memory per provider and caught up from that
/// stream before every decision, so it is exact across processes. One writer per provider; the append carries the
/// expected stream version, so a writer elsewhere causes a retry, never a double record. Every batch is written under
/// the shared settlement lock, so it is either seen whole by a period close or routed past it.
/// </summary>
public sealed class MeteringService(IDocumentStore store, PartyDirectory parties, PlatformService platform)
{
    private readonly ConcurrentDictionary<string, ProviderState> _providers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LeaseTerms> _leases = new(StringComparer.Ordinal);

    public static string StreamOf(string provider) => $"usage:{provider}";

    public async Task<IReadOnlyList<UsageOutcome>> RecordAsync(string provider, IReadOnlyList<Domain.Metering.RecordUsage> commands, CancellationToken ct)
    {
        var state = _providers.GetOrAdd(provider, p => new ProviderState(new ProviderUsage(p)));
        var calendar = (await platform.CurrentAsync(ct)).Calendar;
        var routes = await parties.RoutesMapAsync(ct);
        await state.Gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var session = store.LightweightSession();
                await SettlementLock.ShareAsync(session, ct);
                await CatchUpAsync(session, state, ct);
                await LoadLeasesAsync(session, commands.Select(c => c.LeaseId), ct);
                var closed = (await session.Query<ClosedPeriodView>().Select(p => p.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

                var decision = state.Usage.Decide(commands, id => _leases.GetValueOrDefault(id),
                    (city, cluster) => routes.GetValueOrDefault((city, cluster)), calendar, closed);
                if (decision.Events.Count == 0)
                {
                    return decision.Outcomes;
                }
                var events = decision.Events.Cast<object>().ToArray();
                ExpectedVersion.Append(session, StreamOf(provider), state.Version, events);
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
                {
                    await ExpectedVersion.BackOffAsync(attempt, ct);
                    continue;
                }
                foreach (var e in events)
                {
                    state.Usage.Evolve(e);
                }
                state.Version += events.Length;
                return decision.Outcomes;
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Usage records received by a period, read from the store (callers hold the exclusive settlement lock).</summary>
    public static async Task<IReadOnlyList<UsageRecorded>> ReceivedByAsync(IQuerySession session, string period, CancellationToken ct)
    {
        var batches = await session.Events.QueryRawEventDataOnly<UsageBatchRecorded>().Where(b => b.ReceivingPeriod == period).ToListAsync(ct);
        return batches.SelectMany(b => b.Records).ToList();
    }

    /// <summary>Every recorded usage record, optionally one provider's, read from the store in provider then record order.</summary>
    public static async Task<IReadOnlyList<UsageRecorded>> AllAsync(IQuerySession session, string? provider, CancellationToken ct)
    {
        IReadOnlyList<UsageBatchRecorded> batches = provider is null
            ? await session.Events.QueryRawEventDataOnly<UsageBatchRecorded>().ToListAsync(ct)
            : (await session.Events.FetchStreamAsync(StreamOf(provider), token: ct)).Select(e => e.Data).OfType<UsageBatchRecorded>().ToList();
        return batches.SelectMany(b => b.Records)
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.LeaseId, StringComparer.Ordinal).ThenBy(r => r.From)
            .ToList();
    }

    /// <summary>Device-seconds delivered over each lease's whole window by the records stored now (for SLA credits).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> DeliveredAsync(IQuerySession session, IEnumerable<LeaseTerms> leases, CancellationToken ct)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var byProvider in leases.GroupBy(l => l.Provider))
        {
            var ids = byProvider.Select(l => l.LeaseId).ToHashSet(StringComparer.Ordinal);
            foreach (var r in await AllAsync(session, byProvider.Key, ct))
            {
                if (ids.Contains(r.LeaseId))
                {
                    result[r.LeaseId] = result.GetValueOrDefault(r.LeaseId) + r.DeviceSeconds;
                }
            }
        }
        return result;
    }

    private static async Task CatchUpAsync(IQuerySession session, ProviderState state, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(StreamOf(state.Usage.Provider), fromVersion: state.Version + 1, token: ct);
        foreach (var e in events)
        {
            if (e.Version > state.Version)
            {
                state.Usage.Evolve(e.Data);
                state.Version = e.Version;
            }
        }
    }

    /// <summary>Lease terms never change, so each is loaded once and kept.</summary>
    private async Task LoadLeasesAsync(IQuerySession session, IEnumerable<string> leaseIds, CancellationToken ct)
    {
        var missing = leaseIds.Where(id => !string.IsNullOrEmpty(id) && !_leases.ContainsKey(id)).Distinct().Select(MartenSetup.Streams.Lease).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        foreach (var doc in await session.LoadManyAsync<LeaseDocument>(ct, missing))
        {
            _leases[doc.LeaseId] = doc.Terms;
        }
    }

    private sealed class ProviderState(ProviderUsage usage)
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ProviderUsage Usage { get; } = usage;
        public long Version { get; set; }
    }
}
