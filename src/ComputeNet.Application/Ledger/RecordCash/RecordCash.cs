using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Ledger.RecordCash;

/// <summary>
/// Operator: record cash — a buyer's payment (type payment), a payout to a provider or carrier (payout; name the
/// account when the party is both) or to a region (payout, account <c>region</c>, party the region id), an issuer's
/// reimbursement (reimburse), a refund to a buyer or issuer of what the platform owes it (refund; name the account when
/// the party is both). Never above the open balance; ids unique among all cash actions; a repeat changes nothing.
/// </summary>
public sealed record RecordCashRequest(string Type, string? Id, string Party, long AmountFen, string? Account = null) : ICommand<CashResult>;

public sealed record CashResult(string Id, string Type, string Party, string Account, long AmountFen, bool Repeat);

public sealed class RecordCashValidator : AbstractValidator<RecordCashRequest>
{
    public RecordCashValidator() => RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
}

/// <summary>
/// Cash actions take the settlement lock shared (so a balance is never read while a close is changing it) and then the
/// ledger lock (so cash actions and reversals run one at a time: two payments cannot both pass). The open balance is the
/// account's <see cref="LedgerAccountView"/>, an earlier use of the id its <see cref="LedgerTransactionView"/>: the cost
/// of an action does not depend on how many were recorded before it. The cash stream's expected version still guards the append.
/// </summary>
public sealed class RecordCashHandler(IDocumentStore store, PartyDirectory parties, IClock clock, Payments.IPaymentGateway gateway,
    Payments.RefundThroughStripe.RefundAttempts refunds) : ICommandHandler<RecordCashRequest, CashResult>
{

    /// <summary>
    /// A refund to a buyer who paid through Stripe goes back through Stripe (ADR 0027): the posting and the outbox entry commit
    /// together, then the Stripe refund is attempted now (a repeat of the request attempts what is still unanswered again,
    /// under the same idempotency keys; the outbox does so too). Without Stripe, or for a buyer who paid by bank, as before.
    /// </summary>
    public async ValueTask<CashResult> Handle(RecordCashRequest r, CancellationToken ct)
    {
        var result = await RecordAsync(store, parties, clock, r, ct, refundThroughProvider: gateway.Configured);
        if (result.Type == "refund" && gateway.Configured)
        {
            await refunds.AttemptAsync(result.Id);
        }
        return result;
    }

    /// <summary>The cash action itself, for use cases that post cash as a consequence (payments and payouts through the provider).</summary>
    /// <param name="exceptPayout">The provider payout this posting pays (its own reservation is not held against it).</param>
    /// <param name="refundThroughProvider">A buyer's refund also records, in the same transaction, its refund through the payment
    /// provider when the buyer paid through it (<see cref="Payments.RefundThroughStripe.RefundProjections.PlanAsync"/>).</param>
    public static async Task<CashResult> RecordAsync(IDocumentStore store, PartyDirectory parties, IClock clock, RecordCashRequest r, CancellationToken ct,
        string? exceptPayout = null, bool refundThroughProvider = false)
    {
        var toRegion = r.Type == "payout" && r.Account == CashBook.RegionAccountName;
        // A revenue-share payout names a region, not a party: it is known when a pairing agreement names it (§14).
        var party = toRegion ? null : await parties.FindAsync(r.Party, ct);
        var isRegion = toRegion && await RegionsAsync.IsRegionAsync(store, r.Party, ct);
        var cmd = new Domain.Ledger.RecordCash(r.Type, r.Id, r.Party, r.Account, r.AmountFen, clock.GetCurrentInstant());
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ShareAsync(session, ct);
            await SettlementLock.LedgerAsync(session, ct);
            // Under both locks no close, cash action or reversal can post meanwhile: the balances and the earlier use of this
            // id read below stay true until this transaction commits.
            var readVersion = (await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Cash, ct))?.Version ?? 0;
            var book = new CashBook();
            if (!string.IsNullOrWhiteSpace(r.Id) && await session.LoadAsync<LedgerTransactionView>(CashBook.TxIdOf(r.Id), ct) is { Stream: MartenSetup.Streams.Cash } earlier)
            {
                book.Evolve(earlier.Transaction);
            }
            var balances = (await session.LoadManyAsync<LedgerAccountView>(ct, AccountsOf(r.Party))).ToDictionary(a => a.Id, a => a.BalanceFen, StringComparer.Ordinal);
            // The payee of payouts through the provider: the party, or a region's region:{id}.
            var payee = toRegion ? Domain.Payments.PaymentsBook.RegionPayee(r.Party) : party?.Id;
            if (r.Type == "payout" && payee is not null)
            {
                // Payouts through the provider that are in flight hold part of what the party is owed: a bank payout sees
                // them (under the payee's lock, which their decisions take too), so one debt is never paid twice.
                await Decider.LockAsync(session, Payments.PayParty.PayoutAttempts.PayeeLock(payee), ct);
                foreach (var held in await session.Query<Payments.PayoutDocument>()
                             .Where(d => d.Status == "requested" || d.Status == "failed").Where(d => d.Party == payee).ToListAsync(ct))
                {
                    if (held.Id != exceptPayout && Domain.Payments.PaymentsBook.InFlight(held.State))
                    {
                        balances[held.State.Requested.Account] = balances.GetValueOrDefault(held.State.Requested.Account) + held.State.Requested.AmountFen;
                    }
                }
            }

            var decided = book.Decide(cmd, id => id == party?.Id ? party : null, account => balances.GetValueOrDefault(account),
                id => isRegion && id == r.Party);
            if (decided.Count == 0)
            {
                return Result(book.Find(r.Id!)!, r, repeat: true);
            }
            ExpectedVersion.Append(session, MartenSetup.Streams.Cash, readVersion, decided.ToArray());
            if (refundThroughProvider && decided[0] is TransactionPosted { Kind: "refund" } refund && refund.Postings[0].Account == $"buyer:{r.Party}")
            {
                // The outbox entry of the refund through the provider, in the posting's transaction (under the ledger lock).
                await Payments.RefundThroughStripe.RefundProjections.PlanAsync(session, r.Party, r.Id!, r.AmountFen, cmd.At, ct);
            }
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
            {
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            return Result((TransactionPosted)decided[0], r, repeat: false);
        }
    }

    /// <summary>Every account a cash action for <paramref name="party"/> can post to.</summary>
    private static string[] AccountsOf(string party) =>
        [$"buyer:{party}", $"issuer:{party}", $"provider:{party}", $"carrier:{party}", CashBook.RegionAccount(party)];

    private static CashResult Result(TransactionPosted t, RecordCashRequest r, bool repeat) =>
        new(r.Id!, t.Kind, r.Party, t.Postings.First(p => p.Account != CashBook.Clearing).Account, Math.Abs(t.Postings[0].AmountFen), repeat);
}
