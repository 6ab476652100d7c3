using ComputeNet.Documents;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Disputes;

namespace ComputeNet.Application.Documents;

/// <summary>Credit notes as PDF (market-rules §14): the note, and the invoice line it corrects from the invoice it was issued on.</summary>
public sealed partial class DocumentSource
{
    /// <summary>The credit note rendered with the invoice it corrects (loaded by <see cref="LoadInvoiceAsync"/>).</summary>
    public PdfFile RenderCreditNote(PeriodContext p, Domain.Settlement.InvoiceIssued invoice, CreditNoteIssued note, string schema)
    {
        var model = CreditNote(p, invoice, note, schema);
        return new PdfFile(model.Number, "credit-note", note.Buyer, note.Period, $"credit-note-{model.Number}.pdf", CreditNotePdf.Render(model));
    }

    public CreditNoteModel CreditNote(PeriodContext p, Domain.Settlement.InvoiceIssued invoice, CreditNoteIssued n, string schema)
    {
        var line = invoice.Lines.First(l => l.Bid == n.Bid && l.Offer == n.Offer && l.Kind == n.Kind && l.Late == n.Late);
        return new CreditNoteModel(n.Id, n.Dispute, DocumentIds.Invoice(invoice.Period, invoice.Buyer), n.Period, p.Zone.Id, IssuedOn(p, n.At),
            Block(p, n.Buyer), Line(p, line, p.Leases.GetValueOrDefault(line.LeaseId)?.Provider ?? line.Earner), n.AmountFen, n.TaxFen, n.VoucherFen,
            n.DueFen, n.Reason, new HashBlock(n.Hash ?? "", n.PreviousHash ?? Statements.Genesis, Statements.KeyOf(n), schema));
    }
}
