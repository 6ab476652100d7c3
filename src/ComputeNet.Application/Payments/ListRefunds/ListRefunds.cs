using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Payments.RefundThroughStripe;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Payments;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Payments.ListRefunds;

/// <summary>
/// Refunds through the payment provider (ADR 0027) with their parts, in request order; optionally one party's (the buyer or
/// issuer refunded) or one status. Paged in PostgreSQL (<see cref="Offset"/>, at most <see cref="Limit"/>) through the refund
/// documents' party-then-order and status-then-order indexes. A refund paid wholly by bank (the party never paid through the
/// provider) has no provider parts and no refund document: it is its cash transaction <c>cash/{id}</c> in the ledger only.
/// </summary>
public sealed record ListRefundsRequest(string? Party = null, string? Status = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<RefundView>>;

/// <summary>One refund through the provider by id (= its cash id); null when there is none, or when <see cref="Party"/> is set and it is another party's.</summary>
public sealed record GetRefundRequest(string RefundId, string? Party = null) : IQuery<RefundView?>;

/// <summary>
/// A refund as it stands: <see cref="AmountFen"/> owed back to <see cref="Party"/> (the buyer or issuer; posted as <see cref="CashTxId"/>), of which
/// <see cref="Parts"/> go back onto the party's payment intents and <see cref="BankFen"/> (what the intents could not cover) is
/// a bank transfer. <see cref="Status"/>: <c>requested</c> (a part has no answer from the provider yet), <c>pending</c>,
/// <c>refunded</c>, or <c>failed</c> (a part failed and was given back to the party in the ledger).
/// </summary>
public sealed record RefundView(string RefundId, string Party, string CashTxId, long AmountFen, long BankFen, string Currency, string Status,
    IReadOnlyList<RefundPartView> Parts, Instant RequestedAt)
{
    public static RefundView Of(RefundState s) => new(s.Requested.RefundId, s.Requested.Buyer, CashBook.TxIdOf(s.Requested.RefundId),
        s.Requested.AmountFen, s.Requested.BankFen, PaymentsBook.Currency, s.Status, s.Parts.Select(p => RefundPartView.Of(s.Requested.RefundId, p)).ToList(),
        s.Requested.At);
}

/// <summary>
/// One part: <see cref="AmountFen"/> back onto payment intent <see cref="IntentId"/> under <see cref="IdempotencyKey"/>; the
/// provider's refund id once it answered; for a failed part, the provider's code and message and the reversal
/// (<see cref="ReversalTxId"/>) that gave the amount back to the party.
/// </summary>
public sealed record RefundPartView(int N, string IntentId, long AmountFen, string IdempotencyKey, string Status, string? ProviderRefundId,
    string? FailureCode, string? FailureMessage, string? ReversalTxId)
{
    public static RefundPartView Of(string refundId, RefundPartState p) => new(p.Part.N, p.Part.IntentId, p.Part.AmountFen, p.Part.IdempotencyKey,
        p.Status, p.ProviderRefundId, p.FailureCode, p.FailureMessage, p.Status == "failed" ? Corrections.Prefix + Refunds.ReversalId(refundId, p.Part.N) : null);
}

public sealed class ListRefundsValidator : AbstractValidator<ListRefundsRequest>
{
    /// <summary>The statuses a refund can have (<see cref="Refunds.Evolve"/>).</summary>
    public static readonly string[] Statuses = ["requested", "pending", "refunded", "failed"];

    public ListRefundsValidator()
    {
        RuleFor(x => x.Party).MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.Status).Must(s => s is null || Statuses.Contains(s, StringComparer.Ordinal))
            .WithMessage($"status must be one of {string.Join(", ", Statuses)}");
        RuleFor(x => x.Offset).GreaterThanOrEqualTo(0);
        RuleFor(x => x.Limit).InclusiveBetween(1, RequestLimits.MaxListItems + 1);
    }
}

public sealed class GetRefundValidator : AbstractValidator<GetRefundRequest>
{
    public GetRefundValidator() => RuleFor(x => x.RefundId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
}

public sealed class ListRefundsHandler(IDocumentStore store)
    : IQueryHandler<ListRefundsRequest, IReadOnlyList<RefundView>>, IQueryHandler<GetRefundRequest, RefundView?>
{
    public async ValueTask<IReadOnlyList<RefundView>> Handle(ListRefundsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        IQueryable<RefundDocument> query = session.Query<RefundDocument>();
        if (q.Party is not null)
        {
            query = query.Where(d => d.Buyer == q.Party);
        }
        if (q.Status is not null)
        {
            query = query.Where(d => d.Status == q.Status);
        }
        query = query.OrderBy(d => d.Order).Skip(q.Offset);
        if (q.Limit is { } limit)
        {
            query = query.Take(limit);
        }
        return (await query.ToListAsync(ct)).Select(d => RefundView.Of(d.State)).ToList();
    }

    public async ValueTask<RefundView?> Handle(GetRefundRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var document = await session.LoadAsync<RefundDocument>(q.RefundId, ct);
        return document is null || (q.Party is not null && document.Buyer != q.Party) ? null : RefundView.Of(document.State);
    }
}
