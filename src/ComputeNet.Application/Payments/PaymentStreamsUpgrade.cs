using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Payments;
using Marten;

namespace ComputeNet.Application.Payments;

/// <summary>
/// A schema written with the single <c>payments</c> stream gets one stream per invoice (<c>payment:{invoiceId}</c>) and one
/// per payee (<c>payee:{party}</c>), once, at start (<see cref="StreamSplit"/>). Events that name only their intent or payout
/// go to the stream of the intent's invoice or the payout's party, learnt from the old stream as it is read (an intent is
/// created, and a payout requested, before anything else about it). Each intent creation and payout request is copied in a
/// transaction of its own, so its document draws its list order in the original order.
/// </summary>
public static class PaymentStreamsUpgrade
{
    public const string OldStream = "payments";

    public static Task<bool> EnsureAsync(IDocumentStore store, Action<string>? log, CancellationToken ct)
    {
        var invoiceOfIntent = new Dictionary<string, string>(StringComparer.Ordinal);
        var partyOfPayout = new Dictionary<string, string>(StringComparer.Ordinal);
        string StreamOf(object e)
        {
            switch (e)
            {
                case PaymentIntentCreated c:
                    invoiceOfIntent[c.IntentId] = c.InvoiceId;
                    return PaymentProjections.PaymentStreamOf(c.InvoiceId);
                case PayoutRequested r:
                    partyOfPayout[r.PayoutId] = r.Party;
                    return PaymentProjections.PayeeStreamOf(r.Party);
                case PayoutAccountSet a:
                    return PaymentProjections.PayeeStreamOf(a.Party);
            }
            if (PaymentsBook.IntentIdOf(e) is { } intentId)
            {
                return PaymentProjections.PaymentStreamOf(invoiceOfIntent.GetValueOrDefault(intentId)
                    ?? throw new InvalidOperationException($"intent '{intentId}' has no creation before it in the payments stream"));
            }
            if (PaymentsBook.PayoutIdOf(e) is { } payoutId)
            {
                return PaymentProjections.PayeeStreamOf(partyOfPayout.GetValueOrDefault(payoutId)
                    ?? throw new InvalidOperationException($"payout '{payoutId}' has no request before it in the payments stream"));
            }
            throw new InvalidOperationException($"unexpected {e.GetType().Name} in the payments stream");
        }
        return StreamSplit.EnsureAsync(store, OldStream, StreamOf, null, log, ct, alone: e => e is PaymentIntentCreated or PayoutRequested);
    }
}
