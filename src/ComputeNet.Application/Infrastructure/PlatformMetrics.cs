using System.Diagnostics.Metrics;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The platform's own metrics (System.Diagnostics.Metrics meter <c>ComputeNet</c>), beside ASP.NET Core's and Npgsql's:
/// what the runbook (docs/runbook.md) says to watch. The API host exports them (OpenTelemetry: OTLP, Prometheus
/// <c>/metrics</c>); in any other process they cost an instrument check per call and nothing else. Durations are
/// seconds (OpenTelemetry's convention); counts have no unit suffix.
/// </summary>
public static class PlatformMetrics
{
    public const string MeterName = "ComputeNet";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Orders decided by the market writer, tagged <c>outcome</c> = accepted, repeat or rejected (rate: orders/s).</summary>
    public static readonly Counter<long> Orders = Meter.CreateCounter<long>("computenet.orders", "{order}",
        "orders (bids and offers, cancels and reductions) decided by the market writer, by outcome");

    /// <summary>Commands per group commit of the market writer (its batch size: 1 when idle, larger under load).</summary>
    public static readonly Histogram<long> CommandsPerCommit = Meter.CreateHistogram<long>("computenet.market.commit.commands", "{command}",
        "commands decided and journaled in one market-writer transaction",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });

    /// <summary>Wall time of one market-writer transaction: catch-up, decide, and the commit to PostgreSQL.</summary>
    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("computenet.market.commit.duration", "s",
        "wall time of one market-writer transaction (catch-up, decide, commit)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] });

    /// <summary>Usage records durably stored (new ones; repeats and rejections not counted) (rate: usage records/s).</summary>
    public static readonly Counter<long> UsageRecordsStored = Meter.CreateCounter<long>("computenet.usage.records", "{record}",
        "usage records durably stored (repeats and rejections not counted)");

    /// <summary>Wall time of one period close, tagged <c>outcome</c> = closed or repeat.</summary>
    public static readonly Histogram<double> CloseDuration = Meter.CreateHistogram<double>("computenet.close.duration", "s",
        "wall time of one period close",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600] });

    /// <summary>Requests refused by the rate limit, tagged <c>by</c> = key (a valid key over its budget) or address (no valid key).</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("computenet.rate_limited", "{request}",
        "requests refused 429 rate-limited, by the bucket that was empty (key or address)");

    /// <summary>
    /// Payouts requested but not settled (status requested or failed): money promised to a payee and not yet sent. Read
    /// from <see cref="UnsettledPayouts"/>, which the host refreshes (<see cref="SetUnsettledPayouts"/>); a scrape never
    /// queries the database.
    /// </summary>
    public static readonly ObservableGauge<long> UnsettledPayoutsGauge = Meter.CreateObservableGauge("computenet.payouts.unsettled",
        () => Volatile.Read(ref _unsettled) is { } u
            ? new[] { new Measurement<long>(u.Requested, new KeyValuePair<string, object?>("status", "requested")),
                new Measurement<long>(u.Failed, new KeyValuePair<string, object?>("status", "failed")) }
            : [],
        "{payout}", "payouts requested and not yet settled, by status (requested: not yet sent; failed: the last attempt failed)");

    private static UnsettledCounts? _unsettled;

    private sealed record UnsettledCounts(long Requested, long Failed);

    public static (long Requested, long Failed)? UnsettledPayouts => _unsettled is { } u ? (u.Requested, u.Failed) : null;

    public static void SetUnsettledPayouts(long requested, long failed) => Volatile.Write(ref _unsettled, new UnsettledCounts(requested, failed));

    public static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);
}
