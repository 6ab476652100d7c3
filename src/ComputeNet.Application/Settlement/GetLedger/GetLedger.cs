using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetLedger;

/// <summary>Balances of every account ever posted to (signed: debit positive) and the trial balance, which must be 0.</summary>
/// <param name="AsOf">Balances as they stood at this instant (transactions posted at or before it); null = now.</param>
public sealed record GetLedgerRequest(NodaTime.Instant? AsOf = null) : IQuery<LedgerView>;

public sealed record LedgerView(IReadOnlyDictionary<string, long> Balances, long TrialBalanceFen, int Transactions);

public sealed class GetLedgerHandler(IDocumentStore store) : IQueryHandler<GetLedgerRequest, LedgerView>
{
    public async ValueTask<LedgerView> Handle(GetLedgerRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var transactions = (await session.Events.QueryRawEventDataOnly<TransactionPosted>().ToListAsync(ct))
            .Where(t => q.AsOf is null || t.At <= q.AsOf).ToList();
        var balances = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in transactions)
        {
            t.EnsureBalanced();
            foreach (var p in t.Postings)
            {
                balances[p.Account] = balances.GetValueOrDefault(p.Account) + p.AmountFen;
            }
        }
        return new LedgerView(balances, balances.Values.Sum(), transactions.Count);
    }
}
