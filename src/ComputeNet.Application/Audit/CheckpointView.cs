using ComputeNet.Domain.Audit;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ComputeNet.Application.Audit;

/// <summary>A period's signed checkpoint, by period key: where it sits in the <c>checkpoints</c> stream and its hash.</summary>
public sealed class CheckpointView
{
    /// <summary>The period key.</summary>
    public string Id { get; set; } = "";
    public string Hash { get; set; } = "";
    /// <summary>The checkpoint's own sequence (1, 2, … in close order).</summary>
    public int Sequence { get; set; }
}

/// <summary>
/// Inline: one <see cref="CheckpointView"/> per <c>CheckpointSigned</c>, so a close finds its period's checkpoint by key,
/// and the period's <see cref="Settlement.ClosedPeriodView"/> marked as checkpointed, so the checkpoint step finds the
/// periods without one by index.
/// </summary>
// The closed periods it marks are ClosedPeriodProjection's documents: registering them here would let a rebuild of this
// projection delete them. Only CheckpointView is registered (below).
#pragma warning disable JFXEVT006
public sealed class CheckpointViewProjection : EventProjection
#pragma warning restore JFXEVT006
{
    public CheckpointViewProjection()
    {
        IncludeType<CheckpointSigned>();
        // Only its own documents are torn down by a rebuild: the closed periods it marks belong to ClosedPeriodProjection,
        // rebuilt before it (SettlementReadModels.Projections).
        RegisterPublishedType(typeof(CheckpointView));
    }

    public override async ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is CheckpointSigned c)
        {
            operations.Store(new CheckpointView { Id = c.Period, Hash = c.Hash, Sequence = c.Sequence });
            if (await operations.LoadAsync<Settlement.ClosedPeriodView>(c.Period, cancellation) is { Checkpointed: false } period)
            {
                period.Checkpointed = true;
                operations.Store(period);
            }
        }
    }
}
