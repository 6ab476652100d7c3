using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Ledger;
using ComputeNet.Domain;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Payments;
using ComputeNet.Domain.Settlement;
using Marten;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ComputeNet.Application.Payments.RefundThroughStripe;

/// <summary>One refund's stream (<c>refund:{refundId}</c>, ADR 0027): its request and the outcome of each part.</summary>
public sealed class RefundStream : IAggregateState
{
    public string Id { get; set; } = "";
    public RefundState? State { get; private set; }

    public void Apply(object data, long sequence) => State = Refunds.Evolve(State, data);
}

/// <summary>
/// A refund through the provider as attempts, the outbox, the webhook and reconciliation read it, written inline with every
/// event about it: by refund id (= cash id), indexed by buyer then order and by status then order.
/// </summary>
public sealed class RefundDocument : IOrderedDocument
{
    public string Id { get; set; } = "";
    public string Buyer { get; set; } = "";
    public string Status { get; set; } = "";
    /// <summary>Request order across refunds (sequence <see cref="RefundProjections.OrderSequence"/>).</summary>
    public long Order { get; set; }
    public RefundState State { get; set; } = null!;
}

public static class RefundProjections
{
    public const string OrderSequence = "cn_refund_order";

    public static void Configure(StoreOptions opts, string schema)
    {
        opts.Projections.Add(new LiveAggregation<RefundStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Schema.For<RefundDocument>().Index([x => x.Buyer, x => x.Order]).Index([x => x.Status, x => x.Order]);
        OrderSequences.Add(opts, schema, OrderSequence);
        opts.Projections.Add(new RefundDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
    }

    /// <summary>
    /// Called by the cash action <c>refund</c> in its own session, under the ledger lock, once the posting is decided: when
    /// the buyer paid through the provider, appends the <see cref="RefundRequested"/> (the outbox entry) to the same
    /// transaction. What each intent can give back is what it received less the parts of earlier refunds that did not fail.
    /// Returns null for a buyer with no succeeded intent (a bank refund, as before).
    /// </summary>
    public static async Task<RefundRequested?> PlanAsync(IDocumentSession session, string buyer, string refundId, long amountFen, Instant at, CancellationToken ct)
    {
        var intents = (await session.Query<PaymentIntentDocument>().Where(d => d.Buyer == buyer).ToListAsync(ct))
            .Where(d => d.State.Succeeded is not null).ToList();
        if (intents.Count == 0)
        {
            return null;
        }
        var held = (await session.Query<RefundDocument>().Where(d => d.Buyer == buyer).ToListAsync(ct))
            .SelectMany(d => Refunds.Held(d.State)).GroupBy(h => h.IntentId).ToDictionary(g => g.Key, g => g.Sum(h => h.AmountFen), StringComparer.Ordinal);
        var requested = Refunds.Decide(refundId, buyer, amountFen,
            intents.Select(d => new RefundableIntent(d.Id, d.Order, d.State.Succeeded!.AmountFen - held.GetValueOrDefault(d.Id))), at);
        if (requested is not null)
        {
            session.Events.StartStream<RefundStream>(Refunds.StreamOf(refundId), requested);
        }
        return requested;
    }
}

public sealed class RefundDocumentProjection : OrderedDocumentProjection<RefundDocument>
{
    public RefundDocumentProjection(string schema) : base(schema, RefundProjections.OrderSequence)
    {
        Identity<RefundRequested>(e => e.RefundId);
        Identity<RefundPartCreated>(e => e.RefundId);
        Identity<RefundPartSucceeded>(e => e.RefundId);
        Identity<RefundPartFailed>(e => e.RefundId);
    }

    protected override bool Follows(string? streamKey) => Refunds.IsRefundStream(streamKey);

    protected override RefundDocument? Start(string id, object data) =>
        data is RefundRequested r ? new RefundDocument { Id = id, Buyer = r.Buyer } : null;

    protected override void Fold(RefundDocument document, object data)
    {
        if (Refunds.Evolve(document.State, data) is { } state)
        {
            document.State = state;
            document.Status = state.Status;
        }
    }
}

/// <summary>
/// The provider calls of a recorded refund, exactly once (ADR 0027, as <see cref="PayParty.PayoutAttempts"/> for payouts). The
/// posting and <see cref="RefundRequested"/> were committed together; an attempt then takes the refund's attempt lock (a
/// session-level advisory lock, released by PostgreSQL if the host dies), reads the refund again, and creates each part still
/// <c>requested</c> under the part's idempotency key, on the platform's time. An accepted part records
/// <see cref="RefundPartCreated"/>; a refused one is given back to the buyer (a reversal of that part of the posting) and
/// records <see cref="RefundPartFailed"/>; no answer records nothing, and the outbox (<see cref="PayParty.PayoutOutbox"/>) or a
/// repeat of the cash request attempts it again under the same key inside the provider's 24-hour idempotency window.
/// </summary>
public sealed class RefundAttempts(IDocumentStore store, IPaymentGateway gateway, IClock clock, ILogger<RefundAttempts>? logger = null) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    private static string AttemptLock(string refundId) => "computenet-refund-attempt:" + refundId;

    /// <summary>Attempts the parts of <paramref name="refundId"/> still to be created; answers the refund as it then is (null: none).</summary>
    public async Task<RefundState?> AttemptAsync(string refundId, bool wait = true)
    {
        var ct = _stopping.Token;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var key = Decider.LockKey(AttemptLock(refundId), store.Options.DatabaseSchemaName);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = wait ? "select pg_advisory_lock(@key), true" : "select true, pg_try_advisory_lock(@key)";
            command.Parameters.Add(new Npgsql.NpgsqlParameter("key", key));
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (!reader.GetBoolean(1))
            {
                return await ReadAsync(refundId, ct);
            }
        }
        try
        {
            var refund = await ReadAsync(refundId, ct);
            if (refund is null || refund.Status != "requested")
            {
                return refund;
            }
            if (clock.GetCurrentInstant() - refund.Requested.At > PaymentsBook.IdempotencyWindow)
            {
                logger?.LogWarning("refund {RefundId} is beyond the provider's idempotency window unfinished; reconcile it", refundId);
                return refund;
            }
            foreach (var part in refund.Parts.Where(p => p.Status == "requested").ToList())
            {
                if (!await CreateAsync(refund.Requested, part.Part, ct))
                {
                    break;
                }
            }
            return await ReadAsync(refundId, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: as a crash would, it leaves the refund to the next host's outbox.
            return null;
        }
        finally
        {
            await using var unlock = connection.CreateCommand();
            unlock.CommandText = "select pg_advisory_unlock(@key)";
            unlock.Parameters.Add(new Npgsql.NpgsqlParameter("key", key));
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<RefundState?> ReadAsync(string refundId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<RefundDocument>(refundId, ct))?.State;
    }

    /// <summary>One part's provider call; false when its outcome is unknown (the rest waits for the next attempt).</summary>
    private async Task<bool> CreateAsync(RefundRequested r, RefundPart part, CancellationToken ct)
    {
        object outcome;
        try
        {
            var created = await gateway.CreateRefundAsync(new NewRefund(part.IntentId, part.AmountFen,
                new Dictionary<string, string>
                {
                    [MetadataKeys.RefundId] = r.RefundId, [MetadataKeys.RefundPart] = part.N.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [MetadataKeys.Buyer] = r.Buyer,
                }, part.IdempotencyKey), ct);
            if (created.Status is "failed" or "canceled")
            {
                await ReversePartAsync(store, clock, r, part, $"refund part {part.N} {created.Status} at Stripe", ct);
                outcome = new RefundPartFailed(r.RefundId, part.N, created.Id, created.FailureReason ?? created.Status, $"Stripe answered {created.Status}",
                    Refunds.ReversalId(r.RefundId, part.N), clock.GetCurrentInstant());
            }
            else
            {
                outcome = new RefundPartCreated(r.RefundId, part.N, created.Id, created.Status, clock.GetCurrentInstant());
            }
        }
        catch (PaymentGatewayException e) when (e.OutcomeUnknown)
        {
            logger?.LogWarning(e, "refund {RefundId} part {Part}: no answer from the provider ({Code}); the outbox will attempt it again", r.RefundId, part.N, e.Code);
            return false;
        }
        catch (PaymentGatewayException e)
        {
            // Refused (e.g. the charge was disputed or already refunded): the buyer is owed the part again.
            await ReversePartAsync(store, clock, r, part, $"refund part {part.N} refused by Stripe ({e.Code})", ct);
            outcome = new RefundPartFailed(r.RefundId, part.N, null, e.Code, e.Message, Refunds.ReversalId(r.RefundId, part.N), clock.GetCurrentInstant());
        }
        await RecordAsync(store, r.RefundId, outcome, ct);
        return true;
    }

    /// <summary>Appends a part's outcome unless the part has one already (a concurrent webhook or attempt).</summary>
    internal static Task<bool> RecordAsync(IDocumentStore store, string refundId, object outcome, CancellationToken ct) =>
        Decider.DecideAsync<RefundStream, bool>(store, Refunds.StreamOf(refundId), state =>
        {
            var n = outcome switch { RefundPartCreated c => c.N, RefundPartSucceeded s => s.N, RefundPartFailed f => f.N, _ => 0 };
            var part = state.State?.Parts.FirstOrDefault(p => p.Part.N == n);
            var open = outcome switch
            {
                RefundPartCreated => part?.Status == "requested",
                RefundPartSucceeded => part?.Status is "requested" or "pending",
                RefundPartFailed => part is not null && part.Status != "failed",
                _ => false,
            };
            return open ? [outcome] : [];
        }, (_, decided) => decided.Count > 0, ct);

    /// <summary>
    /// Gives a failed part back to the buyer: a reversal of that part of the refund's posting
    /// (<c>reversal/refund-failed-{id}-{n}</c> on the corrections stream: the account debited, clearing credited back), once.
    /// </summary>
    internal static async Task ReversePartAsync(IDocumentStore store, IClock clock, RefundRequested r, RefundPart part, string reason, CancellationToken ct)
    {
        var txId = Corrections.Prefix + Refunds.ReversalId(r.RefundId, part.N);
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ShareAsync(session, ct);
            await SettlementLock.LedgerAsync(session, ct);
            if (await session.LoadAsync<LedgerTransactionView>(txId, ct) is { } done)
            {
                // Given back already (a crash between the reversal and its event) — unless an operator's correction took the id.
                if (done.Reverses != CashBook.TxIdOf(r.RefundId))
                {
                    throw new InvalidOperationException($"correction id '{txId}' is taken by another transaction; give refund '{r.RefundId}' part {part.N} back by hand");
                }
                return;
            }
            var original = (await session.LoadAsync<LedgerTransactionView>(CashBook.TxIdOf(r.RefundId), ct))?.Transaction
                ?? throw new InvalidOperationException($"refund '{r.RefundId}' has no cash posting");
            var account = original.Postings.First(p => p.Account != CashBook.Clearing).Account;
            var readVersion = (await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Corrections, ct))?.Version ?? 0;
            var posted = new TransactionPosted(txId, original.Period, "reversal", $"reverses {original.TxId}: {reason}",
                [new Posting(account, -part.AmountFen), new Posting(CashBook.Clearing, part.AmountFen)], clock.GetCurrentInstant()).EnsureBalanced();
            ExpectedVersion.Append(session, MartenSetup.Streams.Corrections, readVersion, [posted]);
            try
            {
                await session.SaveChangesAsync(ct);
                return;
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
            {
                await ExpectedVersion.BackOffAsync(attempt, ct);
            }
        }
    }

    /// <summary>Attempts every refund still <c>requested</c> that no other attempt holds (the outbox sweep); returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var done = 0;
        long after = 0;
        while (true)
        {
            IReadOnlyList<RefundDocument> page;
            await using (var session = store.QuerySession())
            {
                page = await session.Query<RefundDocument>().Where(d => d.Status == "requested" && d.Order > after).OrderBy(d => d.Order).Take(100).ToListAsync(ct);
            }
            foreach (var d in page)
            {
                await AttemptAsync(d.Id, wait: false);
                done++;
            }
            if (page.Count < 100)
            {
                return done;
            }
            after = page[^1].Order;
        }
    }

