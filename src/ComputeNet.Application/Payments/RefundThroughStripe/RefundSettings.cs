namespace ComputeNet.Application.Payments.RefundThroughStripe;

/// <summary>
/// The operator's refund settings (configuration section <c>ComputeNet:Refunds</c>).
/// </summary>
/// <param name="AutoRefundCreditNotes">A credit note that leaves its buyer in credit starts the refund of that credit itself, in
/// the note's transaction (ADR 0032; <c>ComputeNet:Refunds:AutoRefundCreditNotes</c>, true by default). False: the operator
/// refunds it with the <c>refund</c> cash action, as before.</param>
public sealed record RefundSettings(bool AutoRefundCreditNotes = true)
{
    public const string AutoRefundCreditNotesKey = "ComputeNet:Refunds:AutoRefundCreditNotes";
}
