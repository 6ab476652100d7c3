using ComputeNet.Api.Security;
using ComputeNet.Application.Disputes;
using ComputeNet.Application.Disputes.ListCreditNotes;
using ComputeNet.Application.Disputes.ListDisputes;
using ComputeNet.Application.Disputes.OpenDispute;
using ComputeNet.Application.Disputes.ResolveDispute;
using Mediator;

namespace ComputeNet.Api.Endpoints;

/// <summary>Disputes and credit notes (market-rules §14, docs/disputes.md).</summary>
public static class DisputeEndpoints
{
    /// <summary>A buyer's dispute of one of its invoice lines: the line by period, bid, offer, kind and late flag; the fen claimed; a reason (≤ 500 characters).</summary>
    public sealed record DisputeBody(string? Id, string? Period, string? Bid, string? Offer, string? Kind, bool? Late, long? AmountFen, string? Reason);

    /// <summary>The amount the operator accepts (1 ≤ x ≤ the claim).</summary>
    public sealed record AcceptBody(long? AmountFen);

    public static void MapDisputes(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Disputes and credit notes");

        g.MapPost("/disputes", async (DisputeBody b, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var view = await sender.Send(new OpenDisputeRequest(Caller.From(http.User).PartyId, b.Id, b.Period ?? "", b.Bid ?? "", b.Offer ?? "",
                    b.Kind ?? "", b.Late ?? false, b.AmountFen ?? 0, b.Reason), ct);
                return view.Repeat ? Results.Ok(view) : Results.Created($"/v1/disputes/{view.Id}", view);
            })
            .For(Role.Buyer).WithName("OpenDispute")
            .WithSummary("Buyer: dispute one of its invoice lines within 30 days of its close (a repeat with the same content changes nothing)")
            .Produces<DisputeView>(201).ProducesProblem(409).ProducesProblem(422);

        g.MapGet("/disputes", async (string? state, string? period, string? buyer, int? offset, int? limit, HttpContext http, ISender sender,
                    CancellationToken ct) =>
                await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new ListDisputesRequest(Caller.From(http.User).Scope(buyer), state, period, o, l), ct)))
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("ListDisputes")
            .WithSummary("Buyer: its disputes; regulators and operators: all (or ?buyer=); ?state=open|accepted|rejected, ?period=");

        g.MapGet("/disputes/{disputeId}", async (string disputeId, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetDisputeRequest(disputeId, Caller.From(http.User).Scope(null)), ct))
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("GetDispute")
            .WithSummary("Buyer: one of its disputes (another buyer's is not found); regulators and operators: any")
            .Produces<DisputeView>().ProducesProblem(404);

        g.MapPost("/disputes/{disputeId}/accept", async (string disputeId, AcceptBody b, ISender sender, CancellationToken ct) =>
                await sender.Send(new ResolveDisputeRequest(disputeId, Domain.Disputes.Outcomes.Accept, b.AmountFen), ct))
            .For(Role.Operator).WithName("AcceptDispute")
            .WithSummary("Operator: accept a dispute with an amount; issues the credit note and posts its transaction at once (the same again changes nothing)")
            .Produces<DisputeView>().ProducesProblem(422);

        g.MapPost("/disputes/{disputeId}/reject", async (string disputeId, ISender sender, CancellationToken ct) =>
                await sender.Send(new ResolveDisputeRequest(disputeId, Domain.Disputes.Outcomes.Reject, null), ct))
            .For(Role.Operator).WithName("RejectDispute")
            .WithSummary("Operator: reject a dispute (the same again changes nothing)")
            .Produces<DisputeView>().ProducesProblem(422);

        g.MapGet("/credit-notes", async (int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (scope, party) = ScopeOf(Caller.From(http.User));
                return await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new ListCreditNotesRequest(scope, party, o, l), ct));
            })
            .For(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("ListCreditNotes")
            .WithSummary("Buyer: its credit notes; provider or carrier: those debiting it (givesBackFen); issuer: those returning its voucher part (owesLessFen); regulators and operators: all");

        g.MapGet("/credit-notes/{creditNoteId}", async (string creditNoteId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (scope, party) = ScopeOf(Caller.From(http.User));
                return await sender.Send(new GetCreditNoteRequest(creditNoteId, scope, party), ct);
            })
            .For(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("GetCreditNote")
            .WithSummary("One credit note (cn-{dispute}) the caller may read, as the list shows it").Produces<CreditNoteView>().ProducesProblem(404);

        g.MapGet("/credit-notes/{creditNoteId}/pdf", async (string creditNoteId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (scope, party) = ScopeOf(Caller.From(http.User));
                var file = await sender.Send(new Application.Disputes.GetCreditNotePdf.GetCreditNotePdfRequest(creditNoteId, scope, party), ct);
                return file is null ? MarketEndpoints.NotFound("creditNote", creditNoteId) : Results.File(file.Content, "application/pdf", file.FileName);
            })
            .For(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("GetCreditNotePdf")
            .WithSummary("One credit note the caller may read, as PDF (the invoice line it corrects, negative amounts, the dispute's reason)")
            .Produces<Stream>(200, "application/pdf").ProducesProblem(404);
    }

    /// <summary>Whose credit notes a caller reads: all (regulators, operators), its own as buyer, those debiting it as earner, those of its vouchers as issuer.</summary>
    public static (CreditNoteScope Scope, string? Party) ScopeOf(Caller caller) =>
        caller.ReadsAll ? (CreditNoteScope.All, null)
        : caller.Is(Role.Buyer) ? (CreditNoteScope.Buyer, caller.PartyId)
        : caller.Is(Role.Provider) || caller.Is(Role.Carrier) ? (CreditNoteScope.Earner, caller.PartyId)
        : (CreditNoteScope.Issuer, caller.PartyId);
}