    /// <summary>Cancels attempts in flight: the host is stopping (the outbox of the next host finishes them).</summary>
    public void Stop()
    {
        if (!_disposed)
        {
            _stopping.Cancel();
        }
    }

    public void Dispose()
    {
        Stop();
        _disposed = true;
        _stopping.Dispose();
    }
}

/// <summary>
/// The provider's word on a refund (<c>refund.updated</c>, <c>refund.failed</c>, <c>charge.refunded</c>): each refund it carries
/// whose metadata names one of this platform's refunds and parts marks the part <c>succeeded</c> or, when failed or canceled,
/// gives it back to the buyer (a reversal of that part) and marks it <c>failed</c>. Replays change nothing.
/// </summary>
public static class RefundWebhook
{
    public static async Task<HandleStripeWebhook.WebhookResult> HandleAsync(IDocumentStore store, IClock clock, GatewayEvent e, CancellationToken ct)
    {
        var done = new List<string>();
        foreach (var g in e.Refunds ?? [])
        {
            if (!g.Metadata.TryGetValue(MetadataKeys.RefundId, out var refundId)
                || !int.TryParse(g.Metadata.GetValueOrDefault(MetadataKeys.RefundPart), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                continue;
            }
            RefundState? refund;
            await using (var session = store.QuerySession())
            {
                refund = (await session.LoadAsync<RefundDocument>(refundId, ct))?.State;
            }
            var part = refund?.Parts.FirstOrDefault(p => p.Part.N == n);
            if (refund is null || part is null || part.Status == "failed")
            {
                continue;
            }
            var now = clock.GetCurrentInstant();
            if (g.Status == "succeeded" && await RefundAttempts.RecordAsync(store, refundId, new RefundPartSucceeded(refundId, n, g.Id, e.Id, now), ct))
            {
                done.Add($"refund {refundId} part {n} succeeded");
            }
            else if (g.Status is "failed" or "canceled")
            {
                await RefundAttempts.ReversePartAsync(store, clock, refund.Requested, part.Part, $"refund part {n} {g.Status} at Stripe ({g.FailureReason})", ct);
                if (await RefundAttempts.RecordAsync(store, refundId, new RefundPartFailed(refundId, n, g.Id, g.FailureReason, $"Stripe reported the refund {g.Status}",
                        Refunds.ReversalId(refundId, n), now), ct))
                {
                    done.Add($"refund {refundId} part {n} {g.Status}: reversed by {Refunds.ReversalId(refundId, n)}");
                }
            }
        }
        return done.Count == 0
            ? new HandleStripeWebhook.WebhookResult(e.Id, e.Type, "ignored", null, "no refund of this platform changed")
            : new HandleStripeWebhook.WebhookResult(e.Id, e.Type, "refund-recorded", null, string.Join("; ", done));
    }
}
