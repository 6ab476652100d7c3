using ComputeNet.Application.Ledger;
using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetLedger;

/// <summary>Balances of every account ever posted to (signed: debit positive) and the trial balance, which must be 0.</summary>
/// <param name="AsOf">Balances as they stood at this instant (transactions posted at or before it); null = now.</param>
public sealed record GetLedgerRequest(NodaTime.Instant? AsOf = null) : IQuery<LedgerView>;

public sealed record LedgerView(IReadOnlyDictionary<string, long> Balances, long TrialBalanceFen, int Transactions);

/// <summary>
/// Reads the balance documents (<see cref="LedgerAccountView"/>, one per account, kept inline) and the transaction count
/// (<see cref="LedgerLogView"/>), not the transactions. As of an instant, it subtracts the transactions posted after it,
/// found by the index on their time: the cost follows what was posted since, not the ledger's age.
/// </summary>
public sealed class GetLedgerHandler(IDocumentStore store) : IQueryHandler<GetLedgerRequest, LedgerView>
{
    public async ValueTask<LedgerView> Handle(GetLedgerRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var accounts = await session.Query<LedgerAccountView>().ToListAsync(ct);
        var count = (await session.LoadAsync<LedgerLogView>(LedgerLogView.Key, ct))?.Transactions ?? 0;
        var balances = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (q.AsOf is not { } asOf)
        {
            foreach (var a in accounts)
            {
                balances[a.Id] = a.BalanceFen;
            }
            return new LedgerView(balances, balances.Values.Sum(), checked((int)count));
        }

        // Ticks round down, so every transaction after the instant has ticks ≥ the instant's; the exact test is on `at`.
        var fromTicks = asOf.ToUnixTimeTicks();
        var after = (await session.Query<LedgerTransactionView>().Where(t => t.AtTicks >= fromTicks).ToListAsync(ct))
            .Select(t => t.Transaction).Where(t => t.At > asOf).ToList();
        foreach (var a in accounts.Where(a => a.FirstAt <= asOf))
        {
            balances[a.Id] = a.BalanceFen;
        }
        foreach (var p in after.SelectMany(t => t.EnsureBalanced().Postings))
        {
            if (balances.ContainsKey(p.Account))
            {
                balances[p.Account] -= p.AmountFen;
            }
        }
        return new LedgerView(balances, balances.Values.Sum(), checked((int)(count - after.Count)));
    }
}
