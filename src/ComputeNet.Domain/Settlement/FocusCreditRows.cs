using ComputeNet.Domain.Disputes;

namespace ComputeNet.Domain.Settlement;

/// <summary>
/// Credit notes (market-rules §14) as FOCUS rows, after the invoice lines, in the export's convention for money that comes
/// off a charge (<see cref="FocusExport.Credit"/>, docs/focus.md): a <c>Credit</c> row of −x against the row of the line the
/// note corrects (same account, resource, service, region, periods), and when the note takes a voucher part back, a second
/// row of +v with <c>x_VoucherFen</c> −v (the issuer owes v less, so the buyer's credit is x − v). Both carry the note's
/// id as <c>InvoiceId</c> and its hash: Σ BilledCost over the note's rows is its <c>dueFen</c>, and Σ BilledCost + Σ
/// x_VoucherFen ÷ 100 its <c>amountFen</c>, exactly as for an invoice.
/// </summary>
public static class FocusCreditRows
{
    /// <summary>FOCUS's ChargeClass of a correction to a previously invoiced billing period: every credit note corrects one.</summary>
    public const string Correction = "Correction";

    public static IReadOnlyList<FocusRow> RowsOf(FocusRow correctedLine, CreditNoteIssued note)
    {
        var what = $"credit note {note.Id} (dispute {note.Dispute}) on the {note.Kind}{(note.Late ? " (late)" : "")} line of lease {correctedLine.ResourceId}";
        var rows = new List<FocusRow>(2)
        {
            FocusExport.Credit(correctedLine, note.AmountFen, what) with
            {
                InvoiceId = note.Id, ChargeClass = Correction, ChargeFrequency = "One-Time", StatementHash = note.Hash,
            },
        };
        if (note.VoucherFen != 0)
        {
            rows.Add(FocusExport.Credit(correctedLine, -note.VoucherFen, $"voucher part of {what}") with
            {
                InvoiceId = note.Id, ChargeClass = Correction, ChargeFrequency = "One-Time", StatementHash = note.Hash, VoucherFen = note.VoucherFen,
            });
        }
        return rows;
    }

    /// <summary>
    /// The credit rows of <paramref name="notes"/> whose corrected line is among <paramref name="periods"/>' invoices (notes
    /// of other buyers or periods are left out), in the notes' order.
    /// </summary>
    public static IReadOnlyList<FocusRow> Rows(IReadOnlyList<FocusPeriod> periods, IEnumerable<CreditNoteIssued> notes, FocusContext context)
    {
        var rows = new List<FocusRow>();
        foreach (var note in notes)
        {
            var period = periods.FirstOrDefault(p => p.Closed.Period == note.Period);
            var invoice = period?.Invoices.FirstOrDefault(i => i.Buyer == note.Buyer);
            var line = invoice?.Lines.FirstOrDefault(l => l.Bid == note.Bid && l.Offer == note.Offer && l.Kind == note.Kind && l.Late == note.Late);
            if (line is not null)
            {
                rows.AddRange(RowsOf(FocusExport.Row(period!.Closed, invoice!, line, context), note));
            }
        }
        return rows;
    }
}
