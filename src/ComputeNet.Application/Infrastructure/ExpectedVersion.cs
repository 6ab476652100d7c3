using Marten;

namespace ComputeNet.Application.Infrastructure;

public static class ExpectedVersion
{
    /// <summary>
    /// Appends <paramref name="events"/> to a stream read at <paramref name="readVersion"/> (0 = it did not exist):
    /// the save fails if anyone appended since, so a decision is never made on stale state. Marten's expected version
    /// is the stream's version after the append.
    /// </summary>
    public static void Append(IDocumentSession session, string stream, long readVersion, IReadOnlyCollection<object> events)
    {
        if (readVersion == 0)
        {
            session.Events.StartStream(stream, events);
        }
        else
        {
            session.Events.Append(stream, readVersion + events.Count, events);
        }
    }

    /// <summary>How many times a writer tries again after losing a race before the conflict reaches the caller.</summary>
    public const int MaxAttempts = 64;

    /// <summary>
    /// True when <paramref name="e"/> is a lost race and the writer may try again (after <see cref="BackOffAsync"/>):
    /// every conflict means another writer succeeded, so the system as a whole always progresses; the jittered,
    /// growing pause keeps two processes from losing to each other in lock-step.
    /// </summary>
    public static bool ShouldRetry(Exception e, int attempt) => attempt < MaxAttempts && IsConflict(e);

    /// <summary>Waits a random 0..min(2^attempt, 100) ms before the next attempt.</summary>
    public static Task BackOffAsync(int attempt, CancellationToken ct) =>
        Task.Delay(Random.Shared.Next(0, Math.Min(1 << Math.Min(attempt, 10), 100) + 1), ct);

    /// <summary>The store refused an append because the stream moved since it was read (or was started by someone else).</summary>
    public static bool IsConflict(Exception e) =>
        e is JasperFx.Events.EventStreamUnexpectedMaxEventIdException or Marten.Exceptions.ExistingStreamIdCollisionException
            or JasperFx.Events.ExistingStreamIdCollisionException or JasperFx.ConcurrencyException
        || (e.InnerException is { } inner && IsConflict(inner));
}
