using System.Text.Json;
using ComputeNet.Application.Audit.GetProof;
using ComputeNet.Application.Audit.ListCheckpoints;
using Mediator;
using Microsoft.Extensions.Options;

namespace ComputeNet.Portal.Regulator;

/// <summary>Who may open the regulator's pages: the roles of the audit endpoints they mirror (GET /v1/checkpoints, /v1/periods, /v1/ledger…).</summary>
public static class RegulatorAccess
{
    public const string Roles = Application.Access.Role.Regulator + "," + Application.Access.Role.Operator;
}

/// <summary>
/// The regulator's downloads (plain endpoints beside the pages), each the request of its API endpoint, written with the API's
/// JSON options so that a file is byte for byte what the API answers: the signed checkpoints (what POST /v1/verify/checkpoints
/// takes back), one period's checkpoint, the public key and a transaction's inclusion proof.
/// </summary>
public static class RegulatorDownloads
{
    public static void MapRegulatorDownloads(this RouteGroupBuilder portal)
    {
        string[] readers = [Application.Access.Role.Regulator, Application.Access.Role.Operator];

        portal.MapGet("/regulator/checkpoints/json", async (HttpContext http, ISender sender, CancellationToken ct) =>
                Json(http, await sender.Send(new ListCheckpointsRequest(), ct), "checkpoints.json"))
            .RequireAuthorization(p => p.RequireRole(readers));

        portal.MapGet("/regulator/checkpoints/{period}/json", async (string period, HttpContext http, ISender sender, CancellationToken ct) =>
                Json(http, await sender.Send(new GetCheckpointRequest(period), ct), $"checkpoint-{Safe(period)}.json"))
            .RequireAuthorization(p => p.RequireRole(readers));

        portal.MapGet("/regulator/public-key/pem", async (ISender sender, CancellationToken ct) =>
            {
                var key = await sender.Send(new GetPublicKeyRequest(), ct);
                return Results.File(System.Text.Encoding.ASCII.GetBytes(key.PublicKeyPem), "application/x-pem-file", $"platform-{Safe(key.KeyId)[..Math.Min(16, Safe(key.KeyId).Length)]}.pem");
            })
            .RequireAuthorization(p => p.RequireRole(readers));

        // The request of GET /v1/region-statements/{id}/pdf: a region's revenue-share statement.
        portal.MapGet("/regulator/region-statements/{statementId}/pdf", async (string statementId, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new Application.Documents.GetRegionStatementPdf.GetRegionStatementPdfRequest(statementId), ct);
                return file is null ? Results.NotFound() : Results.File(file.Content, "application/pdf", file.FileName);
            })
            .RequireAuthorization(p => p.RequireRole(readers));

        portal.MapGet("/regulator/proofs/json", async (string? txId, HttpContext http, ISender sender, CancellationToken ct) =>
                Json(http, await sender.Send(new GetProofRequest(txId ?? ""), ct), $"proof-{Safe(txId ?? "")}.json"))
            .RequireAuthorization(p => p.RequireRole(readers));
    }

    private static IResult Json<T>(HttpContext http, T value, string fileName)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        return Results.File(JsonSerializer.SerializeToUtf8Bytes(value, options), "application/json", fileName);
    }

    /// <summary>A file name's part from an id: letters, digits, '-' and '.' kept, anything else '_'.</summary>
    public static string Safe(string id)
    {
        var chars = id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').Take(80).ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }
}
