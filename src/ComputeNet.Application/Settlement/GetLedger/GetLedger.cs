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
/// (<see cref="LedgerLogView"/>), not the transactions. As of an instant, it subtracts what was posted after it, found by
/// the index on time: cash and reversal transactions (<see cref="LedgerTransactionView"/>) and each later close's net
/// change per account (<see cref="PeriodLedgerView"/>). The cost follows what was posted since, not the ledger's age.
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
        var cash = (await session.Query<LedgerTransactionView>().Where(t => t.AtTicks >= fromTicks).ToListAsync(ct))
            .Select(t => t.Transaction).Where(t => t.At > asOf).ToList();
        var closes = (await session.Query<PeriodLedgerView>().Where(p => p.AtTicks >= fromTicks).ToListAsync(ct)).Where(p => p.At > asOf).ToList();
        foreach (var a in accounts.Where(a => a.FirstAt <= asOf))
        {
            balances[a.Id] = a.BalanceFen;
        }
        var later = cash.SelectMany(t => t.EnsureBalanced().Postings).Select(p => (p.Account, p.AmountFen))
            .Concat(closes.SelectMany(c => c.Deltas.Select(d => (Account: d.Key, AmountFen: d.Value))));
        foreach (var (account, amount) in later)
        {
            if (balances.ContainsKey(account))
            {
                balances[account] -= amount;
            }
        }
        return new LedgerView(balances, balances.Values.Sum(), checked((int)(count - cash.Count - closes.Sum(c => c.Transactions))));
    }
}
