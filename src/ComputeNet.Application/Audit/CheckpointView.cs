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
    /// <summary>Its version in the <c>checkpoints</c> stream, to read that one event.</summary>
    public long Version { get; set; }
}

/// <summary>Inline: one <see cref="CheckpointView"/> per <c>CheckpointSigned</c>, so a close finds its period's checkpoint by key.</summary>
public sealed partial class CheckpointViewProjection : EventProjection
{
    public CheckpointViewProjection() => IncludeType<CheckpointSigned>();

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is CheckpointSigned c)
        {
            operations.Store(new CheckpointView { Id = c.Period, Hash = c.Hash, Sequence = c.Sequence, Version = e.Version });
        }
        return ValueTask.CompletedTask;
    }
}
