using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Documents.RenderDocuments;

/// <summary>
/// Every invoice, every provider and carrier statement, every issuer claim and every region revenue-share statement of the
/// closed periods (one period's with <see cref="Period"/>) as PDF, in close order, then invoices in buyer order, statements,
/// claims and region statements in the order the close issued them.
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

public sealed class RenderDocumentsHandler(DocumentSource source) : IQueryHandler<RenderDocumentsRequest, IReadOnlyList<PdfFile>>
{
    public async ValueTask<IReadOnlyList<PdfFile>> Handle(RenderDocumentsRequest q, CancellationToken ct)
    {
        var files = new List<PdfFile>();
        foreach (var context in await source.LoadAsync(q.Period, ct))
        {
            files.AddRange(context.Invoices.Select(i => source.RenderInvoice(context, i)));
            files.AddRange(context.Statements.Select(s => source.RenderStatement(context, s)));
            files.AddRange(await source.RenderClaimsAndRegionsAsync(context.Closed.Period, ct));
        }
        return files;
    }
}
