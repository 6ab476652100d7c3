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
        var key = PaymentProjections.PayeeStreamOf(party.Id);
        for (var n = 1; ; n++)
        {
            long readVersion = 0;
            try
            {
                var (payout, repeat) = await Decider.RunAsync(store, async (session, token) =>
                {
                    // The decision reads the balance: under the shared settlement lock, as every cash action. A payout id is
                    // unique across payees: its lock makes the check of other payees' payouts and this request's record one step.
                    await SettlementLock.ShareAsync(session, token);
                    if (!string.IsNullOrWhiteSpace(r.Id) && r.Id.Length <= PaymentsBook.MaxPayoutIdLength)
                    {
                        await Decider.LockAsync(session, "computenet-payout:" + r.Id, token);
                    }
                    // The stream first, then the balance: a payout posted in between is then both reserved and paid (a
                    // refusal at worst, decided again below), never neither.
                    var stream = await session.Events.FetchForWriting<PayeeStream>(key, token);
                    readVersion = stream.CurrentVersion ?? 0;
                    var state = stream.Aggregate ?? new PayeeStream { Id = key };
                    var payable = -await PaymentProjections.BalanceAsync(session, account, token);
                    if (!string.IsNullOrWhiteSpace(r.Id) && r.Id.Length <= PaymentsBook.MaxPayoutIdLength && state.Book.PayoutAccountOf(party.Id) is not null
                        && await session.LoadAsync<PayoutDocument>(r.Id, token) is { } other && other.Party != party.Id)
                    {
                        throw RejectedException.Of(Codes.IdReused, $"payout id '{r.Id}' was already used with other content", "id");
                    }
                    var requested = state.Book.DecidePayout(r.Id, party.Id, account, r.AmountFen, payable, clock.GetCurrentInstant());
                    if (requested is null)
                    {
                        return new Decided<(PayoutState, bool)>((state.Book.Payout(r.Id!)!, true), false);
                    }
                    stream.AppendOne(requested);
                    state.Apply(requested, long.MaxValue);
                    return new Decided<(PayoutState, bool)>((state.Book.Payout(r.Id!)!, false), true);
                }, ct);
                return repeat ? PayoutView.Of(payout, repeat: true) : await AttemptAsync(payout, ct);
            }
            catch (RejectedException) when (n < ExpectedVersion.MaxAttempts)
            {
                // A refusal may rest on a stale stream (a balance read later saw a posting the stream read did not): decide
                // again if the payee's stream moved meanwhile, else the refusal stands.
                if (!await MovedAsync(key, readVersion, ct))
                {
                    throw;
                }
                await ExpectedVersion.BackOffAsync(n, ct);
            }
        }
    }

    private async Task<bool> MovedAsync(string key, long readVersion, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return ((await session.Events.FetchStreamStateAsync(key, ct))?.Version ?? 0) != readVersion;
    }

    public async ValueTask<PayoutView> Handle(RetryPayoutRequest r, CancellationToken ct)
    {
        PaymentGateways.RequireConfigured(gateway);
        // The payout's document names its payee, whose stream holds the payout.
        PayoutDocument? document;
        await using (var session = store.QuerySession())
        {
            document = await session.LoadAsync<PayoutDocument>(r.PayoutId, ct);
        }
        var book = document is null ? new PaymentsBook() : await PaymentProjections.ReadPayeeAsync(store, document.Party, ct);
        var payout = book.DecideRetry(r.PayoutId);
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
        return await Decider.DecideAsync<PayeeStream, PayoutView>(store, PaymentProjections.PayeeStreamOf(p.Party),
            state => state.Book.Payout(p.PayoutId) is { Status: "requested" or "failed" } current
                ? [outcome is PayoutTransferFailed f ? f with { Attempt = current.Attempts + 1 } : outcome]
                : [],
            (state, _) => PayoutView.Of(state.Book.Payout(p.PayoutId)!, repeat: false), ct);
    }
}
