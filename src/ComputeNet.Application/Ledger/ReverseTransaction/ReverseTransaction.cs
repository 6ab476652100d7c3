using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Ledger.ReverseTransaction;

/// <summary>Operator: correct a mistaken ledger transaction by posting its reversal (history is never edited).</summary>
public sealed record ReverseTransactionRequest(string? Id, string TxId, string Reason) : ICommand<TransactionPosted>;

public sealed class ReverseTransactionHandler(IDocumentStore store, IClock clock) : ICommandHandler<ReverseTransactionRequest, TransactionPosted>
{

    public async ValueTask<TransactionPosted> Handle(ReverseTransactionRequest r, CancellationToken ct)
    {
        var cmd = new Domain.Ledger.ReverseTransaction(r.Id, r.TxId ?? "", r.Reason ?? "", clock.GetCurrentInstant());
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ShareAsync(session, ct);
            var corrections = new Corrections();
            var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Corrections, token: ct);
            foreach (var e in events)
            {
                corrections.Evolve(e.Data);
            }
            var all = await session.Events.QueryRawEventDataOnly<TransactionPosted>().ToListAsync(ct);
            var decided = corrections.Decide(cmd, id => all.FirstOrDefault(t => t.TxId == id));
            if (decided.Count == 0)
            {
                return all.First(t => t.TxId == Corrections.Prefix + r.Id);
            }
            ExpectedVersion.Append(session, MartenSetup.Streams.Corrections, events.Count == 0 ? 0 : events[^1].Version, decided.ToArray());
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
            {
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            return (TransactionPosted)decided[0];
        }
    }
}
