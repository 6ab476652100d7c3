using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetStatements;

/// <summary>
/// Per closed period (in close order): provider and carrier statements, issuer claims, region shares and the platform's
/// fee; optionally one period's. With <see cref="Party"/>, only that party's statements and claims, no region shares and
/// no fee, and only the periods where it has one. <see cref="Limit"/> periods from <see cref="Offset"/> (all when null).
/// Read from the close's documents through their (party, seq) and (period, seq) indexes.
/// </summary>
public sealed record GetStatementsRequest(string? Period = null, string? Party = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<PeriodStatements>>;

public sealed record PeriodStatements(string Period, IReadOnlyList<StatementIssued> Providers, IReadOnlyList<StatementIssued> Carriers,
    IReadOnlyList<IssuerClaimIssued> Issuers, IReadOnlyList<RegionShareIssued> Regions, long PlatformFeeFen, string? MerkleRoot = null);

public sealed class GetStatementsHandler(IDocumentStore store, Infrastructure.AsyncReadModels readModels) : IQueryHandler<GetStatementsRequest, IReadOnlyList<PeriodStatements>>
{
    public async ValueTask<IReadOnlyList<PeriodStatements>> Handle(GetStatementsRequest q, CancellationToken ct)
    {
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        return q.Party is null ? await AllAsync(session, q, ct) : await OneAsync(session, q, q.Party, ct);
    }

    private static async Task<IReadOnlyList<PeriodStatements>> AllAsync(IQuerySession session, GetStatementsRequest q, CancellationToken ct)
    {
        var query = session.Query<PeriodDocument>().AsQueryable();
        if (q.Period is { } only)
        {
            query = query.Where(p => p.Id == only);
        }
        var periods = await SettlementReader.Page(query.OrderBy(p => p.Seq), q.Offset, q.Limit).ToListAsync(ct);
        if (periods.Count == 0)
        {
            return [];
        }
        var keys = periods.Select(p => p.Id).ToArray();
        var statements = (await session.Query<StatementDocument>().Where(s => s.Period.IsOneOf(keys)).OrderBy(s => s.Seq).ToListAsync(ct)).ToLookup(s => s.Period);
        var claims = (await session.Query<IssuerClaimDocument>().Where(c => c.Period.IsOneOf(keys)).OrderBy(c => c.Seq).ToListAsync(ct)).ToLookup(c => c.Period);
        var regions = (await session.Query<RegionShareDocument>().Where(r => r.Period.IsOneOf(keys)).OrderBy(r => r.Seq).ToListAsync(ct)).ToLookup(r => r.Period);
        return periods.Select(p => new PeriodStatements(p.Id,
            statements[p.Id].Where(s => s.Role == "provider").Select(s => s.Statement).ToList(),
            statements[p.Id].Where(s => s.Role == "carrier").Select(s => s.Statement).ToList(),
            claims[p.Id].Select(c => c.Claim).ToList(), regions[p.Id].Select(r => r.Share).ToList(), p.Closed.PlatformFeeFen, p.Closed.MerkleRoot)).ToList();
    }

    private sealed record PeriodKey(string Period, long Seq);

    /// <summary>
    /// A party's periods are those of its statements and claims: their (period, seq) keys are read through the party
    /// indexes, paged, and only the page's documents are read whole.
    /// </summary>
    private static async Task<IReadOnlyList<PeriodStatements>> OneAsync(IQuerySession session, GetStatementsRequest q, string party, CancellationToken ct)
    {
        var statementQuery = session.Query<StatementDocument>().Where(s => s.Party == party);
        var claimQuery = session.Query<IssuerClaimDocument>().Where(c => c.Issuer == party);
        if (q.Period is { } only)
        {
            statementQuery = statementQuery.Where(s => s.Period == only);
            claimQuery = claimQuery.Where(c => c.Period == only);
        }
        var statementKeys = await statementQuery.Select(s => new PeriodKey(s.Period, s.Seq)).ToListAsync(ct);
        var claimKeys = await claimQuery.Select(c => new PeriodKey(c.Period, c.Seq)).ToListAsync(ct);
        var keys = statementKeys.Concat(claimKeys).GroupBy(k => k.Period).Select(g => (Period: g.Key, Seq: g.Min(k => k.Seq))).OrderBy(k => k.Seq).Select(k => k.Period);
        var page = (q.Limit is { } l ? keys.Skip(q.Offset).Take(l) : keys.Skip(q.Offset)).ToArray();
        if (page.Length == 0)
        {
            return [];
        }
        var periods = (await session.LoadManyAsync<PeriodDocument>(ct, page)).ToDictionary(p => p.Id);
        var byPeriod = (await session.Query<StatementDocument>().Where(s => s.Party == party && s.Period.IsOneOf(page)).OrderBy(s => s.Seq).ToListAsync(ct))
            .ToLookup(s => s.Period);
        var claimsByPeriod = (await session.Query<IssuerClaimDocument>().Where(c => c.Issuer == party && c.Period.IsOneOf(page)).OrderBy(c => c.Seq).ToListAsync(ct))
            .ToLookup(c => c.Period);
        return page.Select(p => new PeriodStatements(p,
            byPeriod[p].Where(s => s.Role == "provider").Select(s => s.Statement).ToList(),
            byPeriod[p].Where(s => s.Role == "carrier").Select(s => s.Statement).ToList(),
            claimsByPeriod[p].Select(c => c.Claim).ToList(), [], 0, periods.GetValueOrDefault(p)?.Closed.MerkleRoot)).ToList();
    }
}
