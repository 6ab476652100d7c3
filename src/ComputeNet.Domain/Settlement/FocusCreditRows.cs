using ComputeNet.Domain.Disputes;

namespace ComputeNet.Domain.Settlement;

/// <summary>
/// Credit notes (market-rules §14) as FOCUS rows with ChargeCategory <c>Credit</c>: one per credit note, after the invoice
/// lines. Each is the row of the line it corrects (same account, period, resource, service, region, provider) with the
/// note's negative money and no quantities. Kept apart from <see cref="FocusExport"/> so that the line rows' columns can
/// change without touching it. Invariant per row, as for lines: <c>EffectiveCost × 100 + x_VoucherFen = BilledCost × 100</c>.
/// </summary>
public static class FocusCreditRows
{
    public const string Category = "Credit";

    public static FocusRow Row(FocusRow correctedLine, CreditNoteIssued note) => correctedLine with
    {
        BilledCostFen = note.AmountFen,
        ContractedCostFen = note.AmountFen,
        ListCostFen = note.AmountFen,
        EffectiveCostFen = note.DueFen,
        VoucherFen = note.VoucherFen,
        ChargeCategory = Category,
        ChargeFrequency = "One-Time",
        ChargeDescription = $"credit note {note.Id} (dispute {note.Dispute}) on the {note.Kind}{(note.Late ? " (late)" : "")} line of lease {correctedLine.ResourceId}",
        ConsumedQuantity = null,
        ConsumedUnit = null,
        PricingQuantity = null,
        PricingUnit = null,
        GreenShare = null,
        StatementHash = note.Hash,
    };

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
                rows.Add(Row(FocusExport.Row(period!.Closed, invoice!, line, context), note));
            }
        }
        return rows;
    }
}
