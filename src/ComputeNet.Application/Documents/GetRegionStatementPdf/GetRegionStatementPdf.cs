using ComputeNet.Application.Infrastructure;
using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Documents.GetRegionStatementPdf;

/// <summary>
/// One region's revenue-share statement as PDF, by id <c>{period}.region.{region}</c> (e.g. <c>2026-12-01.region.shanghai</c>);
/// null when no such share was issued. Regions are no parties: only regulators and operators read these.
/// </summary>
public sealed record GetRegionStatementPdfRequest(string StatementId) : IQuery<PdfFile?>;

public sealed class GetRegionStatementPdfValidator : AbstractValidator<GetRegionStatementPdfRequest>
{
    public GetRegionStatementPdfValidator()
    {
        RuleFor(x => x.StatementId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength + 32);
    }
}

public sealed class GetRegionStatementPdfHandler(DocumentSource source) : IQueryHandler<GetRegionStatementPdfRequest, PdfFile?>
{
    public async ValueTask<PdfFile?> Handle(GetRegionStatementPdfRequest q, CancellationToken ct)
    {
        if (!SettlementDocumentIds.TryParse(q.StatementId, "region", out var period, out var region))
        {
            return null;
        }
        return await source.LoadRegionAsync(period, region, ct) is { } found ? source.RenderRegion(found.Context, found.Share, found.Charges) : null;
    }
}
