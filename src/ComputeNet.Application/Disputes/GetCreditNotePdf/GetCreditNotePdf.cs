using ComputeNet.Application.Disputes.ListCreditNotes;
using ComputeNet.Application.Documents;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Disputes.GetCreditNotePdf;

/// <summary>
/// One credit note as PDF, by id <c>cn-{dispute}</c>, if the caller may read it under <see cref="Scope"/> (its buyer, the
/// earner it debits, the issuer whose voucher part it returns; all for operators and regulators); else not found (null).
/// </summary>
public sealed record GetCreditNotePdfRequest(string Id, CreditNoteScope Scope, string? Party = null) : IQuery<PdfFile?>;

public sealed class GetCreditNotePdfValidator : AbstractValidator<GetCreditNotePdfRequest>
{
    public GetCreditNotePdfValidator() => RuleFor(x => x.Id).NotEmpty().MaximumLength(Infrastructure.RequestLimits.MaxIdLength + 3);
}

public sealed class GetCreditNotePdfHandler(IDocumentStore store, DocumentSource source, ComputeNetSettings settings)
    : IQueryHandler<GetCreditNotePdfRequest, PdfFile?>
{
    public async ValueTask<PdfFile?> Handle(GetCreditNotePdfRequest q, CancellationToken ct)
    {
        CreditNoteDocument? doc;
        await using (var session = store.QuerySession())
        {
            doc = await session.LoadAsync<CreditNoteDocument>(q.Id, ct);
        }
        var visible = doc is not null && q.Scope switch
        {
            CreditNoteScope.Buyer => doc.Buyer == q.Party,
            CreditNoteScope.Earner => doc.Earner == q.Party,
            CreditNoteScope.Issuer => doc.Issuer == q.Party,
            _ => true,
        };
        if (!visible || await source.LoadInvoiceAsync(doc!.Period, doc.Buyer, ct) is not { } found)
        {
            return null;
        }
        return source.RenderCreditNote(found.Context, found.Invoice, doc.Note, settings.Schema);
    }
}
