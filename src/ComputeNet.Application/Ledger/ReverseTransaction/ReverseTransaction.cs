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
            await SettlementLock.LedgerAsync(session, ct);
            var readVersion = (await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Corrections, ct))?.Version ?? 0;
            // The corrections the decision can meet: an earlier use of this correction id, and an earlier reversal of the
            // same transaction — each found by index rather than by folding the whole corrections stream.
            var corrections = new Corrections();
            var earlier = string.IsNullOrWhiteSpace(r.Id) ? null : await session.LoadAsync<LedgerTransactionView>(Corrections.Prefix + r.Id, ct);
            if (earlier is { Stream: MartenSetup.Streams.Corrections })
            {
                corrections.Evolve(earlier.Transaction);
            }
            var txId = r.TxId ?? "";
            foreach (var reversal in await session.Query<LedgerTransactionView>().Where(t => t.Reverses == txId).ToListAsync(ct))
            {
                if (reversal.Stream == MartenSetup.Streams.Corrections)
                {
                    corrections.Evolve(reversal.Transaction);
                }
            }
            var original = (await session.LoadAsync<LedgerTransactionView>(txId, ct))?.Transaction ?? await InPeriodAsync(session, txId, ct);
            var decided = corrections.Decide(cmd, id => id == original?.TxId ? original : null);
            if (decided.Count == 0)
            {
                return earlier!.Transaction;
            }
            ExpectedVersion.Append(session, MartenSetup.Streams.Corrections, readVersion, decided.ToArray());
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

    /// <summary>A close's transaction, from its period's stream (its id starts with the period key): the period's work, not the ledger's.</summary>
    private static async Task<TransactionPosted?> InPeriodAsync(IQuerySession session, string txId, CancellationToken ct)
    {
        var slash = txId.IndexOf('/');
        if (slash <= 0)
        {
            return null;
        }
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(txId[..slash]), token: ct);
        return events.Select(e => e.Data).OfType<TransactionPosted>().FirstOrDefault(t => t.TxId == txId);
    }
}