using ComputeNet.Application.Infrastructure;
using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Documents.GetClaimPdf;

/// <summary>
/// One issuer claim as PDF, by id <c>{period}.issuer.{issuer}</c> (e.g. <c>2026-12-01.issuer.sh-bureau</c>). With
/// <see cref="OnlyIssuer"/>, another issuer's claim is answered as not found (null), like one that does not exist.
/// </summary>
public sealed record GetClaimPdfRequest(string ClaimId, string? OnlyIssuer = null) : IQuery<PdfFile?>;

public sealed class GetClaimPdfValidator : AbstractValidator<GetClaimPdfRequest>
{
    public GetClaimPdfValidator()
    {
        RuleFor(x => x.ClaimId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength + 32);
    }
}

public sealed class GetClaimPdfHandler(DocumentSource source) : IQueryHandler<GetClaimPdfRequest, PdfFile?>
{
    public async ValueTask<PdfFile?> Handle(GetClaimPdfRequest q, CancellationToken ct)
    {
        if (!SettlementDocumentIds.TryParse(q.ClaimId, "issuer", out var period, out var issuer) || (q.OnlyIssuer is not null && q.OnlyIssuer != issuer))
        {
            return null;
        }
        return await source.LoadClaimAsync(period, issuer, ct) is { } found ? source.RenderClaim(found.Context, found.Claim, found.Redemptions) : null;
    }
}
