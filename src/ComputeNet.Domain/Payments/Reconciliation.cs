using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Payments;

/// <summary>A payment intent as the provider lists it. <see cref="InvoiceId"/> is our metadata, absent on foreign intents.</summary>
public sealed record ProviderIntent(string Id, long AmountFen, long AmountReceivedFen, string Currency, string Status, string? InvoiceId);

/// <summary>A transfer to a connected account as the provider lists it. <see cref="PayoutId"/> is our metadata.</summary>
public sealed record ProviderTransfer(string Id, long AmountFen, string Currency, string Destination, string? PayoutId, bool Reversed);

/// <summary>A refund as the provider lists it. <see cref="RefundId"/> and <see cref="Part"/> are our metadata (ADR 0027).</summary>
public sealed record ProviderRefund(string Id, string? PaymentIntentId, long AmountFen, string Status, string? RefundId, int? Part);

/// <summary>
/// One part of a refund through the provider, both sides: what the platform recorded (status <c>requested</c>, <c>pending</c>,
/// <c>succeeded</c>, <c>failed</c>) and what the provider lists (null: nothing).
/// </summary>
public sealed record ReconciledRefund(string RefundId, int Part, string Buyer, string IntentId, long AmountFen, string Status, string? ProviderRefundId,
    string? ProviderStatus);

/// <summary>One difference between the provider and the ledger. Fen amounts are what each side says (null: it says nothing).</summary>
public sealed record ReconciliationDifference(string Kind, string Subject, long? ProviderFen, long? LedgerFen, string Detail);

public sealed record ReconciliationTotals(
    int ProviderIntents, long ProviderSucceededFen, long LedgerProviderPaymentsFen, long LedgerOfflinePaymentsFen,
    int ProviderTransfers, long ProviderTransfersFen, long LedgerProviderPayoutsFen, long LedgerOfflinePayoutsFen,
    int ProviderRefunds = 0, long ProviderRefundsFen = 0, long LedgerProviderRefundsFen = 0);

/// <param name="Refunds">Every part of every refund through the provider, with what the provider says of it (ADR 0027).</param>
public sealed record ReconciliationReport(bool Matches, ReconciliationTotals Totals, IReadOnlyList<ReconciliationDifference> Differences,
    IReadOnlyList<ReconciledRefund>? Refunds = null);

