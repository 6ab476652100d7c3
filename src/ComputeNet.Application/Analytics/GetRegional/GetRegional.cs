using ComputeNet.Application.Platform;
using ComputeNet.Domain.Reference;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Analytics.GetRegional;

/// <summary>
/// Regulator, operator: the map of the national hubs and their clusters (reference coordinates) with, per settlement
/// period, each cluster's utilisation, delivery and green-power share, and the flow of compute and data from buyers'
/// cities to the hubs — east→west among them. The figures of one period are those of <c>GET /v1/reports/metering</c>,
/// read from running totals — delivery from <see cref="LeaseUsagePeriod"/>, offered and leased capacity from
/// <see cref="CapacityPeriods"/> — instead of usage records, offers and leases: a read costs its periods × clusters.
/// </summary>
public sealed record GetRegionalRequest(string? From = null, string? To = null) : IQuery<RegionalView>;

/// <summary>A hub on the map: its position is the mean of its clusters' (reference data has no position for a hub itself).</summary>
public sealed record MapHub(string Id, string Name, string Kind, double Lat, double Lon, IReadOnlyList<string> Clusters);

/// <summary>A cluster on the map; <see cref="ReferenceGreenShare"/> is the reference data's demo value, not a measurement.</summary>
public sealed record MapCluster(string Id, string Name, string Hub, double Lat, double Lon, decimal ReferenceGreenShare);

public sealed record MapCity(string Id, string Name, double Lat, double Lon, string Side);

/// <summary>
/// A cluster in a period: device-hours offered and leased and their ratio; delivered (usage whose interval starts in the
/// period) in SCU-hours (6 places), energy and green kWh, the measured green share (4 places; null without energy), GB moved.
/// </summary>
public sealed record ClusterPeriod(string Cluster, string Hub, long OfferedDeviceHours, long LeasedDeviceHours, decimal? Utilisation, decimal ScuHours,
    decimal EnergyKwh, decimal GreenKwh, decimal? GreenShare, decimal TransferGb);

/// <summary>Compute (SCU-hours, 6 places) and data (GB) delivered in a hub's clusters to buyers registered in a city.</summary>
public sealed record Flow(string BuyerCity, string Side, string Hub, string HubKind, decimal ScuHours, decimal TransferGb);

/// <summary>
/// One period: its clusters (every cluster of the reference data), flows (city × hub, only those with delivery), and the
/// east→west figures — SCU-hours and GB delivered in resource-hub clusters to buyers whose registered city is in the east,
/// and that SCU-hours' share of all delivered (4 places).
/// </summary>
public sealed record RegionalPeriod(string Period, Instant Start, Instant End, IReadOnlyList<ClusterPeriod> Clusters, IReadOnlyList<Flow> Flows,
    decimal ScuHours, decimal EastToWestScuHours, decimal EastToWestShare, decimal EastToWestTransferGb);

public sealed record RegionalView(IReadOnlyList<MapHub> Hubs, IReadOnlyList<MapCluster> Clusters, IReadOnlyList<MapCity> Cities, IReadOnlyList<RegionalPeriod> Periods);

public sealed class GetRegionalValidator : AbstractValidator<GetRegionalRequest>
{
    public GetRegionalValidator()
    {
        RuleFor(x => x.From).MaximumLength(10);
        RuleFor(x => x.To).MaximumLength(10);
    }
}

