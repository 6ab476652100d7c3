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
/// Operator: pay a provider or carrier (or a region its revenue share: <see cref="Account"/> <c>region</c>, party the region id)
/// through a Stripe Connect transfer to its connected account — its whole
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

public sealed class PayPartyHandler(IDocumentStore store, PartyDirectory parties, IPaymentGateway gateway, IClock clock, PayoutAttempts attempts)
    : ICommandHandler<PayPartyRequest, PayoutView>, ICommandHandler<RetryPayoutRequest, PayoutView>
{
    public async ValueTask<PayoutView> Handle(PayPartyRequest r, CancellationToken ct)
    {
        // The payee: a provider or carrier, or a region (account `region`, party the region id; market-rules §14), whose
        // payouts and connected account are kept under region:{id}.
        string payee, account;
        if (r.Account == CashBook.RegionAccountName)
        {
            if (!await Ledger.RecordCash.RegionsAsync.IsRegionAsync(store, r.Party, ct))
            {
                throw RejectedException.Of(Codes.Invalid, $"no pairing agreement names a region '{r.Party}' (a demand region or supply hub)", "party");
            }
            payee = account = PaymentsBook.RegionPayee(r.Party);
        }
        else
        {
            var party = await parties.FindAsync(r.Party, ct)
                ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{r.Party}' is registered", "party");
            account = CashBook.PayoutAccount(party, r.Account);
            payee = party.Id;
        }
        PaymentGateways.RequireConfigured(gateway);
        var key = PaymentProjections.PayeeStreamOf(payee);
        var (payout, repeat) = await Decider.RunAsync(store, async (session, token) =>
        {
            // The decision reads the balance: under the shared settlement lock, as every cash action, and the payee's lock,
            // which a bank payout of the same party takes too (it must see this reservation, and this one its posting). A
            // payout id is unique across payees: its lock makes the check of other payees' payouts and this record one step.
            await SettlementLock.ShareAsync(session, token);
            if (!string.IsNullOrWhiteSpace(r.Id) && r.Id.Length <= PaymentsBook.MaxPayoutIdLength)
            {
                await Decider.LockAsync(session, "computenet-payout:" + r.Id, token);
            }
            await Decider.LockAsync(session, PayoutAttempts.PayeeLock(payee), token);
            var stream = await session.Events.FetchForWriting<PayeeStream>(key, token);
            var state = stream.Aggregate ?? new PayeeStream { Id = key };
            var payable = -await PaymentProjections.BalanceAsync(session, account, token);
            if (!string.IsNullOrWhiteSpace(r.Id) && r.Id.Length <= PaymentsBook.MaxPayoutIdLength && state.Book.PayoutAccountOf(payee) is not null
                && await session.LoadAsync<PayoutDocument>(r.Id, token) is { } other && other.Party != payee)
            {
                throw RejectedException.Of(Codes.IdReused, $"payout id '{r.Id}' was already used with other content", "id");
            }
            var requested = state.Book.DecidePayout(r.Id, payee, account, r.AmountFen, payable, clock.GetCurrentInstant());
            if (requested is null)
            {
                return new Decided<(PayoutState, bool)>((state.Book.Payout(r.Id!)!, true), false);
            }
            stream.AppendOne(requested);
            state.Apply(requested, long.MaxValue);
            return new Decided<(PayoutState, bool)>((state.Book.Payout(r.Id!)!, false), true);
        }, ct);
        // Recorded (the outbox entry): the transfer is attempted now, on the platform's time, not the request's — a client
        // that goes away abandons nothing; if this attempt's outcome is unknown, the outbox worker finishes it.
        return repeat ? PayoutView.Of(payout, repeat: true) : await attempts.AttemptAsync(payout.Requested.Party, payout.Requested.PayoutId, retry: false);
    }

    public async ValueTask<PayoutView> Handle(RetryPayoutRequest r, CancellationToken ct)
    {
        PaymentGateways.RequireConfigured(gateway);
        // The payout's document names its payee, whose stream holds the payout.
        PayoutDocument? document;
        await using (var query = store.QuerySession())
        {
            document = await query.LoadAsync<PayoutDocument>(r.PayoutId, ct);
        }
        if (document is null)
        {
            new PaymentsBook().DecideRetry(r.PayoutId, 0, clock.GetCurrentInstant());
        }
        // Checked again now: the balance (under the payee's lock, as a bank payout takes it), the other payouts in flight,
        // and the idempotency window.
        await using (var session = store.LightweightSession())
        {
            await SettlementLock.ShareAsync(session, ct);
            await Decider.LockAsync(session, PayoutAttempts.PayeeLock(document!.Party), ct);
            var book = (await session.Events.AggregateStreamAsync<PayeeStream>(PaymentProjections.PayeeStreamOf(document.Party), token: ct))?.Book
                ?? new PaymentsBook();
            var account = document.State.Requested.Account;
            var payable = -await PaymentProjections.BalanceAsync(session, account, ct);
            // An attempt that posted this payout's cash but has not recorded its outcome yet (it is finishing, or died
            // between the two): the posting is this payout's own, not a payment that leaves less to cover it.
            if (await session.LoadAsync<Ledger.LedgerTransactionView>(CashBook.TxIdOf(PaymentsBook.PayoutCashId(r.PayoutId)), ct) is not null)
            {
                payable += document.State.Requested.AmountFen;
            }
            book.DecideRetry(r.PayoutId, payable, clock.GetCurrentInstant());
        }
        return await attempts.AttemptAsync(document.Party, r.PayoutId, retry: true);
    }
}