/// <summary>
/// Compares what the payment provider says with the ledger's cash transactions, both ways. Pure: the lists come from
/// the provider's API (every page) and from the event store. Cash actions the operator recorded by hand (bank
/// transfers, offline mode) are only totalled: the provider knows nothing of them.
/// </summary>
public static class Reconciliation
{
    /// <param name="refunds">The provider's refunds; <paramref name="recordedRefunds"/> the refunds through the provider this
    /// platform recorded (their postings are the cash refunds of the same ids). Both null: refunds are not compared.</param>
    public static ReconciliationReport Compare(IReadOnlyList<ProviderIntent> intents, IReadOnlyList<ProviderTransfer> transfers,
        IReadOnlyList<TransactionPosted> cash, PaymentsBook book, IReadOnlyList<ProviderRefund>? refunds = null, IReadOnlyList<RefundState>? recordedRefunds = null)
    {
        static long Amount(TransactionPosted t) => Math.Abs(t.Postings.Where(p => p.Account == CashBook.Clearing).Sum(p => p.AmountFen));
        var byTx = cash.ToDictionary(t => t.TxId, StringComparer.Ordinal);
        var payoutPrefix = CashBook.TxIdOf(PaymentsBook.PayoutCashId(""));
        var paymentPrefix = CashBook.TxIdOf(PaymentsBook.PaymentCashId(""));
        bool ViaPayout(TransactionPosted t) => t.TxId.StartsWith(payoutPrefix, StringComparison.Ordinal);
        bool ViaPayment(TransactionPosted t) => t.TxId.StartsWith(paymentPrefix, StringComparison.Ordinal) && !ViaPayout(t);

        var differences = new List<ReconciliationDifference>();
        var intentById = new Dictionary<string, ProviderIntent>(StringComparer.Ordinal);
        foreach (var intent in intents)
        {
            intentById[intent.Id] = intent;
            var posted = byTx.GetValueOrDefault(CashBook.TxIdOf(PaymentsBook.PaymentCashId(intent.Id)));
            if (intent.Status == "succeeded")
            {
                if (!string.Equals(intent.Currency, PaymentsBook.Currency, StringComparison.OrdinalIgnoreCase))
                {
                    differences.Add(new("currency-mismatch", intent.Id, intent.AmountReceivedFen, posted is null ? null : Amount(posted),
                        $"intent succeeded in '{intent.Currency}', the ledger is in CNY"));
                }
                else if (posted is null)
                {
                    differences.Add(new("intent-succeeded-not-posted", intent.Id, intent.AmountReceivedFen, null,
                        $"the provider collected {intent.AmountReceivedFen} fen{(intent.InvoiceId is null ? "" : $" for invoice {intent.InvoiceId}")}; no payment is posted"));
                }
                else if (Amount(posted) != intent.AmountReceivedFen)
                {
                    differences.Add(new("amount-mismatch", intent.Id, intent.AmountReceivedFen, Amount(posted),
                        $"the provider collected {intent.AmountReceivedFen} fen, the ledger posted {Amount(posted)} fen"));
                }
            }
            if (intent.InvoiceId is not null && book.Intent(intent.Id) is null)
            {
                differences.Add(new("intent-not-recorded", intent.Id, intent.AmountFen, null,
                    $"the provider holds an intent for invoice {intent.InvoiceId} that this platform never recorded"));
            }
        }
        foreach (var recorded in book.Intents.Where(i => !intentById.ContainsKey(i.Created.IntentId)))
        {
            differences.Add(new("intent-missing-at-provider", recorded.Created.IntentId, null, recorded.Created.AmountFen,
                $"intent recorded for invoice {recorded.Created.InvoiceId} is not listed by the provider"));
        }
        foreach (var t in cash.Where(t => t.Kind == "payment" && ViaPayment(t)))
        {
            var intentId = t.TxId[paymentPrefix.Length..];
            if (!intentById.TryGetValue(intentId, out var intent) || intent.Status != "succeeded")
            {
                differences.Add(new("payment-without-succeeded-intent", intentId, intent?.AmountReceivedFen, Amount(t),
                    intent is null ? "a payment is posted for an intent the provider does not list" : $"a payment is posted but the intent is {intent.Status}"));
            }
        }

        var transferByPayout = new Dictionary<string, ProviderTransfer>(StringComparer.Ordinal);
        foreach (var transfer in transfers)
        {
            if (transfer.PayoutId is null)
            {
                differences.Add(new("transfer-without-payout", transfer.Id, transfer.AmountFen, null, "a transfer this platform did not request (no payout id)"));
                continue;
            }
            transferByPayout[transfer.PayoutId] = transfer;
            var posted = byTx.GetValueOrDefault(CashBook.TxIdOf(PaymentsBook.PayoutCashId(transfer.PayoutId)));
            var requested = book.Payout(transfer.PayoutId)?.Requested;
            if (posted is null)
            {
                differences.Add(new("transfer-without-payout", transfer.Id, transfer.AmountFen, null,
                    $"the provider transferred {transfer.AmountFen} fen for payout {transfer.PayoutId}; no payout is posted"));
            }
            else if (Amount(posted) != transfer.AmountFen)
            {
                differences.Add(new("amount-mismatch", transfer.Id, transfer.AmountFen, Amount(posted),
                    $"transfer of {transfer.AmountFen} fen, payout {transfer.PayoutId} posted {Amount(posted)} fen"));
            }
            if (requested is not null && requested.Destination != transfer.Destination)
            {
                differences.Add(new("destination-mismatch", transfer.Id, transfer.AmountFen, requested.AmountFen,
                    $"transfer went to {transfer.Destination}, payout {transfer.PayoutId} names {requested.Destination}"));
            }
            if (transfer.Reversed)
            {
                differences.Add(new("transfer-reversed", transfer.Id, transfer.AmountFen, posted is null ? null : Amount(posted),
                    $"transfer for payout {transfer.PayoutId} was reversed at the provider"));
            }
        }
        foreach (var t in cash.Where(t => t.Kind == "payout" && ViaPayout(t)))
        {
            var payoutId = t.TxId[payoutPrefix.Length..];
            if (!transferByPayout.ContainsKey(payoutId))
            {
                differences.Add(new("payout-without-transfer", payoutId, null, Amount(t), "a payout is posted but the provider lists no transfer for it"));
            }
        }

        var (refundLines, refundsFen, ledgerRefundsFen) = CompareRefunds(refunds ?? [], recordedRefunds ?? [], differences);
        var totals = new ReconciliationTotals(
            intents.Count, intents.Where(i => i.Status == "succeeded").Sum(i => i.AmountReceivedFen),
            cash.Where(t => t.Kind == "payment" && ViaPayment(t)).Sum(Amount), cash.Where(t => t.Kind == "payment" && !ViaPayment(t)).Sum(Amount),
            transfers.Count, transfers.Sum(t => t.AmountFen),
            cash.Where(t => t.Kind == "payout" && ViaPayout(t)).Sum(Amount), cash.Where(t => t.Kind == "payout" && !ViaPayout(t)).Sum(Amount),
            refunds?.Count ?? 0, refundsFen, ledgerRefundsFen);
        return new ReconciliationReport(differences.Count == 0, totals, differences, refunds is null && recordedRefunds is null ? null : refundLines);
    }

