using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Pairings;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace ComputeNet.Application.Pairings;

/// <summary>One pairing's stream (<c>pairing:{id}</c>) as its decisions see it: the agreement with its current end.</summary>
public sealed class PairingStream : IAggregateState
{
    public string Id { get; set; } = "";
    public PairingAgreed? Agreed { get; private set; }

    public void Apply(object data, long sequence) => Agreed = Next(Agreed, data);

    public static PairingAgreed? Next(PairingAgreed? agreed, object data) => data switch
    {
        PairingAgreed p => p,
        PairingEnded end when agreed is not null => agreed with { ValidTo = end.EndAt },
        _ => agreed,
    };
}

/// <summary>
/// A pairing agreement as it stands (its end applied), written inline: indexed by supply hub (the overlap check of a new
/// agreement reads the agreements of its hub) and by validity (a close reads those valid at its period's start).
/// </summary>
public sealed class PairingDocument
{
    /// <summary>The stream key <c>pairing:{id}</c>.</summary>
    public string Id { get; set; } = "";
    public string PairingId { get; set; } = "";
    public string SupplyHub { get; set; } = "";
    /// <summary>Agreement order across pairings (sequence <see cref="PairingProjections.OrderSequence"/>).</summary>
    public long Order { get; set; }
    /// <summary>Validity bounds in Unix ticks; open bounds are <see cref="long.MinValue"/> and <see cref="long.MaxValue"/>.</summary>
    public long FromTicks { get; set; }
    public long ToTicks { get; set; }
    public PairingAgreed Agreed { get; set; } = null!;
}

public static class PairingProjections
{
    public const string OrderSequence = "cn_pairing_order";

    public static string StreamOf(string pairingId) => $"pairing:{pairingId}";

    public static bool IsPairingStream(string? key) => key is not null && key.StartsWith("pairing:", StringComparison.Ordinal);

    public static void Configure(StoreOptions opts, string schema)
    {
        opts.Projections.Add(new LiveAggregation<PairingStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Schema.For<PairingDocument>().Index(x => x.SupplyHub).Index(x => x.FromTicks).Index(x => x.ToTicks);
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Sequence(
            new Weasel.Postgresql.PostgresqlObjectName(schema, OrderSequence, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General)));
        opts.Projections.Add(new PairingDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
    }
}

public sealed class PairingDocumentProjection : SingleStreamProjection<PairingDocument, string>
{
    private readonly string _nextOrder;

    public PairingDocumentProjection(string schema)
    {
        _nextOrder = $"select nextval('{schema}.{PairingProjections.OrderSequence}')";
        IncludeType<PairingAgreed>();
        IncludeType<PairingEnded>();
    }

    public override async ValueTask<PairingDocument?> EvolveAsync(PairingDocument? snapshot, string id, IQuerySession session, IEvent e,
        CancellationToken cancellation)
    {
        if (!PairingProjections.IsPairingStream(e.StreamKey))
        {
            return snapshot;
        }
        if (e.Data is PairingAgreed && snapshot is null)
        {
            snapshot = new PairingDocument { Id = id, Order = (await session.QueryAsync<long>(_nextOrder, cancellation)).Single() };
        }
        if (snapshot is null || PairingStream.Next(snapshot.Agreed, e.Data) is not { } agreed)
        {
            return snapshot;
        }
        snapshot.PairingId = agreed.PairingId;
        snapshot.SupplyHub = agreed.SupplyHub;
        snapshot.Agreed = agreed;
        snapshot.FromTicks = agreed.ValidFrom?.ToUnixTimeTicks() ?? long.MinValue;
        snapshot.ToTicks = agreed.ValidTo?.ToUnixTimeTicks() ?? long.MaxValue;
        return snapshot;
    }
}
