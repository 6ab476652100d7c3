using ComputeNet.Domain;
using ComputeNet.Domain.Audit;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Audit.VerifyItem;

/// <summary>Regulator: verify one statement — its hash, its link, and the chain head its period's signed checkpoint holds.</summary>
/// <param name="Kind">invoice, provider, carrier, issuer or region.</param>
/// <param name="Party">The buyer, provider, carrier, issuer or region id.</param>
public sealed record VerifyStatementRequest(string Period, string Kind, string Party) : IQuery<StatementVerification>;

public sealed record StatementVerification(bool Ok, StatementCheck Statement, int? Checkpoint, string? CheckpointHead, IReadOnlyList<string> Failures);

/// <summary>Regulator: verify one party's chain of one kind, statement by statement, against the signed checkpoints.</summary>
public sealed record VerifyChainRequest(string Kind, string Party) : IQuery<ChainVerification>;

public sealed record ChainVerification(bool Ok, string Chain, IReadOnlyList<StatementCheck> Statements, IReadOnlyList<string> Failures);

/// <summary>Regulator: verify one period's Merkle root — recomputed from its stored transactions — against the close and its signed checkpoint.</summary>
public sealed record VerifyPeriodRequest(string Period) : IQuery<PeriodRootVerification>;

public sealed record PeriodRootVerification(bool Ok, string Period, int Transactions, string RecomputedRoot, string? ClosedRoot, int? Checkpoint,
    string? CheckpointRoot, IReadOnlyList<string> Failures);

public sealed class VerifyStatementValidator : AbstractValidator<VerifyStatementRequest>
{
    public VerifyStatementValidator()
    {
        RuleFor(x => x.Period).NotEmpty().MaximumLength(10);
        RuleFor(x => x.Kind).Must(k => VerifyItemHandler.Kinds.Contains(k)).WithMessage("kind is one of invoice, provider, carrier, issuer, region");
        RuleFor(x => x.Party).NotEmpty().MaximumLength(64);
    }
}

public sealed class VerifyChainValidator : AbstractValidator<VerifyChainRequest>
{
    public VerifyChainValidator()
    {
        RuleFor(x => x.Kind).Must(k => VerifyItemHandler.Kinds.Contains(k)).WithMessage("kind is one of invoice, provider, carrier, issuer, region");
        RuleFor(x => x.Party).NotEmpty().MaximumLength(64);
    }
}

public sealed class VerifyPeriodValidator : AbstractValidator<VerifyPeriodRequest>
{
    public VerifyPeriodValidator() => RuleFor(x => x.Period).NotEmpty().MaximumLength(10);
}

