using ComputeNet.Application.Metering;
using ComputeNet.Application.Settlement;
using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The upgrade path for schemas written before the settlement documents existed (issue 12): their events are there,
/// their documents are not. On start (<see cref="ComputeNetServices.InitialiseComputeNetAsync"/>), when no
/// <see cref="PeriodDocument"/> is stored but periods were closed, the documents are rebuilt from the events with
/// Marten's projection daemon (<c>RebuildProjectionAsync</c>, which replays the events through the same inline
/// projection), which says so on standard error. A rebuild writes the documents the projection would have written;
/// repeating it changes nothing but the close-order numbers, which keep their order. (Usage rows have their own
/// backfill: <see cref="UsageRecordTable.BackfillAsync"/>.)
/// </summary>
public static class ReadModelRebuild
{
    /// <summary>The longest a rebuild of one projection may take before start-up gives up (minutes per million events, measured far below).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromHours(1);

    /// <summary>Rebuilds the read models that are missing; returns the names of those rebuilt.</summary>
    public static async Task<IReadOnlyList<string>> RebuildMissingAsync(IDocumentStore store, TextWriter? log, CancellationToken ct)
    {
        if (!await MissingAsync(store, ct))
        {
            return [];
        }
        // Under the exclusive settlement lock: no close draws a close-order number meanwhile, and of hosts starting
        // together on the same old schema one rebuilds while the others wait and then find nothing missing.
        await using var guard = store.LightweightSession();
        await SettlementLock.ExclusiveAsync(guard, ct);
        if (!await MissingAsync(store, ct))
        {
            return [];
        }
        await RebuildAllAsync(store, log, ct);
        return [nameof(SettlementDocumentsProjection)];
    }

    /// <summary>Cheap: the first document, then (only if there is none) whether any period was closed (a small table).</summary>
    private static async Task<bool> MissingAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return !await session.Query<PeriodDocument>().AnyAsync(ct) && await session.Query<ClosedPeriodView>().AnyAsync(ct);
    }

    /// <summary>Rebuilds the settlement documents from the events, whatever is stored (callers keep closes out meanwhile).</summary>
    public static Task RebuildAllAsync(IDocumentStore store, TextWriter? log, CancellationToken ct) =>
        RebuildAsync<SettlementDocumentsProjection>(store, "invoices, statements, claims and periods", log, ct);

    private static async Task RebuildAsync<T>(IDocumentStore store, string what, TextWriter? log, CancellationToken ct)
    {
        log?.WriteLine($"computenet: rebuilding the read model of {what} ({typeof(T).Name}) from stored events…");
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<T>(Timeout, ct);
        log?.WriteLine($"computenet: rebuilt {what} in {started.Elapsed.TotalSeconds:0.0} s.");
    }
}
