using ComputeNet.Api.Security;
using ComputeNet.Application.Metering.ListUsage;
using ComputeNet.Application.Metering.RecordUsage;
using Mediator;

namespace ComputeNet.Api.Endpoints;

public static class MeteringEndpoints
{
    /// <summary>A usage record: interval [from, to), device-seconds delivered, energy and green energy in kWh, data transferred in GB.</summary>
    public sealed record UsageBody(string? Id, string? Lease, DateTimeOffset? From, DateTimeOffset? To, long? DeviceSeconds, decimal? EnergyKwh,
        decimal? GreenKwh, decimal? TransferGb);

    public static void MapMetering(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Metering");
        g.MapPost("/usage", async (UsageBody b, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var result = await sender.Send(new RecordUsageRequest(Caller.From(http.User).PartyId, b.Id ?? "", b.Lease ?? "",
                    MarketEndpoints.ToInstant(b.From), MarketEndpoints.ToInstant(b.To), PartiesEndpoints.Required(b.DeviceSeconds, "deviceSeconds"),
                    b.EnergyKwh ?? 0, b.GreenKwh ?? 0, b.TransferGb ?? 0), ct);
                return result.Repeat ? Results.Ok(result) : Results.Created($"/v1/usage?lease={Uri.EscapeDataString(result.LeaseId)}", result);
            })
            .For(Role.Provider).WithName("RecordUsage")
            .WithSummary("Provider: report metered delivery on one of your leases; an exact repeat changes nothing")
            .Produces<UsageResult>(201).Produces<UsageResult>(200).ProducesProblem(409).ProducesProblem(422);

        g.MapGet("/usage", async (string? lease, string? party, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (o, l) = Paging.Check(offset, limit);
                var items = await sender.Send(new ListUsageRequest(Caller.From(http.User).Scope(party), lease, o, l + 1), ct);
                return new Page<Domain.Metering.UsageRecorded>(items.Take(l).ToList(), o, l, items.Count > l ? o + l : null);
            })
            .For(Role.Provider, Role.Regulator, Role.Operator).WithName("ListUsage")
            .WithSummary("Provider: its usage records (optionally one lease's); regulators and operators: all");
    }
}
