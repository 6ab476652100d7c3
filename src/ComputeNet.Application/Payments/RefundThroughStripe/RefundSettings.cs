namespace ComputeNet.Application.Payments.RefundThroughStripe;

/// <summary>
/// The operator's refund settings (configuration section <c>ComputeNet:Refunds</c>).
/// </summary>
/// <param name="AutoRefundCreditNotes">A credit note that leaves its buyer in credit starts the refund of that credit itself, in
/// the note's transaction (ADR 0032; <c>ComputeNet:Refunds:AutoRefundCreditNotes</c>, <b>false by default</b>). False: the
/// operator refunds it with the <c>refund</c> cash action, as market-rules §14 has it — a credit note posts its transaction
/// and nothing else, so a scenario, a replay through the API and the independent calculation of the rules agree, and an
/// operator's <c>refund</c> of the credit is not refused <c>over-balance</c> because the platform refunded it already.</param>
public sealed record RefundSettings(bool AutoRefundCreditNotes = false)
{
    public const string AutoRefundCreditNotesKey = "ComputeNet:Refunds:AutoRefundCreditNotes";
}
