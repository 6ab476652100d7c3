using NodaTime;

namespace ComputeNet.Domain.Payments;

/// <summary>
/// One part of a refund through the payment provider: <see cref="AmountFen"/> back onto payment intent <see cref="IntentId"/>,
/// created under <see cref="IdempotencyKey"/> (<see cref="Refunds.IdempotencyKey"/>). <see cref="N"/> is 1-based.
/// </summary>
public sealed record RefundPart(int N, string IntentId, long AmountFen, string IdempotencyKey);

/// <summary>
/// Event (stream <c>refund:{refundId}</c>, ADR 0027): a refund to a buyer who paid through the provider was posted (cash action
/// <see cref="RefundId"/>, in the same transaction) and is to be paid back onto the buyer's succeeded intents, newest first
/// (<see cref="Parts"/>). <see cref="BankFen"/> is what the intents could not cover: a bank transfer, as before. The outbox entry.
/// </summary>
public sealed record RefundRequested(string RefundId, string Buyer, long AmountFen, IReadOnlyList<RefundPart> Parts, long BankFen, Instant At);

/// <summary>Event: the provider accepted part <see cref="N"/> (its refund id and its status then: <c>pending</c> or <c>succeeded</c>).</summary>
public sealed record RefundPartCreated(string RefundId, int N, string ProviderRefundId, string Status, Instant At);

/// <summary>Event: the provider reported part <see cref="N"/> succeeded (webhook <c>charge.refunded</c> / <c>refund.updated</c>).</summary>
public sealed record RefundPartSucceeded(string RefundId, int N, string ProviderRefundId, string EventId, Instant At);

/// <summary>
/// Event: part <see cref="N"/> failed — refused when created, or failed by the provider after accepting it (webhook
/// <c>refund.updated</c> to <c>failed</c>). Its amount was given back to the buyer by the reversal <see cref="ReversalId"/>
/// (cash action <c>refund-failed-{refundId}-{n}</c>: the platform owes it again).
/// </summary>
public sealed record RefundPartFailed(string RefundId, int N, string? ProviderRefundId, string? Code, string Message, string ReversalId, Instant At);

/// <summary>A part as it stands: <c>requested</c> (no answer yet), <c>pending</c>, <c>succeeded</c> or <c>failed</c>.</summary>
public sealed record RefundPartState(RefundPart Part, string Status, string? ProviderRefundId, string? FailureCode, string? FailureMessage);

/// <summary>
/// A refund as it stands: <c>requested</c> while a part has no answer from the provider, <c>pending</c> while one is
/// accepted and not confirmed, <c>failed</c> when a part failed (and was reversed), else <c>refunded</c>.
/// </summary>
public sealed record RefundState(RefundRequested Requested, string Status, IReadOnlyList<RefundPartState> Parts);

/// <summary>A succeeded intent of a buyer and what it can still give back (received less earlier refund parts that did not fail).</summary>
public sealed record RefundableIntent(string IntentId, long Order, long RefundableFen);

/// <summary>Refunds through the payment provider: pure decisions and the fold (ADR 0027).</summary>
public static class Refunds
{
    public static string StreamOf(string refundId) => $"refund:{refundId}";

    public static bool IsRefundStream(string? key) => key is not null && key.StartsWith("refund:", StringComparison.Ordinal);

    public static string IdempotencyKey(string refundId, int n) => $"computenet-refund-{refundId}-{n}";

    /// <summary>The cash action that gives a failed part back to the buyer (a payment-like posting, idempotent by id).</summary>
    public static string ReversalId(string refundId, int n) => $"refund-failed-{refundId}-{n}";

    /// <summary>
    /// Splits <paramref name="amountFen"/> over the buyer's intents, newest first, never above what each can still give back;
    /// the rest is a bank transfer. Null when no intent can give anything (a bank refund, as before).
    /// </summary>
    public static RefundRequested? Decide(string refundId, string buyer, long amountFen, IEnumerable<RefundableIntent> intents, Instant at)
    {
        var parts = new List<RefundPart>();
        var left = amountFen;
        foreach (var i in intents.Where(i => i.RefundableFen > 0).OrderByDescending(i => i.Order))
        {
            if (left == 0)
            {
                break;
            }
            var take = Math.Min(left, i.RefundableFen);
            parts.Add(new RefundPart(parts.Count + 1, i.IntentId, take, IdempotencyKey(refundId, parts.Count + 1)));
            left -= take;
        }
        return parts.Count == 0 ? null : new RefundRequested(refundId, buyer, amountFen, parts, left, at);
    }

    /// <summary>Whether <paramref name="e"/> is a refund event.</summary>
    public static bool IsRefundEvent(object e) => e is RefundRequested or RefundPartCreated or RefundPartSucceeded or RefundPartFailed;

    public static string? RefundIdOf(object e) => e switch
    {
        RefundRequested r => r.RefundId,
        RefundPartCreated c => c.RefundId,
        RefundPartSucceeded s => s.RefundId,
        RefundPartFailed f => f.RefundId,
        _ => null,
    };

    /// <summary>One refund's state after <paramref name="e"/> (pure; the stream and the refund documents both fold with it).</summary>
    public static RefundState? Evolve(RefundState? refund, object e)
    {
        switch (e)
        {
            case RefundRequested r:
                return WithStatus(new RefundState(r, "requested", r.Parts.Select(p => new RefundPartState(p, "requested", null, null, null)).ToList()));
            case RefundPartCreated c when refund is not null:
                return Part(refund, c.N, p => p.Status == "requested" ? p with { Status = c.Status == "succeeded" ? "succeeded" : "pending", ProviderRefundId = c.ProviderRefundId } : p);
            case RefundPartSucceeded s when refund is not null:
                return Part(refund, s.N, p => p.Status is "requested" or "pending" ? p with { Status = "succeeded", ProviderRefundId = s.ProviderRefundId } : p);
            case RefundPartFailed f when refund is not null:
                return Part(refund, f.N, p => p.Status == "failed" ? p : p with { Status = "failed", ProviderRefundId = f.ProviderRefundId ?? p.ProviderRefundId, FailureCode = f.Code, FailureMessage = f.Message });
            default:
                return refund;
        }
    }

    private static RefundState Part(RefundState refund, int n, Func<RefundPartState, RefundPartState> change) =>
        WithStatus(refund with { Parts = refund.Parts.Select(p => p.Part.N == n ? change(p) : p).ToList() });

    private static RefundState WithStatus(RefundState r) => r with
    {
        Status = r.Parts.Any(p => p.Status == "failed") ? "failed"
            : r.Parts.Any(p => p.Status == "requested") ? "requested"
            : r.Parts.Any(p => p.Status == "pending") ? "pending"
            : "refunded",
    };

    /// <summary>What a refund's parts still hold of each intent (every part that did not fail).</summary>
    public static IEnumerable<(string IntentId, long AmountFen)> Held(RefundState r) =>
        r.Parts.Where(p => p.Status != "failed").Select(p => (p.Part.IntentId, p.Part.AmountFen));
}
