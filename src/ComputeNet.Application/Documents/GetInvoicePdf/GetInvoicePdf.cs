using ComputeNet.Application.Infrastructure;
using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Documents.GetInvoicePdf;

/// <summary>
/// One invoice as PDF, by id <c>{period}.{buyer}</c>. With <see cref="OnlyBuyer"/>, an invoice of any other buyer is
/// answered as not found (null), exactly like one that does not exist, so ids of others' invoices reveal nothing.
/// </summary>
public sealed record GetInvoicePdfRequest(string InvoiceId, string? OnlyBuyer = null) : IQuery<PdfFile?>;

public sealed class GetInvoicePdfValidator : AbstractValidator<GetInvoicePdfRequest>
{
    public GetInvoicePdfValidator()
    {
        RuleFor(x => x.InvoiceId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength + 16);
    }
}

public sealed class GetInvoicePdfHandler(DocumentSource source) : IQueryHandler<GetInvoicePdfRequest, PdfFile?>
{
    public async ValueTask<PdfFile?> Handle(GetInvoicePdfRequest q, CancellationToken ct)
    {
        if (!DocumentIds.TryParseInvoice(q.InvoiceId, out var period, out var buyer) || (q.OnlyBuyer is not null && q.OnlyBuyer != buyer))
        {
            return null;
        }
        return await source.LoadInvoiceAsync(period, buyer, ct) is { } found ? source.RenderInvoice(found.Context, found.Invoice) : null;
    }
}
