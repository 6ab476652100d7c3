using ComputeNet.Application.Access;
using ComputeNet.Application.Disputes.GetCreditNotePdf;
using ComputeNet.Application.Disputes.ListCreditNotes;
using Mediator;

namespace ComputeNet.Portal.Shared;

/// <summary>
/// Credit notes as PDF for the buyer, the provider, the carrier and the issuer: the request of GET /v1/credit-notes/{id}/pdf,
/// scoped to the path's role (a note the caller may not read in that role, or that does not exist, is 404).
/// </summary>
public static class CreditNoteDownloads
{
    public static IEndpointRouteBuilder MapCreditNoteDownloads(this IEndpointRouteBuilder portal)
    {
        foreach (var (role, scope) in new[]
                 {
                     (Role.Buyer, CreditNoteScope.Buyer), (Role.Provider, CreditNoteScope.Earner), (Role.Carrier, CreditNoteScope.Earner),
                     (Role.Issuer, CreditNoteScope.Issuer),
                 })
        {
            portal.MapGet($"/{role}/credit-notes/{{creditNoteId}}/pdf", async (string creditNoteId, HttpContext http, ISender sender, CancellationToken ct) =>
                {
                    var file = await sender.Send(new GetCreditNotePdfRequest(creditNoteId, scope, Caller.From(http.User).PartyId), ct);
                    return file is null ? Results.NotFound() : Results.File(file.Content, "application/pdf", file.FileName);
                })
                .RequireAuthorization(p => p.RequireRole(role))
                .ExcludeFromDescription();
        }
        return portal;
    }
}
