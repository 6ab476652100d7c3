using ComputeNet.Domain.Settlement;
using Marten;
using Mediator;

namespace ComputeNet.Application.Settlement.GetStatements;

/// <summary>Per closed period (in close order): provider and carrier statements and the platform's fee.</summary>
public sealed record GetStatementsRequest(string? Period = null) : IQuery<IReadOnlyList<PeriodStatements>>;

public sealed record PeriodStatements(string Period, IReadOnlyList<StatementIssued> Providers, IReadOnlyList<StatementIssued> Carriers,
    IReadOnlyList<IssuerClaimIssued> Issuers, IReadOnlyList<RegionShareIssued> Regions, long PlatformFeeFen, string? MerkleRoot = null);

public sealed class GetStatementsHandler(IDocumentStore store) : IQueryHandler<GetStatementsRequest, IReadOnlyList<PeriodStatements>>
{
    public async ValueTask<IReadOnlyList<PeriodStatements>> Handle(GetStatementsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var periods = await SettlementReader.ClosedPeriodsAsync(session, q.Period, ct);
        return periods.Select(stream =>
        {
            var statements = SettlementReader.Of<StatementIssued>(stream).ToList();
            var closed = SettlementReader.Closed(stream);
            return new PeriodStatements(closed.Period, statements.Where(s => s.Role == "provider").ToList(),
                statements.Where(s => s.Role == "carrier").ToList(), SettlementReader.Of<IssuerClaimIssued>(stream).ToList(),
                SettlementReader.Of<RegionShareIssued>(stream).ToList(), closed.PlatformFeeFen, closed.MerkleRoot);
        }).ToList();
    }
}