public sealed class GetRegionalHandler(IDocumentStore store, PlatformService platform, IClock clock, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<GetRegionalRequest, RegionalView>
{
    private sealed record Delivered(string Period, string Cluster, string? City, decimal ScuDeviceSeconds, decimal EnergyKwh, decimal GreenKwh, decimal TransferGb);

    public async ValueTask<RegionalView> Handle(GetRegionalRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var catalogue = view.Catalogue;
        var periods = Buckets.Periods(q.From, q.To, view.Calendar, clock.GetCurrentInstant());
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        // Offered and leased device-hours from their running totals per (period, cluster) (ADR 0029); summed from the offer
        // and lease documents only while the totals are still cut by a calendar changed before the first close.
        var (offered, leased) = await CapacityPeriods.ReadAsync(session, view.Calendar, periods, ct)
            ?? (await CapacitySql.OfferedAsync(session, null, periods, ct), await CapacitySql.LeasedAsync(session, null, periods, ct));
        var schema = Buckets.Schema(session);
        var delivered = await session.AdvancedSql.QueryAsync<Delivered>(
            $"""
             select jsonb_build_object('period', x.period, 'cluster', x.cluster, 'city', x.city, 'scuDeviceSeconds', sum(x.scu), 'energyKwh', sum(x.energy),
                    'greenKwh', sum(x.green), 'transferGb', sum(x.gb))
             from (
               select r.data ->> 'period' as period, d.data -> 'terms' ->> 'cluster' as cluster, p.data -> 'registered' ->> 'city' as city,
                      (r.data ->> 'scuDeviceSeconds')::numeric as scu, (r.data ->> 'energyKwh')::numeric as energy, (r.data ->> 'greenKwh')::numeric as green,
                      (r.data ->> 'transferGb')::numeric as gb
               from {schema}.mt_doc_leaseusageperiod r
               join {schema}.mt_doc_leasedocument d on d.id = 'lease:' || (r.data ->> 'leaseId')
               left join {schema}.mt_doc_partydocument p on p.id = 'party:' || (d.data ->> 'buyer')
               where (r.data ->> 'period') = any(?)
             ) x
             group by x.period, x.cluster, x.city
             """, ct, [periods.Select(p => p.Key).ToArray()]);

        var deliveredBy = delivered.Where(d => catalogue.Cluster(d.Cluster) is not null).ToLookup(d => d.Period, StringComparer.Ordinal);
        var offeredBy = offered.ToLookup(x => (x.Bucket, x.Cluster));
        var leasedBy = leased.ToLookup(x => (x.Bucket, x.Cluster));
        var result = new List<RegionalPeriod>();
        foreach (var p in periods)
        {
            var here = deliveredBy[p.Key].ToList();
            var clusters = catalogue.Clusters.OrderBy(c => c.HubId, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal).Select(c =>
            {
                var o = (long)offeredBy[(p.Key, c.Id)].Sum(x => x.Value);
                var l = (long)leasedBy[(p.Key, c.Id)].Sum(x => x.Value);
                var d = here.Where(x => x.Cluster == c.Id).ToList();
                var (energy, green) = (d.Sum(x => x.EnergyKwh), d.Sum(x => x.GreenKwh));
                return new ClusterPeriod(c.Id, c.HubId, o, l, Buckets.Ratio(l, o), ScuHours(d.Sum(x => x.ScuDeviceSeconds)), energy, green,
                    Buckets.Ratio(green, energy), d.Sum(x => x.TransferGb));
            }).ToList();
            var flows = here.Where(d => d.City is not null && catalogue.City(d.City) is not null)
                .GroupBy(d => (City: d.City!, Hub: catalogue.Cluster(d.Cluster)!.HubId))
                .Select(g => new Flow(g.Key.City, Side(catalogue.City(g.Key.City)!.Side), g.Key.Hub, Kind(catalogue.Hub(g.Key.Hub)?.Kind ?? HubKind.Demand),
                    ScuHours(g.Sum(x => x.ScuDeviceSeconds)), g.Sum(x => x.TransferGb)))
                .OrderBy(f => f.BuyerCity, StringComparer.Ordinal).ThenBy(f => f.Hub, StringComparer.Ordinal)
                .ToList();
            var eastToWest = here.Where(d => d.City is not null && catalogue.City(d.City)?.Side == CitySide.East
                && catalogue.Hub(catalogue.Cluster(d.Cluster)!.HubId)?.Kind == HubKind.Resource).ToList();
            var all = here.Sum(x => x.ScuDeviceSeconds);
            var e2w = eastToWest.Sum(x => x.ScuDeviceSeconds);
            result.Add(new RegionalPeriod(p.Key, p.Start, p.End, clusters, flows, ScuHours(all), ScuHours(e2w),
                all == 0 ? 0 : Math.Round(e2w / all, 4, MidpointRounding.AwayFromZero), eastToWest.Sum(x => x.TransferGb)));
        }
        var map = Map(catalogue);
        return new RegionalView(map.Hubs, map.Clusters, map.Cities, result);
    }

    private static decimal ScuHours(decimal scuDeviceSeconds) => Math.Round(scuDeviceSeconds / 3600m, 6, MidpointRounding.AwayFromZero);

    private static string Side(CitySide side) => side == CitySide.West ? "west" : "east";

    private static string Kind(HubKind kind) => kind == HubKind.Resource ? "resource" : "demand";

    public static (IReadOnlyList<MapHub> Hubs, IReadOnlyList<MapCluster> Clusters, IReadOnlyList<MapCity> Cities) Map(Catalogue catalogue) =>
    (
        catalogue.Hubs.OrderBy(h => h.Kind).ThenBy(h => h.Id, StringComparer.Ordinal).Select(h =>
        {
            var members = catalogue.Clusters.Where(c => c.HubId == h.Id).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            return new MapHub(h.Id, h.Name, Kind(h.Kind), members.Count == 0 ? 0 : Math.Round(members.Average(c => c.Lat), 2),
                members.Count == 0 ? 0 : Math.Round(members.Average(c => c.Lon), 2), members.Select(c => c.Id).ToList());
        }).ToList(),
        catalogue.Clusters.OrderBy(c => c.HubId, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal)
            .Select(c => new MapCluster(c.Id, c.Name, c.HubId, c.Lat, c.Lon, c.GreenShare)).ToList(),
        catalogue.Cities.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => new MapCity(c.Id, c.Name, c.Lat, c.Lon, Side(c.Side))).ToList()
    );
}
