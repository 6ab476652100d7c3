using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Payments;
using Marten;

namespace ComputeNet.Application.Payments;

/// <summary>
/// One invoice's payment stream (<c>payment:{invoiceId}</c>): its intent and the intent's outcomes, folded into a
/// <see cref="PaymentsBook"/> that holds this one intent. One intent per invoice is the stream's own rule.
/// </summary>
public sealed class PaymentStream : IAggregateState
{
    public string Id { get; set; } = "";
    public PaymentsBook Book { get; } = new();

    public void Apply(object data, long sequence) => Book.Evolve(data);
}

/// <summary>
/// One payee's stream (<c>payee:{party}</c>): its payout account and its payouts, whose reservations against the payable
/// balance depend on each other, folded into a <see cref="PaymentsBook"/> of this party only.
/// </summary>
public sealed class PayeeStream : IAggregateState
{
    public string Id { get; set; } = "";
    public PaymentsBook Book { get; } = new();

    public void Apply(object data, long sequence) => Book.Evolve(data);
}

/// <summary>
/// An intent as the webhook, reconciliation and <c>GET /v1/payment-intents</c> read it, written inline with every event
/// about it: by intent id (the webhook finds the invoice's stream), indexed by creation order and by buyer then order.
/// </summary>
public sealed class PaymentIntentDocument : IOrderedDocument
{
    /// <summary>The intent id.</summary>
    public string Id { get; set; } = "";
    public string InvoiceId { get; set; } = "";
    public string Buyer { get; set; } = "";
    /// <summary>Creation order across intents (sequence <see cref="PaymentProjections.IntentOrderSequence"/>).</summary>
    public long Order { get; set; }
    public IntentState State { get; set; } = null!;
}

/// <summary>
/// A payout as retries, reconciliation and <c>GET /v1/payouts</c> read it, written inline: by payout id (a retry finds the
/// payee's stream; a payout id is unique across payees), indexed by request order, by party then order and by status then order.
/// </summary>
public sealed class PayoutDocument : IOrderedDocument
{
    /// <summary>The payout id.</summary>
    public string Id { get; set; } = "";
    public string Party { get; set; } = "";
    public string Status { get; set; } = "";
    /// <summary>Request order across payouts (sequence <see cref="PaymentProjections.PayoutOrderSequence"/>).</summary>
    public long Order { get; set; }
    public PayoutState State { get; set; } = null!;
}

public static class PaymentProjections
{
    public const string IntentOrderSequence = "cn_intent_order";
    public const string PayoutOrderSequence = "cn_payout_order";

    public static string PaymentStreamOf(string invoiceId) => $"payment:{invoiceId}";

    public static string PayeeStreamOf(string party) => $"payee:{party}";

    public static bool IsPaymentStream(string? key) => key is not null && key.StartsWith("payment:", StringComparison.Ordinal);

    public static bool IsPayeeStream(string? key) => key is not null && key.StartsWith("payee:", StringComparison.Ordinal);

    public static void Configure(StoreOptions opts, string schema)
    {
        opts.Projections.Add(new LiveAggregation<PaymentStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Projections.Add(new LiveAggregation<PayeeStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Schema.For<PaymentIntentDocument>().Index(x => x.Order).Index([x => x.Buyer, x => x.Order]);
        opts.Schema.For<PayoutDocument>().Index(x => x.Order).Index([x => x.Party, x => x.Order]).Index([x => x.Status, x => x.Order]);
        OrderSequences.Add(opts, schema, IntentOrderSequence);
        OrderSequences.Add(opts, schema, PayoutOrderSequence);
        opts.Projections.Add(new PaymentIntentDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        opts.Projections.Add(new PayoutDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
    }

    /// <summary>An invoice's stream state (a query read, no write).</summary>
    public static async Task<PaymentsBook> ReadPaymentAsync(IQuerySession session, string invoiceId, CancellationToken ct) =>
        (await session.Events.AggregateStreamAsync<PaymentStream>(PaymentStreamOf(invoiceId), token: ct))?.Book ?? new PaymentsBook();

    /// <summary>A payee's stream state (a query read, no write).</summary>
    public static async Task<PaymentsBook> ReadPayeeAsync(IDocumentStore store, string party, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.Events.AggregateStreamAsync<PayeeStream>(PayeeStreamOf(party), token: ct))?.Book ?? new PaymentsBook();
    }

    /// <summary>The balance of <paramref name="account"/> (debit positive, every posting so far), read in the session's transaction.</summary>
    public static async Task<long> BalanceAsync(IQuerySession session, string account, CancellationToken ct) =>
        (await session.LoadAsync<Ledger.LedgerAccountView>(account, ct))?.BalanceFen ?? 0;
}

public sealed class PaymentIntentDocumentProjection : OrderedDocumentProjection<PaymentIntentDocument>
{
    public PaymentIntentDocumentProjection(string schema) : base(schema, PaymentProjections.IntentOrderSequence)
    {
        Identity<PaymentIntentCreated>(e => e.IntentId);
        Identity<PaymentIntentSucceeded>(e => e.IntentId);
        Identity<PaymentIntentFailed>(e => e.IntentId);
        Identity<PaymentNotPosted>(e => e.IntentId);
    }

    protected override bool Follows(string? streamKey) => PaymentProjections.IsPaymentStream(streamKey);

    protected override PaymentIntentDocument? Start(string id, object data) =>
        data is PaymentIntentCreated c ? new PaymentIntentDocument { Id = id, InvoiceId = c.InvoiceId, Buyer = c.Buyer } : null;

    protected override void Fold(PaymentIntentDocument document, object data)
    {
        if (PaymentsBook.EvolveIntent(document.State, data) is { } state)
        {
            document.State = state;
        }
    }
}

public sealed class PayoutDocumentProjection : OrderedDocumentProjection<PayoutDocument>
{
    public PayoutDocumentProjection(string schema) : base(schema, PaymentProjections.PayoutOrderSequence)
    {
        Identity<PayoutRequested>(e => e.PayoutId);
        Identity<PayoutTransferFailed>(e => e.PayoutId);
        Identity<PayoutTransferred>(e => e.PayoutId);
        Identity<PayoutNotPosted>(e => e.PayoutId);
    }

    protected override bool Follows(string? streamKey) => PaymentProjections.IsPayeeStream(streamKey);

    protected override PayoutDocument? Start(string id, object data) =>
        data is PayoutRequested r ? new PayoutDocument { Id = id, Party = r.Party } : null;

    protected override void Fold(PayoutDocument document, object data)
    {
        if (PaymentsBook.EvolvePayout(document.State, data) is { } state)
        {
            document.State = state;
            document.Status = state.Status;
        }
    }
}
