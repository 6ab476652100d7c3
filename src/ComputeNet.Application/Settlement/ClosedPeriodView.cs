using ComputeNet.Domain.Settlement;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using NodaTime;

namespace ComputeNet.Application.Settlement;

/// <summary>A closed period: usage arriving for it is rated into the first open period after it.</summary>
public sealed class ClosedPeriodView
{
    public string Id { get; set; } = "";
    public Instant ClosedAt { get; set; }
    public long StartUnixSeconds { get; set; }
    /// <summary>Whether its signed checkpoint is written (set by <c>CheckpointViewProjection</c>).</summary>
    public bool Checkpointed { get; set; }
}

public sealed partial class ClosedPeriodProjection : EventProjection
{
    public ClosedPeriodProjection()
    {
        IncludeType<PeriodClosed>();
        IncludeType<TransactionPosted>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is PeriodClosed c)
        {
            operations.Store(new ClosedPeriodView { Id = c.Period, ClosedAt = c.At, StartUnixSeconds = c.Start.ToUnixTimeSeconds() });
        }
        else if (e.Data is TransactionPosted t)
        {
            t.EnsureBalanced();
        }
        return ValueTask.CompletedTask;
    }
}
