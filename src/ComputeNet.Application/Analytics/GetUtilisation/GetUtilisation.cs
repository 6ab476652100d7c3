using ComputeNet.Application.Platform;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Analytics.GetUtilisation;

/// <summary>
/// Provider: utilisation of its offers and clusters over time, for a chart — per step (<see cref="Buckets"/>: hours or
/// settlement periods), device-hours offered and leased, and device-seconds delivered (usage). Regulators and operators:
/// any provider's, or with no provider every cluster's (no offer series then).
/// </summary>
/// <param name="Provider">Whose offers; null: every provider's, per cluster only.</param>
public sealed record GetUtilisationRequest(string? Provider, string? By = null, string? From = null, string? To = null) : IQuery<UtilisationView>;

/// <summary>
/// One step of a series. Offered: the whole hours of each offer's window inside the step, until it was cancelled, times its
/// devices; leased: the same for its leases; delivered: device-seconds of the usage records whose interval starts in the
/// step. <see cref="Utilisation"/> = leased ÷ offered (4 places; null when nothing was offered).
/// </summary>
public sealed record UtilisationPoint(string Bucket, long OfferedDeviceHours, long LeasedDeviceHours, decimal? Utilisation, long DeliveredDeviceSeconds);

/// <summary>An offer's series (<see cref="Offer"/> set) or a cluster's (<see cref="Offer"/> null). Points only for steps with any figure.</summary>
public sealed record UtilisationSeries(string? Offer, string Cluster, IReadOnlyList<UtilisationPoint> Points);

public sealed record UtilisationView(string? Provider, string By, IReadOnlyList<BucketView> Buckets, IReadOnlyList<UtilisationSeries> Offers,
    IReadOnlyList<UtilisationSeries> Clusters);

public sealed class GetUtilisationValidator : AbstractValidator<GetUtilisationRequest>
{
    public GetUtilisationValidator()
    {
        RuleFor(x => x.Provider).MaximumLength(64);
        RuleFor(x => x.From).MaximumLength(40);
        RuleFor(x => x.To).MaximumLength(40);
    }
}

public sealed class GetUtilisationHandler(IDocumentStore store, PlatformService platform, IClock clock, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<GetUtilisationRequest, UtilisationView>
{
    public async ValueTask<UtilisationView> Handle(GetUtilisationRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var by = q.By ?? Buckets.ByPeriod;
        var buckets = Buckets.Of(by, q.From, q.To, view.Calendar, clock.GetCurrentInstant());
        var byPeriod = by == Buckets.ByPeriod;
        if (byPeriod)
        {
            await readModels.ReadyAsync(ct);
        }
        await using var session = store.QuerySession();
        // Every provider's per period: the running totals per (period, cluster) (ADR 0029). A provider's, or by hour: its
        // offers and leases overlapping the range, summed in PostgreSQL.
        var totals = q.Provider is null && byPeriod ? await CapacityPeriods.ReadAsync(session, view.Calendar, buckets, ct) : null;
        var (offered, leased) = totals
            ?? (await CapacitySql.OfferedAsync(session, q.Provider, buckets, ct), await CapacitySql.LeasedAsync(session, q.Provider, buckets, ct));
        var delivered = await CapacitySql.DeliveredAsync(session, q.Provider, buckets, byPeriod, ct);
        var series = Series(buckets, offered, leased, delivered, c => (c.Offer, c.Cluster));
        var clusters = Series(buckets, offered, leased, delivered, c => ("", c.Cluster));
        return new UtilisationView(q.Provider, by, buckets,
            q.Provider is null ? [] : series.Select(s => s with { Offer = s.Offer ?? "" }).ToList(),
            clusters.Select(s => s with { Offer = null }).ToList());
    }

    /// <summary>Sums the cells per series key and step; series in (cluster, offer) order, points in step order.</summary>
    internal static List<UtilisationSeries> Series(IReadOnlyList<BucketView> buckets, IReadOnlyList<Cell> offered, IReadOnlyList<Cell> leased,
        IReadOnlyList<Cell> delivered, Func<Cell, (string Offer, string Cluster)> keyOf)
    {
        var order = buckets.Select((b, i) => (b.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal);
        var sums = new Dictionary<(string Offer, string Cluster), SortedDictionary<int, (decimal Offered, decimal Leased, decimal Delivered)>>();
        void Add(IReadOnlyList<Cell> cells, int which)
        {
            foreach (var c in cells)
            {
                if (!order.TryGetValue(c.Bucket, out var i))
                {
                    continue;
                }
                var key = keyOf(c);
                if (!sums.TryGetValue(key, out var points))
                {
                    sums[key] = points = new SortedDictionary<int, (decimal, decimal, decimal)>();
                }
                var (o, l, d) = points.GetValueOrDefault(i);
                points[i] = which switch { 0 => (o + c.Value, l, d), 1 => (o, l + c.Value, d), _ => (o, l, d + c.Value) };
            }
        }
        Add(offered, 0);
        Add(leased, 1);
        Add(delivered, 2);
        return sums.OrderBy(s => s.Key.Cluster, StringComparer.Ordinal).ThenBy(s => s.Key.Offer, StringComparer.Ordinal)
            .Select(s => new UtilisationSeries(s.Key.Offer, s.Key.Cluster, s.Value
                .Where(p => p.Value.Offered != 0 || p.Value.Leased != 0 || p.Value.Delivered != 0)
                .Select(p => new UtilisationPoint(buckets[p.Key].Key, (long)p.Value.Offered, (long)p.Value.Leased, Buckets.Ratio(p.Value.Leased, p.Value.Offered),
                    (long)p.Value.Delivered))
                .ToList()))
            .Where(s => s.Points.Count > 0)
            .ToList();
    }
}
