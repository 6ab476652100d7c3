using ComputeNet.Domain;
using ComputeNet.Domain.Audit;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Audit.GetProof;

/// <summary>
/// Regulator, operator: an RFC 6962 inclusion proof of one ledger transaction — in its closed period's tree, or for a
/// cash or reversal transaction in the ledger log's tree as the latest checkpoint covers it — with that signed checkpoint.
/// </summary>
public sealed record GetProofRequest(string TxId) : IQuery<InclusionProof>;

public sealed class GetProofValidator : AbstractValidator<GetProofRequest>
{
    public GetProofValidator() => RuleFor(x => x.TxId).NotEmpty().MaximumLength(300);
}

public sealed class GetProofHandler(IDocumentStore store) : IQueryHandler<GetProofRequest, InclusionProof>
{
    public async ValueTask<InclusionProof> Handle(GetProofRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var checkpoints = await AuditReader.CheckpointsAsync(session, ct);
        foreach (var events in await AuditReader.PeriodsAsync(session, ct))
        {
            var txs = events.OfType<Domain.Settlement.TransactionPosted>().ToList();
            var index = txs.FindIndex(t => t.TxId == q.TxId);
            if (index < 0)
            {
                continue;
            }
            var period = ((Domain.Settlement.PeriodClosed)events[0]).Period;
            var checkpoint = checkpoints.FirstOrDefault(c => c.Period == period)
                ?? throw RejectedException.Of(Codes.NotCheckpointed, $"period {period} has no signed checkpoint yet; closing it again writes it", "txId");
            return Proof(q.TxId, Proofs.PeriodLog, period, txs, index, checkpoint);
        }
        var ledger = await AuditReader.LedgerLogAsync(session, ct);
        var at = ledger.ToList().FindIndex(t => t.TxId == q.TxId);
        if (at < 0)
        {
            throw RejectedException.Of(Codes.NotFound, $"no ledger transaction '{q.TxId}'", "txId");
        }
        var covering = checkpoints.LastOrDefault(c => c.LedgerLogSize > at)
            ?? throw RejectedException.Of(Codes.NotCheckpointed, $"transaction '{q.TxId}' was posted after the latest checkpoint; the next close covers it", "txId");
        return Proof(q.TxId, Proofs.LedgerLog, null, ledger.Take(covering.LedgerLogSize).ToList(), at, covering);
    }

    private static InclusionProof Proof(string txId, string log, string? period, IReadOnlyList<Domain.Settlement.TransactionPosted> leaves, int index,
        CheckpointSigned checkpoint)
    {
        var hashes = Verifier.LeafHashes(leaves);
        return new InclusionProof(txId, log, period, index, leaves.Count, System.Text.Encoding.UTF8.GetString(Statements.Leaf(leaves[index])),
            Convert.ToHexStringLower(hashes[index]), Merkle.AuditPath(hashes, index).Select(Convert.ToHexStringLower).ToList(),
            Convert.ToHexStringLower(Merkle.Root(hashes)), checkpoint);
    }
}
