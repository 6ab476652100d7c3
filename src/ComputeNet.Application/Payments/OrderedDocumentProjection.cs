using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ComputeNet.Application.Payments;

/// <summary>A document numbered, across its kind, in the order its first event was recorded (from a PostgreSQL sequence).</summary>
public interface IOrderedDocument
{
    long Order { get; set; }
}

/// <summary>The PostgreSQL sequences <see cref="OrderedDocumentProjection{TDoc}"/> numbers its documents from.</summary>
public static class OrderSequences
{
    /// <summary>Adds the sequence <paramref name="sequence"/> to the store's schema objects in <paramref name="schema"/>.</summary>
    public static void Add(StoreOptions opts, string schema, string sequence) =>
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Sequence(
            new Weasel.Postgresql.PostgresqlObjectName(schema, sequence, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General)));
}

/// <summary>
/// The shape the payments' inline documents share (payment intents, payouts, refunds): a document per id the events name,
/// written only from the streams of its kind; started by its first event, when it takes the next number of its sequence
/// as its order; then holding what the domain's pure fold makes of each event. A subclass says which streams, which
/// event starts a document, and how an event changes it; its members are named apart from Marten's conventional
/// <c>Apply</c> and <c>Create</c>, so that Marten does not take them for conventional methods beside the override.
/// </summary>
public abstract class OrderedDocumentProjection<TDoc> : MultiStreamProjection<TDoc, string> where TDoc : class, IOrderedDocument
{
    private readonly string _nextOrder;

    /// <param name="schema">The store's schema, which holds the sequence.</param>
    /// <param name="sequence">The sequence the documents take their order from (added by <see cref="OrderSequences.Add"/>).</param>
    protected OrderedDocumentProjection(string schema, string sequence) => _nextOrder = $"select nextval('{schema}.{sequence}')";

    /// <summary>Whether the stream <paramref name="streamKey"/> is one of the kind this document is written from.</summary>
    protected abstract bool Follows(string? streamKey);

    /// <summary>The new document <paramref name="data"/> starts (its order is set after), or null when it starts none.</summary>
    protected abstract TDoc? Start(string id, object data);

    /// <summary>Changes <paramref name="document"/> by <paramref name="data"/>, where the domain's fold gives it a new state.</summary>
    protected abstract void Fold(TDoc document, object data);

    public sealed override async ValueTask<TDoc?> EvolveAsync(TDoc? snapshot, string id, IQuerySession session, IEvent e, CancellationToken cancellation)
    {
        if (!Follows(e.StreamKey))
        {
            return snapshot;
        }
        if (snapshot is null && Start(id, e.Data) is { } started)
        {
            started.Order = (await session.QueryAsync<long>(_nextOrder, cancellation)).Single();
            snapshot = started;
        }
        if (snapshot is not null)
        {
            Fold(snapshot, e.Data);
        }
        return snapshot;
    }
}
