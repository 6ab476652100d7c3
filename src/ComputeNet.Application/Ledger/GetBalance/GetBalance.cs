using ComputeNet.Application.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Ledger.GetBalance;

/// <summary>One of a party's ledger accounts and its balance (signed fen, debit +: what it owes is +, what it is owed is −).</summary>
public sealed record AccountBalance(string Account, long BalanceFen);

/// <summary>A party's own ledger accounts (<c>buyer:</c>, <c>provider:</c>, <c>carrier:</c>, <c>issuer:</c> and its id) that were ever posted to.</summary>
public sealed record BalanceView(string Party, IReadOnlyList<AccountBalance> Accounts);

/// <summary>
/// A party's balances, read from the inline balance documents (<see cref="LedgerAccountView"/>: one load of at most four
/// documents by id), so they are exact at once after a close or a cash action.
/// </summary>
public sealed record GetBalanceRequest(string Party) : IQuery<BalanceView>;

public sealed class GetBalanceHandler(IDocumentStore store) : IQueryHandler<GetBalanceRequest, BalanceView>
{
    public async ValueTask<BalanceView> Handle(GetBalanceRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var ids = LedgerLineDocument.PartyAccountKinds.Select(kind => $"{kind}:{q.Party}").ToArray();
        var accounts = await session.LoadManyAsync<LedgerAccountView>(ct, ids);
        return new BalanceView(q.Party, accounts.OrderBy(a => Array.IndexOf(ids, a.Id)).Select(a => new AccountBalance(a.Id, a.BalanceFen)).ToList());
    }
}

/// <summary>One line of a party's ledger: what one transaction posted to one of its accounts.</summary>
public sealed record LedgerLineView(string TxId, string Period, string Kind, string Memo, string Account, long AmountFen, NodaTime.Instant At);

/// <summary>
/// A party's ledger lines (optionally one of its accounts'), oldest first, <paramref name="Limit"/> from
/// <paramref name="Offset"/>; read from <see cref="LedgerLineDocument"/>s (async read model) through the (party, seq) index,
/// paged in PostgreSQL.
/// </summary>
public sealed record ListLedgerLinesRequest(string Party, string? Account = null, int Offset = 0, int Limit = 100) : IQuery<IReadOnlyList<LedgerLineView>>;

public sealed class ListLedgerLinesHandler(IDocumentStore store, Infrastructure.AsyncReadModels readModels) : IQueryHandler<ListLedgerLinesRequest, IReadOnlyList<LedgerLineView>>
{
    public async ValueTask<IReadOnlyList<LedgerLineView>> Handle(ListLedgerLinesRequest q, CancellationToken ct)
    {
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var query = session.Query<LedgerLineDocument>().Where(d => d.Party == q.Party);
        if (q.Account is { } account)
        {
            query = query.Where(d => d.Account == account);
        }
        var page = SettlementReader.Page(query.OrderBy(d => d.Seq).ThenBy(d => d.Id), q.Offset, q.Limit);
        return (await page.ToListAsync(ct)).Select(d => new LedgerLineView(d.TxId, d.Period, d.Kind, d.Memo, d.Account, d.AmountFen, d.At)).ToList();
    }
}
