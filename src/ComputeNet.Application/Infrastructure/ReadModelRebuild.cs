using ComputeNet.Application.Metering;
using ComputeNet.Application.Settlement;
using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The upgrade path for schemas written before the settlement documents and usage rows existed (issue 12): their
/// events are there, their read models are not. On start (<see cref="ComputeNetServices.InitialiseComputeNetAsync"/>)
/// each read model that is empty while its source events exist is rebuilt from the events with Marten's projection
/// daemon (<c>RebuildProjectionAsync</c>, which replays the events through the same inline projection), and says so on
/// standard error. A rebuild writes the same documents and rows the projections would have written; repeating it changes
/// nothing (documents are stored by id, rows by (seq, ord)).
/// </summary>
public static class ReadModelRebuild
{
    /// <summary>The longest a rebuild of one projection may take before start-up gives up (minutes per million events, measured far below).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromHours(1);

    /// <summary>Rebuilds the read models that are missing; returns the names of those rebuilt.</summary>
    public static async Task<IReadOnlyList<string>> RebuildMissingAsync(IDocumentStore store, TextWriter? log, CancellationToken ct)
    {
        var rebuilt = new List<string>();
        bool settlementMissing, usageMissing;
        await using (var session = store.QuerySession())
        {
            // Cheap checks, so a start pays nothing for them: the read model's first row, then (only if there is none) the
            // small tables that say whether there is anything to rebuild from — closed periods, usage streams.
            settlementMissing = !await session.Query<PeriodDocument>().AnyAsync(ct) && await session.Query<ClosedPeriodView>().AnyAsync(ct);
            usageMissing = !await UsageRecordTable.AnyAsync(session, ct) && (await session.QueryAsync<bool>(
                $"select exists(select 1 from {store.Options.Events.DatabaseSchemaName}.mt_streams where id like 'usage:%')", ct)).Single();
        }
        if (settlementMissing)
        {
            await RebuildAsync<SettlementDocumentsProjection>(store, "invoices, statements, claims and periods", log, ct);
            rebuilt.Add(nameof(SettlementDocumentsProjection));
        }
        if (usageMissing)
        {
            await RebuildAsync<UsageRecordProjection>(store, "usage records", log, ct);
            rebuilt.Add(nameof(UsageRecordProjection));
        }
        return rebuilt;
    }

    /// <summary>Rebuilds every read model of issue 12 from the events, whatever is stored (the CLI's <c>db rebuild-reads</c>).</summary>
    public static async Task RebuildAllAsync(IDocumentStore store, TextWriter? log, CancellationToken ct)
    {
        await RebuildAsync<SettlementDocumentsProjection>(store, "invoices, statements, claims and periods", log, ct);
        await RebuildAsync<UsageRecordProjection>(store, "usage records", log, ct);
    }

    private static async Task RebuildAsync<T>(IDocumentStore store, string what, TextWriter? log, CancellationToken ct)
    {
        log?.WriteLine($"computenet: rebuilding the read model of {what} ({typeof(T).Name}) from stored events: this schema was written by an earlier version…");
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<T>(Timeout, ct);
        log?.WriteLine($"computenet: rebuilt {what} in {started.Elapsed.TotalSeconds:0.0} s.");
    }
}
