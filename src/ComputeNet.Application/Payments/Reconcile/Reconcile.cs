using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Payments;
using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Payments.Reconcile;

/// <summary>
/// Operator, regulator: what the provider says (every payment intent, transfer and refund, all pages) against the ledger's
/// cash transactions, with every difference listed (docs/payments.md).
/// </summary>
public sealed record ReconcileRequest : IQuery<ReconciliationReport>;

public sealed class ReconcileHandler(IDocumentStore store, IPaymentGateway gateway) : IQueryHandler<ReconcileRequest, ReconciliationReport>
{
    /// <summary>A bound on what one report reads from the provider (TigerStyle): beyond it the report refuses rather than guess.</summary>
    public const int MaxProviderObjects = 100_000;

    public async ValueTask<ReconciliationReport> Handle(ReconcileRequest q, CancellationToken ct)
    {
        PaymentGateways.RequireConfigured(gateway);
        try
        {
            return await CompareAsync(ct);
        }
        catch (PaymentGatewayException e)
        {
            throw Domain.RejectedException.Of(Domain.Codes.StripeError, $"Stripe could not be read ({e.Code}): {e.Message}");
        }
    }

    private async Task<ReconciliationReport> CompareAsync(CancellationToken ct)
    {
        var intents = new List<ProviderIntent>();
        await foreach (var i in gateway.ListPaymentIntentsAsync(ct))
        {
            intents.Add(PaymentGateways.ToProvider(i));
            Bound(intents.Count);
        }
        var transfers = new List<ProviderTransfer>();
        await foreach (var t in gateway.ListTransfersAsync(ct))
        {
            transfers.Add(PaymentGateways.ToProvider(t));
            Bound(transfers.Count);
        }
        var refunds = new List<ProviderRefund>();
        await foreach (var r in gateway.ListRefundsAsync(ct))
        {
            refunds.Add(PaymentGateways.ToProvider(r));
            Bound(refunds.Count);
        }
        await using var session = store.QuerySession();
        var cash = (await session.Events.FetchStreamAsync(MartenSetup.Streams.Cash, token: ct)).Select(e => e.Data).OfType<TransactionPosted>().ToList();
        // Every recorded intent and payout, from their documents (bounded like the provider's lists it is compared with).
        var book = PaymentsBook.Of(
            (await session.Query<PaymentIntentDocument>().OrderBy(d => d.Order).ToListAsync(ct)).Select(d => d.State),
            (await session.Query<PayoutDocument>().OrderBy(d => d.Order).ToListAsync(ct)).Select(d => d.State));
        var recordedRefunds = (await session.Query<RefundThroughStripe.RefundDocument>().OrderBy(d => d.Order).ToListAsync(ct)).Select(d => d.State).ToList();
        return Reconciliation.Compare(intents, transfers, cash, book, refunds, recordedRefunds);
    }

    private static void Bound(int count)
    {
        if (count > MaxProviderObjects)
        {
            throw new InvalidOperationException($"the provider lists more than {MaxProviderObjects} objects: reconcile by date range (not built yet)");
        }
    }
}
