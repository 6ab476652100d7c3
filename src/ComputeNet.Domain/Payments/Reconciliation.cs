using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Payments;

/// <summary>A payment intent as the provider lists it. <see cref="InvoiceId"/> is our metadata, absent on foreign intents.</summary>
public sealed record ProviderIntent(string Id, long AmountFen, long AmountReceivedFen, string Currency, string Status, string? InvoiceId);

/// <summary>A transfer to a connected account as the provider lists it. <see cref="PayoutId"/> is our metadata.</summary>
public sealed record ProviderTransfer(string Id, long AmountFen, string Currency, string Destination, string? PayoutId, bool Reversed);

/// <summary>One difference between the provider and the ledger. Fen amounts are what each side says (null: it says nothing).</summary>
public sealed record ReconciliationDifference(string Kind, string Subject, long? ProviderFen, long? LedgerFen, string Detail);

public sealed record ReconciliationTotals(
    int ProviderIntents, long ProviderSucceededFen, long LedgerProviderPaymentsFen, long LedgerOfflinePaymentsFen,
    int ProviderTransfers, long ProviderTransfersFen, long LedgerProviderPayoutsFen, long LedgerOfflinePayoutsFen);

public sealed record ReconciliationReport(bool Matches, ReconciliationTotals Totals, IReadOnlyList<ReconciliationDifference> Differences);

/// <summary>
/// Compares what the payment provider says with the ledger's cash transactions, both ways. Pure: the lists come from
/// the provider's API (every page) and from the event store. Cash actions the operator recorded by hand (bank
/// transfers, offline mode) are only totalled: the provider knows nothing of them.
/// </summary>
public static class Reconciliation
{
    public static ReconciliationReport Compare(IReadOnlyList<ProviderIntent> intents, IReadOnlyList<ProviderTransfer> transfers,
        IReadOnlyList<TransactionPosted> cash, PaymentsBook book)
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

        var totals = new ReconciliationTotals(
            intents.Count, intents.Where(i => i.Status == "succeeded").Sum(i => i.AmountReceivedFen),
            cash.Where(t => t.Kind == "payment" && ViaPayment(t)).Sum(Amount), cash.Where(t => t.Kind == "payment" && !ViaPayment(t)).Sum(Amount),
            transfers.Count, transfers.Sum(t => t.AmountFen),
            cash.Where(t => t.Kind == "payout" && ViaPayout(t)).Sum(Amount), cash.Where(t => t.Kind == "payout" && !ViaPayout(t)).Sum(Amount));
        return new ReconciliationReport(differences.Count == 0, totals, differences);
    }
}
