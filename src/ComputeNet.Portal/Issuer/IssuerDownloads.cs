using ComputeNet.Application.Access;
using ComputeNet.Application.Vouchers.ExportClaims;
using Mediator;

namespace ComputeNet.Portal.Issuer;

/// <summary>The issuer's downloads (plain endpoints beside the pages): a period's claims with their evidence as CSV, and its claim as PDF.</summary>
public static class IssuerDownloads
{
    public const string CsvContentType = "text/csv; charset=utf-8";

    public static void MapIssuerDownloads(this RouteGroupBuilder portal)
    {
        // The request and scope of GET /v1/exports/claims?period= for an issuer: its own claims only.
        portal.MapGet("/issuer/claims/{period}/csv", async (string period, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var csv = await sender.Send(new ExportClaimsRequest(Caller.From(http.User).PartyId, period), ct);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(csv.Csv), CsvContentType,
                    period.All(c => char.IsAsciiDigit(c) || c == '-') ? $"claims-{period}.csv" : "claims.csv");
            })
            .RequireAuthorization(p => p.RequireRole(Role.Issuer));

        // The request and scope of GET /v1/claims/{id}/pdf for an issuer: its own claim, else not found.
        portal.MapGet("/issuer/claims/{period}/pdf", async (string period, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var issuer = Caller.From(http.User).PartyId;
                var file = await sender.Send(new Application.Documents.GetClaimPdf.GetClaimPdfRequest(
                    Application.Documents.SettlementDocumentIds.Claim(period, issuer), issuer), ct);
                return file is null ? Results.NotFound() : Results.File(file.Content, "application/pdf", file.FileName);
            })
            .RequireAuthorization(p => p.RequireRole(Role.Issuer));
    }
}
