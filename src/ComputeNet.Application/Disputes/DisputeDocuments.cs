using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Disputes;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using NodaTime;

namespace ComputeNet.Application.Disputes;

/// <summary>One invoice line's dispute stream (<c>dispute-line:{line}</c>) as its decisions see it (ADR 0026).</summary>
public sealed class DisputeLineStream : IAggregateState
{
    public string Id { get; set; } = "";
    public DisputeLine Line { get; } = new();

    public void Apply(object data, long sequence) => Line.Evolve(data);
}

public static class DisputeStates
{
    public const string Open = "open";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
}

/// <summary>
/// A dispute as it stands, written inline from the line streams (ADR 0026): the id space of disputes (an open finds an
/// earlier use of its id here), the line facts a resolution decides on, and the lists (a buyer's, a state's or a period's
/// page in opening order, by index).
/// </summary>
public sealed class DisputeDocument
{
    /// <summary>The dispute id.</summary>
    public string Id { get; set; } = "";
    public string Buyer { get; set; } = "";
    public string Period { get; set; } = "";
    public string State { get; set; } = DisputeStates.Open;
    /// <summary>Opening order across all disputes (sequence <see cref="DisputeProjections.OrderSequence"/>).</summary>
    public long Seq { get; set; }
    /// <summary>The opening, with the disputed line's facts as its close issued them.</summary>
    public DisputeOpened Opened { get; set; } = null!;
    public long? AcceptedFen { get; set; }
    public Instant? DecidedAt { get; set; }
}

/// <summary>
/// A credit note, written inline from the <c>credit-notes</c> stream: by buyer (its chain's head is its latest), by the
/// earner it debits, by the issuer whose voucher part it returns, and in issue order.
/// </summary>
public sealed class CreditNoteDocument
{
    /// <summary><c>cn-{dispute}</c>.</summary>
    public string Id { get; set; } = "";
    public string Buyer { get; set; } = "";
    /// <summary>The earner's account party (<c>provider:x</c> / <c>carrier:x</c> → <c>x</c>).</summary>
    public string Earner { get; set; } = "";
    /// <summary>The issuer whose voucher part it returns; null when v is 0.</summary>
    public string? Issuer { get; set; }
    public string Period { get; set; } = "";
    public long Seq { get; set; }
    public CreditNoteIssued Note { get; set; } = null!;
}

public static class DisputeProjections
{
    public const string OrderSequence = "cn_dispute_order";
    public const string NoteSequence = "cn_credit_note_order";
    /// <summary>Every credit note and its transaction, in issue order: part of the ledger log the checkpoints sign.</summary>
    public const string CreditNotesStream = "credit-notes";

    public static string StreamOf(string lineKey) => $"dispute-line:{lineKey}";

    public static bool IsLineStream(string? key) => key is not null && key.StartsWith("dispute-line:", StringComparison.Ordinal);

    public static string PartyOf(string account) => account[(account.IndexOf(':', StringComparison.Ordinal) + 1)..];

    public static void Configure(StoreOptions opts, string schema)
    {
        opts.Projections.Add(new LiveAggregation<DisputeLineStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Schema.For<DisputeDocument>().Index(x => x.Seq).Index([x => x.Buyer, x => x.Seq]).Index([x => x.State, x => x.Seq])
            .Index([x => x.Period, x => x.Seq]);
        opts.Schema.For<CreditNoteDocument>().Index(x => x.Seq).Index([x => x.Buyer, x => x.Seq]).Index([x => x.Earner, x => x.Seq])
            .Index([x => x.Issuer!, x => x.Seq]).Index([x => x.Period, x => x.Seq]);
        foreach (var sequence in new[] { OrderSequence, NoteSequence })
        {
            opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Sequence(
                new Weasel.Postgresql.PostgresqlObjectName(schema, sequence, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General)));
        }
        opts.Projections.Add(new DisputeDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        opts.Projections.Add(new CreditNoteDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
    }
}

/// <summary>Writes <see cref="DisputeDocument"/>s from the line streams' events (one document per dispute id).</summary>
public sealed partial class DisputeDocumentProjection : EventProjection
{
    private readonly string _nextOrder;

    public DisputeDocumentProjection(string schema)
    {
        _nextOrder = $"select nextval('{schema}.{DisputeProjections.OrderSequence}')";
        IncludeType<DisputeOpened>();
        IncludeType<DisputeAccepted>();
        IncludeType<DisputeRejected>();
    }

    public override async ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (!DisputeProjections.IsLineStream(e.StreamKey))
        {
            return;
        }
        switch (e.Data)
        {
            case DisputeOpened o:
                operations.Store(new DisputeDocument
                {
                    Id = o.DisputeId, Buyer = o.Buyer, Period = o.Line.Period, Opened = o,
                    Seq = (await operations.QueryAsync<long>(_nextOrder, cancellation)).Single(),
                });
                break;
            case DisputeAccepted a:
                if (await operations.LoadAsync<DisputeDocument>(a.DisputeId, cancellation) is { } accepted)
                {
                    accepted.State = DisputeStates.Accepted;
                    accepted.AcceptedFen = a.AmountFen;
                    accepted.DecidedAt = a.At;
                    operations.Store(accepted);
                }
                break;
            case DisputeRejected r:
                if (await operations.LoadAsync<DisputeDocument>(r.DisputeId, cancellation) is { } rejected)
                {
                    rejected.State = DisputeStates.Rejected;
                    rejected.DecidedAt = r.At;
                    operations.Store(rejected);
                }
                break;
        }
    }
}

/// <summary>Writes <see cref="CreditNoteDocument"/>s from the <c>credit-notes</c> stream.</summary>
public sealed partial class CreditNoteDocumentProjection : EventProjection
{
    private readonly string _nextOrder;

    public CreditNoteDocumentProjection(string schema)
    {
        _nextOrder = $"select nextval('{schema}.{DisputeProjections.NoteSequence}')";
        IncludeType<CreditNoteIssued>();
    }

    public override async ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is CreditNoteIssued n && e.StreamKey == DisputeProjections.CreditNotesStream)
        {
            operations.Store(new CreditNoteDocument
            {
                Id = n.Id, Buyer = n.Buyer, Earner = DisputeProjections.PartyOf(n.Earner), Issuer = n.VoucherFen == 0 || n.Issuer is null ? null : DisputeProjections.PartyOf(n.Issuer),
                Period = n.Period, Note = n, Seq = (await operations.QueryAsync<long>(_nextOrder, cancellation)).Single(),
            });
        }
    }
}
