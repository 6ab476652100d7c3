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

    /// <summary>The store refused an append because the stream moved since it was read (or was started by someone else).</summary>
    public static bool IsConflict(Exception e) =>
        e is JasperFx.Events.EventStreamUnexpectedMaxEventIdException or Marten.Exceptions.ExistingStreamIdCollisionException
            or JasperFx.Events.ExistingStreamIdCollisionException or JasperFx.ConcurrencyException
        || (e.InnerException is { } inner && IsConflict(inner));
}
