using ComputeNet.Application.Platform;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Analytics.ListPeriods;

/// <summary>
/// Regulator, operator: the settlement periods of a range and where each stands — open, ended and waiting for its close,
/// or closed (when, with its figures and Merkle root) and signed in a checkpoint. Verification itself is recomputed on
/// demand (<c>GET /v1/verify/periods/{period}</c>, named in <see cref="PeriodStatus.Verify"/>); nothing stores its outcome.
/// </summary>
public sealed record ListPeriodsRequest(string? From = null, string? To = null) : IQuery<IReadOnlyList<PeriodStatus>>;

/// <param name="State"><c>open</c> (not ended), <c>ended</c> (ended, not closed: a close is due), <c>closed</c>.</param>
/// <param name="Checkpointed">A signed checkpoint covers the period (verification against kept checkpoints can start).</param>
/// <param name="Verify">The path that verifies the period now (statement hashes, chain links, Merkle root, checkpoint).</param>
public sealed record PeriodStatus(string Period, Instant Start, Instant End, string State, Instant? ClosedAt, bool Checkpointed, int? CheckpointSequence,
    string? CheckpointHash, string? MerkleRoot, int? TreeSize, int? Invoices, int? Lines, long? PlatformFeeFen, string? Verify);

public sealed class ListPeriodsValidator : AbstractValidator<ListPeriodsRequest>
{
    public ListPeriodsValidator()
    {
        RuleFor(x => x.From).MaximumLength(10);
        RuleFor(x => x.To).MaximumLength(10);
    }
}

public sealed class ListPeriodsHandler(IDocumentStore store, PlatformService platform, IClock clock, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<ListPeriodsRequest, IReadOnlyList<PeriodStatus>>
{
    public async ValueTask<IReadOnlyList<PeriodStatus>> Handle(ListPeriodsRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var now = clock.GetCurrentInstant();
        var periods = Buckets.Periods(q.From, q.To, view.Calendar, now);
        var keys = periods.Select(p => p.Key).ToArray();
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        // By key: the periods asked for, whatever the platform's age.
        var closed = (await session.LoadManyAsync<Settlement.ClosedPeriodView>(ct, keys)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var checkpoints = (await session.LoadManyAsync<Audit.CheckpointView>(ct, keys)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var documents = (await session.LoadManyAsync<Settlement.PeriodDocument>(ct, keys)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        return periods.Select(p =>
        {
            var c = closed.GetValueOrDefault(p.Key);
            var k = checkpoints.GetValueOrDefault(p.Key);
            var d = documents.GetValueOrDefault(p.Key)?.Closed;
            var state = c is not null ? "closed" : p.End <= now ? "ended" : "open";
            return new PeriodStatus(p.Key, p.Start, p.End, state, c?.ClosedAt, k is not null, k?.Sequence, k?.Hash, d?.MerkleRoot, d?.TreeSize, d?.Invoices,
                d?.Lines, d?.PlatformFeeFen, c is null ? null : $"/v1/verify/periods/{p.Key}");
        }).ToList();
    }
}
