using ComputeNet.Api.Security;
using ComputeNet.Application.Analytics.GetProgrammePeriods;
using ComputeNet.Application.Analytics.GetRegional;
using ComputeNet.Application.Analytics.GetTransport;
using ComputeNet.Application.Analytics.GetUtilisation;
using ComputeNet.Application.Analytics.ListPeriods;
using ComputeNet.Application.Vouchers.ExportClaims;
using Mediator;

namespace ComputeNet.Api.Endpoints;

/// <summary>
/// The reads behind the portal's provider, carrier, issuer and regulator pages (issue 14): series over hours or settlement
/// periods summed in PostgreSQL, each scoped to the caller's own (regulators and operators: anyone's).
/// </summary>
public static class AnalyticsEndpoints
{
    public const string CsvContentType = "text/csv; charset=utf-8";

    public static void MapAnalytics(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Charts and period status (portal)");

        g.MapGet("/utilisation", async (string? by, string? from, string? to, string? provider, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetUtilisationRequest(Caller.From(http.User).Scope(provider), by, from, to), ct))
            .For(Role.Provider, Role.Regulator, Role.Operator).WithName("GetUtilisation")
            .WithSummary("Provider: device-hours offered and leased and device-seconds delivered per offer and cluster, per hour (?by=hour&from=&to= instants, "
                + "≤ 744) or settlement period (?by=period&from=&to= period keys, ≤ 366); regulators and operators: ?provider=, or every cluster");

        g.MapGet("/transport", async (string? from, string? to, string? carrier, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetTransportRequest(Caller.From(http.User).Scope(carrier), from, to), ct))
            .For(Role.Carrier, Role.Regulator, Role.Operator).WithName("GetTransport")
            .WithSummary("Carrier: GB transferred, GB billed and revenue (gross, fee, net fen) per route (city–cluster) and period (?from=&to= period keys); "
                + "regulators and operators: ?carrier=, or every carrier");

        g.MapGet("/programmes/{programmeId}/periods", async (string programmeId, string? from, string? to, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                var view = await sender.Send(new GetProgrammePeriodsRequest(programmeId, caller.ReadsAll ? null : caller.PartyId, from, to), ct);
                return view is null ? MarketEndpoints.NotFound("programme", programmeId) : Results.Ok(view);
            })
            .For(Role.Issuer, Role.Regulator, Role.Operator).WithName("GetProgrammePeriods")
            .WithSummary("Issuer: one of its programmes' budget granted, redeemed and lapsed per period (?from=&to= period keys); regulators and operators: any")
            .Produces<ProgrammePeriodsView>().ProducesProblem(404);

        g.MapGet("/exports/claims", async (string? period, string? issuer, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                var csv = await sender.Send(new ExportClaimsRequest(caller.ReadsAll ? issuer : caller.PartyId, PartiesEndpoints.Required(period, "period")), ct);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(csv.Csv), CsvContentType,
                    period!.All(c => char.IsAsciiDigit(c) || c == '-') ? $"claims-{period}.csv" : "claims.csv");
            })
            .For(Role.Issuer, Role.Regulator, Role.Operator).WithName("ExportClaims")
            .WithSummary("Issuer: its claims of a closed period with their evidence as CSV, one row per usage record behind each redemption; "
                + "regulators and operators: every issuer's (or ?issuer=)")
            .Produces<string>(200, "text/csv");

        g.MapGet("/reports/regional", async (string? from, string? to, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetRegionalRequest(from, to), ct))
            .For(Role.Regulator, Role.Operator).WithName("GetRegionalReport")
            .WithSummary("Regulator, operator: hubs, clusters and cities with coordinates; per period each cluster's utilisation, delivery and green share, "
                + "city→hub flows and east→west (?from=&to= period keys)");

        g.MapGet("/periods", async (string? from, string? to, ISender sender, CancellationToken ct) =>
                await sender.Send(new ListPeriodsRequest(from, to), ct))
            .For(Role.Regulator, Role.Operator).WithName("ListPeriods")
            .WithSummary("Regulator, operator: each period of a range (?from=&to= period keys) open, ended or closed, its Merkle root and checkpoint, "
                + "and the path that verifies it");
    }
}
