using ComputeNet.Application.Platform;
using ComputeNet.Application.Platform.ConfigurePlatform;
using ComputeNet.Api.Security;
using ComputeNet.Domain.Reference;
using Mediator;

namespace ComputeNet.Api.Endpoints;

public static class ReferenceEndpoints
{
    public sealed record HubOut(string Id, string Name, string Kind);
    public sealed record ClusterOut(string Id, string Name, string Hub, double Lat, double Lon, decimal GreenShare);
    public sealed record CityOut(string Id, string Name, double Lat, double Lon, string Side);
    public sealed record ResourceClassOut(string Id, string Family, string Precision, decimal PeakTflops, int MemoryGb, decimal ScuPerDevice);
    public sealed record CatalogueOut(string MeteringStandard, IReadOnlyList<HubOut> Hubs, IReadOnlyList<ClusterOut> Clusters,
        IReadOnlyList<CityOut> Cities, IReadOnlyList<ResourceClassOut> ResourceClasses);
    public sealed record SettingsBody(string? Period, string? TimeZone, int? ComputeFeeBp, int? TransportFeeBp);

    public static void MapReference(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Reference and settings");
        g.MapGet("/reference", async (PlatformService platform, CancellationToken ct) =>
        {
            var c = (await platform.CurrentAsync(ct)).Catalogue;
            return new CatalogueOut(c.Standard.Version,
                c.Hubs.Select(h => new HubOut(h.Id, h.Name, h.Kind == HubKind.Resource ? "resource" : "demand")).ToList(),
                c.Clusters.Select(x => new ClusterOut(x.Id, x.Name, x.HubId, x.Lat, x.Lon, x.GreenShare)).ToList(),
                c.Cities.Select(x => new CityOut(x.Id, x.Name, x.Lat, x.Lon, x.Side == CitySide.West ? "west" : "east")).ToList(),
                c.ResourceClasses.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => new ResourceClassOut(r.Id, Slugs.Of(r.Family),
                    r.Precision.ToString(), r.PeakTflops, r.MemoryGb, c.Standard.ScuPerDevice(r))).ToList());
        }).WithName("GetReferenceData").WithSummary("Hubs, clusters, cities and resource classes (metering standard) in force");

        g.MapGet("/metering-standards", async (ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Platform.PublishMeteringStandard.ListMeteringStandardsRequest(), ct))
            .WithName("ListMeteringStandards").WithSummary("Every version of the unified metering standard, oldest first; the last is in force");

        g.MapPost("/metering-standards", async (Application.Platform.PublishMeteringStandard.PublishMeteringStandardRequest body, ISender sender, CancellationToken ct) =>
                Results.Created("/v1/metering-standards", await sender.Send(body with
                {
                    PrecisionFactors = body.PrecisionFactors ?? new Dictionary<string, decimal>(),
                    ResourceClasses = body.ResourceClasses ?? [],
                }, ct)))
            .For(Role.Operator).WithName("PublishMeteringStandard")
            .WithSummary("Operator: publish a new metering-standard version; new offers are rated with it, existing leases keep theirs")
            .ProducesProblem(409);

        g.MapPut("/platform/settings", async (SettingsBody body, ISender sender, CancellationToken ct) =>
                await sender.Send(new ConfigurePlatformRequest(body.Period ?? "day", body.TimeZone ?? "Asia/Shanghai",
                    body.ComputeFeeBp ?? 300, body.TransportFeeBp ?? 100, null, null), ct))
            .For(Role.Operator).WithName("ConfigurePlatform").WithSummary("Operator: settlement period (day|month), time zone and fee schedule");
    }
}
