using ComputeNet.Domain;
using ComputeNet.Domain.Audit;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Audit.ListCheckpoints;

/// <summary>Regulator, operator: every signed checkpoint, in close order.</summary>
public sealed record ListCheckpointsRequest : IQuery<IReadOnlyList<CheckpointSigned>>;

/// <summary>Regulator, operator: the signed checkpoint of one closed period.</summary>
public sealed record GetCheckpointRequest(string Period) : IQuery<CheckpointSigned>;

/// <summary>The platform's public key(s): what checkpoints are verified with. Key id = SHA-256 of the SubjectPublicKeyInfo.</summary>
public sealed record GetPublicKeyRequest : IQuery<PublicKeyView>;

public sealed record PublicKeyView(string KeyId, string Algorithm, string PublicKeyPem, IReadOnlyList<RetiredKey> Retired);

public sealed record RetiredKey(string KeyId, string PublicKeyPem);

public sealed class GetCheckpointValidator : AbstractValidator<GetCheckpointRequest>
{
    public GetCheckpointValidator() => RuleFor(x => x.Period).NotEmpty().MaximumLength(10);
}

public sealed class CheckpointQueries(IDocumentStore store, ICheckpointSigner signer) :
    IQueryHandler<ListCheckpointsRequest, IReadOnlyList<CheckpointSigned>>, IQueryHandler<GetCheckpointRequest, CheckpointSigned>,
    IQueryHandler<GetPublicKeyRequest, PublicKeyView>
{
    public async ValueTask<IReadOnlyList<CheckpointSigned>> Handle(ListCheckpointsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await AuditReader.CheckpointsAsync(session, ct);
    }

    public async ValueTask<CheckpointSigned> Handle(GetCheckpointRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await AuditReader.CheckpointsAsync(session, ct)).FirstOrDefault(c => c.Period == q.Period)
            ?? throw RejectedException.Of(Codes.NotFound, $"no checkpoint for period '{q.Period}' (is it closed?)", "period");
    }

    public ValueTask<PublicKeyView> Handle(GetPublicKeyRequest q, CancellationToken ct)
    {
        var retired = signer.PublicKeyPems.Skip(1)
            .Select(pem => new RetiredKey(Domain.Audit.Checkpoints.PublicKeys([pem]).Keys.Single(), pem)).ToList();
        return ValueTask.FromResult(new PublicKeyView(signer.KeyId, Domain.Audit.Checkpoints.Algorithm, signer.PublicKeyPem, retired));
    }
}
