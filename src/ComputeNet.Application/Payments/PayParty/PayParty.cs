using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Ledger.RecordCash;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Payments;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Payments.PayParty;

/// <summary>
/// Operator: pay a provider or carrier through a Stripe Connect transfer to its connected account — its whole
/// payable balance (less payouts in flight) or <see cref="AmountFen"/>. The payout is recorded before the transfer;
/// once Stripe accepts, it is posted as a cash payout. A failed transfer is recorded and retried with
/// <see cref="RetryPayoutRequest"/>, under the same idempotency key. A repeat of the id answers the payout as it is.
/// </summary>
public sealed record PayPartyRequest(string? Id, string Party, long? AmountFen = null, string? Account = null) : ICommand<PayoutView>;

/// <summary>Operator: try a failed payout's transfer again, with the payout's own idempotency key and amount.</summary>
public sealed record RetryPayoutRequest(string PayoutId) : ICommand<PayoutView>;

/// <summary>
/// A payout and where it stands: <c>requested</c> (no attempt finished), <c>failed</c> (retry it), <c>paid</c> (transferred and
/// posted) or <c>not-posted</c> (transferred, the ledger refused it; see reconciliation).
/// </summary>
public sealed record PayoutView(string Id, string Party, string Account, long AmountFen, string Currency, string Destination, string IdempotencyKey,
    string Status, int Attempts, string? TransferId, string? CashId, string? LastErrorCode, string? LastError, Instant RequestedAt, bool Repeat)
{
    public static PayoutView Of(PayoutState s, bool repeat) => new(s.Requested.PayoutId, s.Requested.Party, s.Requested.Account, s.Requested.AmountFen,
        PaymentsBook.Currency, s.Requested.Destination, s.Requested.IdempotencyKey, s.Status, s.Attempts, s.Transferred?.TransferId ?? s.NotPosted?.TransferId,
        s.Transferred?.CashId, s.NotPosted?.Code ?? s.LastFailure?.ErrorCode, s.NotPosted?.Reason ?? s.LastFailure?.ErrorMessage, s.Requested.At, repeat);
}

public sealed class PayPartyValidator : AbstractValidator<PayPartyRequest>
{
    public PayPartyValidator() => RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
}

public sealed class RetryPayoutValidator : AbstractValidator<RetryPayoutRequest>
{
    public RetryPayoutValidator() => RuleFor(x => x.PayoutId).NotEmpty().MaximumLength(PaymentsBook.MaxPayoutIdLength);
}

public sealed class PayPartyHandler(IDocumentStore store, PartyDirectory parties, IPaymentGateway gateway, IClock clock)
    : ICommandHandler<PayPartyRequest, PayoutView>, ICommandHandler<RetryPayoutRequest, PayoutView>
{
    public async ValueTask<PayoutView> Handle(PayPartyRequest r, CancellationToken ct)
    {
        var party = await parties.FindAsync(r.Party, ct)
            ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{r.Party}' is registered", "party");
        var account = CashBook.PayoutAccount(party, r.Account);
        PaymentGateways.RequireConfigured(gateway);
        var repeat = false;
        var book = await PaymentsStream.WriteAsync(store, settlementLock: true, async (session, b) =>
        {
            var payable = -await PaymentsStream.BalanceAsync(session, account, ct);
            var requested = b.DecidePayout(r.Id, party.Id, account, r.AmountFen, payable, clock.GetCurrentInstant());
            repeat = requested is null;
            return requested is null ? [] : [requested];
        }, ct);
        var payout = book.Payout(r.Id!)!;
        return repeat ? PayoutView.Of(payout, repeat: true) : await AttemptAsync(payout, ct);
    }

    public async ValueTask<PayoutView> Handle(RetryPayoutRequest r, CancellationToken ct)
    {
        PaymentGateways.RequireConfigured(gateway);
        var payout = (await PaymentsStream.ReadAsync(store, ct)).DecideRetry(r.PayoutId);
        return await AttemptAsync(payout, ct);
    }

    /// <summary>One transfer attempt under the payout's idempotency key, then the cash payout; each outcome is recorded.</summary>
    private async Task<PayoutView> AttemptAsync(PayoutState payout, CancellationToken ct)
    {
        var p = payout.Requested;
        object outcome;
        try
        {
            var transfer = await gateway.CreateTransferAsync(new NewTransfer(p.AmountFen, PaymentsBook.Currency, p.Destination,
                new Dictionary<string, string> { [MetadataKeys.PayoutId] = p.PayoutId, [MetadataKeys.Party] = p.Party }, p.IdempotencyKey), ct);
            var cashId = PaymentsBook.PayoutCashId(p.PayoutId);
            var cashAccount = p.Account.StartsWith("carrier:", StringComparison.Ordinal) ? "carrier" : "provider";
            try
            {
                await RecordCashHandler.RecordAsync(store, parties, clock, new RecordCashRequest("payout", cashId, p.Party, p.AmountFen, cashAccount), ct);
                outcome = new PayoutTransferred(p.PayoutId, transfer.Id, cashId, clock.GetCurrentInstant());
            }
            catch (RejectedException rejected)
            {
                outcome = new PayoutNotPosted(p.PayoutId, transfer.Id, rejected.Rejection.Code, rejected.Rejection.Reason, clock.GetCurrentInstant());
            }
        }
        catch (PaymentGatewayException e)
        {
            outcome = new PayoutTransferFailed(p.PayoutId, payout.Attempts + 1, e.Code, e.Message, clock.GetCurrentInstant());
        }
        var book = await PaymentsStream.WriteAsync(store, b =>
            b.Payout(p.PayoutId) is { Status: "requested" or "failed" } current
                ? [outcome is PayoutTransferFailed f ? f with { Attempt = current.Attempts + 1 } : outcome]
                : [], ct);
        return PayoutView.Of(book.Payout(p.PayoutId)!, repeat: false);
    }
}
