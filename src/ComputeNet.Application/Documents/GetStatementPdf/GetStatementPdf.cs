using ComputeNet.Application.Infrastructure;
using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Documents.GetStatementPdf;

/// <summary>
/// One provider or carrier statement as PDF, by id <c>{period}.{role}.{party}</c>. With <see cref="OnlyParty"/>, another
/// party's statement is answered as not found (null), like one that does not exist.
/// </summary>
public sealed record GetStatementPdfRequest(string StatementId, string? OnlyParty = null) : IQuery<PdfFile?>;

public sealed class GetStatementPdfValidator : AbstractValidator<GetStatementPdfRequest>
{
    public GetStatementPdfValidator()
    {
        RuleFor(x => x.StatementId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength + 32);
    }
}

public sealed class GetStatementPdfHandler(DocumentSource source) : IQueryHandler<GetStatementPdfRequest, PdfFile?>
{
    public async ValueTask<PdfFile?> Handle(GetStatementPdfRequest q, CancellationToken ct)
    {
        if (!DocumentIds.TryParseStatement(q.StatementId, out var period, out var role, out var party) || (q.OnlyParty is not null && q.OnlyParty != party))
        {
            return null;
        }
        return await source.LoadStatementAsync(period, role, party, ct) is { } found ? source.RenderStatement(found.Context, found.Statement) : null;
    }
}
