using ComputeNet.Application.Access;
using ComputeNet.Application.Documents.GetStatementPdf;
using Mediator;

namespace ComputeNet.Portal.Provider;

/// <summary>
/// The provider's and the carrier's plain endpoints: a statement as PDF, by the request and scope of
/// GET /v1/statements/{id}/pdf. Someone else's statement (or one that does not exist) is 404, as over the API.
/// </summary>
public static class PayeeEndpoints
{
    public static IEndpointRouteBuilder MapPayeePortal(this IEndpointRouteBuilder app)
    {
        foreach (var role in new[] { Role.Provider, Role.Carrier })
        {
            app.MapGet($"/{role}/statements/{{statementId}}/pdf", async (string statementId, HttpContext http, ISender sender, CancellationToken ct) =>
                {
                    var file = await sender.Send(new GetStatementPdfRequest(statementId, Caller.From(http.User).Scope(null)), ct);
                    return file is null ? Results.NotFound() : Results.File(file.Content, "application/pdf", file.FileName);
                })
                .RequireAuthorization(p => p.RequireRole(role))
                .ExcludeFromDescription();
        }
        return app;
    }
}
