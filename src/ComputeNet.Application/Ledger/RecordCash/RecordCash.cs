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
/// account when the party is both), an issuer's reimbursement (reimburse). Never above the open balance; ids unique
/// among all cash actions; a repeat changes nothing.
/// </summary>
public sealed record RecordCashRequest(string Type, string? Id, string Party, long AmountFen, string? Account = null) : ICommand<CashResult>;

public sealed record CashResult(string Id, string Type, string Party, string Account, long AmountFen, bool Repeat);

public sealed class RecordCashValidator : AbstractValidator<RecordCashRequest>
{
    public RecordCashValidator() => RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
}

/// <summary>
/// Cash actions serialise on the cash stream (expected version) and, through the shared settlement lock, against
/// period closes — so a balance is never read while a close is changing it, and two payments cannot both pass.
/// </summary>
public sealed class RecordCashHandler(IDocumentStore store, PartyDirectory parties, IClock clock) : ICommandHandler<RecordCashRequest, CashResult>
{

    public async ValueTask<CashResult> Handle(RecordCashRequest r, CancellationToken ct) => await RecordAsync(store, parties, clock, r, ct);

    /// <summary>The cash action itself, for use cases that post cash as a consequence (payments and payouts through the provider).</summary>
    public static async Task<CashResult> RecordAsync(IDocumentStore store, PartyDirectory parties, IClock clock, RecordCashRequest r, CancellationToken ct)
    {
        var party = await parties.FindAsync(r.Party, ct);
        var cmd = new Domain.Ledger.RecordCash(r.Type, r.Id, r.Party, r.Account, r.AmountFen, clock.GetCurrentInstant());
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ShareAsync(session, ct);
            var book = new CashBook();
            var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Cash, token: ct);
            foreach (var e in events)
            {
                book.Evolve(e.Data);
            }
            var transactions = await session.Events.QueryRawEventDataOnly<TransactionPosted>().ToListAsync(ct);
            long Balance(string account) => transactions.SelectMany(t => t.Postings).Where(p => p.Account == account).Sum(p => p.AmountFen);

            var readVersion = events.Count == 0 ? 0 : events[^1].Version;
            IReadOnlyList<object> decided;
            try
            {
                decided = book.Decide(cmd, id => id == party?.Id ? party : null, Balance);
            }
            catch (RejectedException) when (attempt < ExpectedVersion.MaxAttempts)
            {
                // The balance query sees cash actions committed after the stream was read (each statement reads the latest
                // commits), so a refusal may rest on a stale book: a concurrent repeat of this very id looks like
                // over-balance. If the stream moved, decide again on fresh state; else the refusal stands.
                if (((await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Cash, ct))?.Version ?? 0) == readVersion)
                {
                    throw;
                }
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            if (decided.Count == 0)
            {
                return Result(book.Find(r.Id!)!, r, repeat: true);
            }
            ExpectedVersion.Append(session, MartenSetup.Streams.Cash, readVersion, decided.ToArray());
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

    private static CashResult Result(TransactionPosted t, RecordCashRequest r, bool repeat) =>
        new(r.Id!, t.Kind, r.Party, t.Postings.First(p => p.Account != CashBook.Clearing).Account, Math.Abs(t.Postings[0].AmountFen), repeat);
}
