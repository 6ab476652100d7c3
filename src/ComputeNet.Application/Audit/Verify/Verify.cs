using ComputeNet.Domain.Audit;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Audit.Verify;

/// <summary>
/// Regulator: verify every stored statement's hash and chain link, every period's Merkle root, and the cash and reversal
/// log, against the platform's own stored checkpoints (checked with its public keys); names what fails.
/// </summary>
public sealed record VerifyHistoryRequest : IQuery<VerificationReport>;

/// <summary>
/// Regulator: verify the whole stored history against checkpoints kept outside the platform (a signature by one of the
/// given public keys, chained from the first), naming every period, statement and transaction that fails.
/// </summary>
public sealed record VerifyAgainstCheckpointsRequest(KeptCheckpoints Kept) : IQuery<VerificationReport>;

public sealed class VerifyAgainstCheckpointsValidator : AbstractValidator<VerifyAgainstCheckpointsRequest>
{
    public VerifyAgainstCheckpointsValidator()
    {
        RuleFor(x => x.Kept.Checkpoints).NotEmpty().WithMessage("no checkpoints were given");
        RuleFor(x => x.Kept.PublicKeys).NotEmpty().WithMessage("no public key was given");
    }
}

public sealed class VerifyHistoryHandler(IDocumentStore store, ICheckpointSigner signer) : IQueryHandler<VerifyHistoryRequest, VerificationReport>,
    IQueryHandler<VerifyAgainstCheckpointsRequest, VerificationReport>
{
    public async ValueTask<VerificationReport> Handle(VerifyHistoryRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var periods = await AuditReader.PeriodsAsync(session, ct);
        var checkpoints = await AuditReader.CheckpointsAsync(session, ct);
        var kept = periods.Count == 0 && checkpoints.Count == 0 ? null : new KeptCheckpoints(checkpoints, Checkpoints.PublicKeys(signer.PublicKeyPems));
        return Verifier.Verify(periods, await AuditReader.LedgerLogAsync(session, ct), kept, await AuditReader.CreditNotesAsync(session, ct));
    }

    public async ValueTask<VerificationReport> Handle(VerifyAgainstCheckpointsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return Verifier.Verify(await AuditReader.PeriodsAsync(session, ct), await AuditReader.LedgerLogAsync(session, ct), q.Kept,
            await AuditReader.CreditNotesAsync(session, ct));
    }
}
