using ComputeNet.Application.Disputes;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Documents.RenderDocuments;

/// <summary>
/// Every invoice, every provider and carrier statement, every issuer claim, every region revenue-share statement and every
/// credit note of the closed periods (one period's with <see cref="Period"/>) as PDF, in close order, then invoices in buyer
/// order, statements, claims and region statements in the order the close issued them, and the period's credit notes in
/// the order they were issued.
/// </summary>
public sealed record RenderDocumentsRequest(string? Period = null) : IQuery<IReadOnlyList<PdfFile>>;

public sealed class RenderDocumentsValidator : AbstractValidator<RenderDocumentsRequest>
{
    public RenderDocumentsValidator()
    {
        RuleFor(x => x.Period).MaximumLength(10).Matches("^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$").When(x => x.Period is not null)
            .WithMessage("a period is YYYY-MM-DD or YYYY-MM");
    }
}

public sealed class RenderDocumentsHandler(DocumentSource source, IDocumentStore store, ComputeNetSettings settings)
    : IQueryHandler<RenderDocumentsRequest, IReadOnlyList<PdfFile>>
{
    public async ValueTask<IReadOnlyList<PdfFile>> Handle(RenderDocumentsRequest q, CancellationToken ct)
    {
        var files = new List<PdfFile>();
        foreach (var context in await source.LoadAsync(q.Period, ct))
        {
            files.AddRange(context.Invoices.Select(i => source.RenderInvoice(context, i)));
            files.AddRange(context.Statements.Select(s => source.RenderStatement(context, s)));
            files.AddRange(await source.RenderClaimsAndRegionsAsync(context.Closed.Period, ct));
            await using var session = store.QuerySession();
            var period = context.Closed.Period;
            foreach (var note in await session.Query<CreditNoteDocument>().Where(n => n.Period == period).OrderBy(n => n.Seq).ToListAsync(ct))
            {
                if (context.Invoices.FirstOrDefault(i => i.Buyer == note.Buyer) is { } invoice)
                {
                    files.Add(source.RenderCreditNote(context, invoice, note.Note, settings.Schema));
                }
            }
        }
        return files;
    }
}
