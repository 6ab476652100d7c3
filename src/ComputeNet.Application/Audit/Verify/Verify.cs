using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Audit;
using Marten;
using Mediator;

namespace ComputeNet.Application.Audit.Verify;

/// <summary>Regulator: verify every stored statement's hash and chain link and every period's Merkle root, naming what fails.</summary>
public sealed record VerifyHistoryRequest : IQuery<VerificationReport>;

public sealed class VerifyHistoryHandler(IDocumentStore store) : IQueryHandler<VerifyHistoryRequest, VerificationReport>
{
    public async ValueTask<VerificationReport> Handle(VerifyHistoryRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var periods = await SettlementReader.ClosedPeriodsAsync(session, null, ct);
        return Verifier.Verify(periods.Select(p => (IReadOnlyList<object>)p.Select(e => e.Data).ToList()).ToList());
    }
}