    /// <summary>
    /// Refunds both ways: a provider refund no recorded part explains (made in the Dashboard, or lost), an amount that differs, a
    /// refund the provider failed that the platform has not given back, a recorded part the provider does not list.
    /// </summary>
    private static (List<ReconciledRefund> Lines, long ProviderFen, long LedgerFen) CompareRefunds(IReadOnlyList<ProviderRefund> refunds,
        IReadOnlyList<RefundState> recorded, List<ReconciliationDifference> differences)
    {
        static bool Gone(string status) => status is "failed" or "canceled";
        var byPart = new Dictionary<(string, int), ProviderRefund>();
        foreach (var r in refunds)
        {
            if (r.RefundId is null || r.Part is null)
            {
                differences.Add(new("refund-without-record", r.Id, r.AmountFen, null, "a refund this platform did not request (no refund id)"));
                continue;
            }
            byPart[(r.RefundId, r.Part.Value)] = r;
        }
        var lines = new List<ReconciledRefund>();
        var known = new HashSet<(string, int)>();
        foreach (var refund in recorded)
        {
            foreach (var part in refund.Parts)
            {
                var key = (refund.Requested.RefundId, part.Part.N);
                known.Add(key);
                var at = byPart.GetValueOrDefault(key);
                lines.Add(new ReconciledRefund(refund.Requested.RefundId, part.Part.N, refund.Requested.Buyer, part.Part.IntentId, part.Part.AmountFen, part.Status,
                    at?.Id ?? part.ProviderRefundId, at?.Status));
                var subject = $"{refund.Requested.RefundId}#{part.Part.N}";
                if (at is null)
                {
                    if (part.Status is "pending" or "succeeded")
                    {
                        differences.Add(new("refund-missing-at-provider", subject, null, part.Part.AmountFen,
                            $"refund {refund.Requested.RefundId} part {part.Part.N} is {part.Status} here but the provider lists no refund for it"));
                    }
                    continue;
                }
                if (at.AmountFen != part.Part.AmountFen)
                {
                    differences.Add(new("amount-mismatch", at.Id, at.AmountFen, part.Part.AmountFen,
                        $"refund of {at.AmountFen} fen, refund {refund.Requested.RefundId} part {part.Part.N} posted {part.Part.AmountFen} fen"));
                }
                if (Gone(at.Status) && part.Status != "failed")
                {
                    differences.Add(new("refund-failed-not-reversed", at.Id, at.AmountFen, part.Part.AmountFen,
                        $"the provider {at.Status} refund {refund.Requested.RefundId} part {part.Part.N}; the ledger has not given it back to the buyer"));
                }
            }
        }
        foreach (var (key, r) in byPart.Where(p => !known.Contains(p.Key)))
        {
            differences.Add(new("refund-without-record", r.Id, r.AmountFen, null, $"the provider refunded {r.AmountFen} fen for refund {key.Item1} part {key.Item2}, which this platform did not record"));
        }
        return (lines, refunds.Where(r => !Gone(r.Status)).Sum(r => r.AmountFen),
            recorded.SelectMany(r => r.Parts).Where(p => p.Status != "failed").Sum(p => p.Part.AmountFen));
    }
}