public sealed class VerifyItemHandler(IDocumentStore store, ICheckpointSigner signer) : IQueryHandler<VerifyStatementRequest, StatementVerification>,
    IQueryHandler<VerifyChainRequest, ChainVerification>, IQueryHandler<VerifyPeriodRequest, PeriodRootVerification>
{
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(["invoice", "provider", "carrier", "issuer", "region"], StringComparer.Ordinal);

    public async ValueTask<StatementVerification> Handle(VerifyStatementRequest q, CancellationToken ct)
    {
        var (periods, checkpoints) = await ReadAsync(ct);
        var chain = $"{q.Kind}/{q.Party}";
        var check = Verifier.Statements(periods).FirstOrDefault(s => s.Period == q.Period && s.Chain == chain)
            ?? throw RejectedException.Of(Codes.NotFound, $"no {q.Kind} statement of '{q.Party}' in period '{q.Period}'", "party");
        var failures = Failures(check);
        var checkpoint = checkpoints.FirstOrDefault(c => c.Period == q.Period);
        var head = checkpoint?.ChainHeads.GetValueOrDefault(chain);
        failures.AddRange(CheckpointFailures(checkpoint, q.Period));
        if (checkpoint is not null && head != check.RecomputedHash)
        {
            failures.Add($"{q.Period} {check.Statement}: recomputed hash {check.RecomputedHash} differs from the head {head} that checkpoint #{checkpoint.Sequence} signed");
        }
        return new StatementVerification(failures.Count == 0, check, checkpoint?.Sequence, head, failures);
    }

    public async ValueTask<ChainVerification> Handle(VerifyChainRequest q, CancellationToken ct)
    {
        var (periods, checkpoints) = await ReadAsync(ct);
        var chain = $"{q.Kind}/{q.Party}";
        var checks = Verifier.Statements(periods).Where(s => s.Chain == chain).ToList();
        if (checks.Count == 0)
        {
            throw RejectedException.Of(Codes.NotFound, $"no {q.Kind} statements of '{q.Party}'", "party");
        }
        var failures = checks.SelectMany(Failures).ToList();
        foreach (var check in checks)
        {
            var checkpoint = checkpoints.FirstOrDefault(c => c.Period == check.Period);
            failures.AddRange(CheckpointFailures(checkpoint, check.Period));
            if (checkpoint is not null && checkpoint.ChainHeads.GetValueOrDefault(chain) != check.RecomputedHash)
            {
                failures.Add($"{check.Period} {check.Statement}: recomputed hash {check.RecomputedHash} differs from the head checkpoint #{checkpoint.Sequence} signed");
            }
        }
        return new ChainVerification(failures.Count == 0, chain, checks, failures);
    }

    public async ValueTask<PeriodRootVerification> Handle(VerifyPeriodRequest q, CancellationToken ct)
    {
        var (periods, checkpoints) = await ReadAsync(ct);
        var walk = Verifier.Periods(periods).FirstOrDefault(w => w.Period == q.Period)
            ?? throw RejectedException.Of(Codes.NotFound, $"period '{q.Period}' is not closed", "period");
        var failures = new List<string>();
        if (walk.Root != walk.Closed.MerkleRoot || walk.Transactions.Count != walk.Closed.TreeSize)
        {
            failures.Add($"{q.Period}: Merkle root of {walk.Transactions.Count} transactions is {walk.Root}, the close committed to {walk.Closed.MerkleRoot} over {walk.Closed.TreeSize}");
        }
        var checkpoint = checkpoints.FirstOrDefault(c => c.Period == q.Period);
        failures.AddRange(CheckpointFailures(checkpoint, q.Period));
        if (checkpoint is not null && (checkpoint.MerkleRoot != walk.Root || checkpoint.TreeSize != walk.Transactions.Count))
        {
            failures.Add($"{q.Period}: Merkle root {walk.Root} over {walk.Transactions.Count} differs from checkpoint #{checkpoint.Sequence}'s {checkpoint.MerkleRoot} over {checkpoint.TreeSize}");
        }
        return new PeriodRootVerification(failures.Count == 0, q.Period, walk.Transactions.Count, walk.Root, walk.Closed.MerkleRoot, checkpoint?.Sequence,
            checkpoint?.MerkleRoot, failures);
    }

    private async Task<(IReadOnlyList<IReadOnlyList<object>> Periods, IReadOnlyList<CheckpointSigned> Checkpoints)> ReadAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await AuditReader.PeriodsAsync(session, ct), await AuditReader.CheckpointsAsync(session, ct));
    }

    private static List<string> Failures(StatementCheck s)
    {
        var failures = new List<string>();
        if (s.PreviousHash != s.ExpectedPreviousHash)
        {
            failures.Add($"{s.Period} {s.Statement}: previous hash {s.PreviousHash} does not link to {s.ExpectedPreviousHash}");
        }
        if (s.StoredHash != s.RecomputedHash)
        {
            failures.Add($"{s.Period} {s.Statement}: stored hash {s.StoredHash} differs from the recomputed {s.RecomputedHash}");
        }
        return failures;
    }

    private IEnumerable<string> CheckpointFailures(CheckpointSigned? checkpoint, string period)
    {
        if (checkpoint is null)
        {
            yield return $"{period}: no signed checkpoint";
        }
        else if (Domain.Audit.Checkpoints.Check(checkpoint, Domain.Audit.Checkpoints.PublicKeys(signer.PublicKeyPems)) is { } why)
        {
            yield return $"checkpoint #{checkpoint.Sequence} ({period}): {why}";
        }
    }
}
