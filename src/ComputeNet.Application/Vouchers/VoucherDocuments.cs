using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Vouchers;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace ComputeNet.Application.Vouchers;

/// <summary>
/// One programme's stream (<c>programme:{id}</c>) as a decision sees it: the <see cref="VoucherBook"/> of that programme
/// alone, folded by Marten (live aggregation) when a grant, a close of the programme or a period close fetches it for
/// writing, and the events it was folded from with their global sequence, so that a close deciding over several
/// programmes folds their vouchers in grant order across programmes (<see cref="VoucherService.Merge"/>).
/// </summary>
public sealed class ProgrammeStream : IAggregateState
{
    public string Id { get; set; } = "";
    public VoucherBook Book { get; } = new();
    public List<(long Sequence, object Data)> Events { get; } = [];

    public void Apply(object data, long sequence)
    {
        Book.Evolve(data);
        Events.Add((sequence, data));
    }
}

/// <summary>
/// A programme's terms and counters, written inline with every event of its stream: what <c>GET /v1/programmes</c>, the
/// programme report, documents and the close's choice of programmes read. Keyed by stream key (<c>programme:{id}</c>).
/// </summary>
public sealed class ProgrammeDocument
{
    public string Id { get; set; } = "";
    public string ProgrammeId { get; set; } = "";
    public string Issuer { get; set; } = "";
    public ProgrammeCreated Terms { get; set; } = null!;
    public bool ClosedEarly { get; set; }
    /// <summary>Face value of every grant (lapses not deducted).</summary>
    public long GrantedFen { get; set; }
    public long RedeemedFen { get; set; }
    public long LapsedFen { get; set; }
    /// <summary>Balances left on vouchers not lapsed: above 0, the programme is alive (a close may redeem from it or lapse it).</summary>
    public long OutstandingFen { get; set; }
    public int Vouchers { get; set; }
    /// <summary>Face value granted per enterprise (its count is the programme's enterprises; the cap is checked on the stream).</summary>
    public Dictionary<string, long> GrantedPerBuyer { get; set; } = new(StringComparer.Ordinal);

    public long RemainingBudgetFen => Terms.BudgetFen - (GrantedFen - LapsedFen);
}

/// <summary>One voucher (a grant) with its balance, written inline: buyers' lists, and the close's choice of the programmes of the buyers it invoices.</summary>
public sealed class VoucherDocument
{
    /// <summary>The grant id: unique across programmes.</summary>
    public string Id { get; set; } = "";
    public string ProgrammeId { get; set; } = "";
    public string Buyer { get; set; } = "";
    public long FaceFen { get; set; }
    public long BalanceFen { get; set; }
    public bool Lapsed { get; set; }
    /// <summary>Grant order across every programme (sequence <see cref="VoucherProjections.GrantOrderSequence"/>).</summary>
    public long GrantOrder { get; set; }
    public VoucherGranted Grant { get; set; } = null!;
}

public static class VoucherProjections
{
    public const string GrantOrderSequence = "cn_grant_order";

    /// <summary>Stream key of a programme.</summary>
    public static string StreamOf(string programmeId) => $"programme:{programmeId}";

    /// <summary>Only programme streams are projected (the retired single <c>vouchers</c> stream of older schemas is not).</summary>
    public static bool IsProgrammeStream(string? key) => key is not null && key.StartsWith("programme:", StringComparison.Ordinal);

    /// <summary>Marten registrations for programmes and vouchers (called from <see cref="MartenSetup"/>).</summary>
    public static void Configure(StoreOptions opts, string schema)
    {
        opts.Projections.Add(new LiveAggregation<ProgrammeStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Schema.For<ProgrammeDocument>().Index(x => x.Issuer).Index(x => x.ProgrammeId).Index(x => x.OutstandingFen);
        opts.Schema.For<VoucherDocument>().Index(x => x.Buyer).Index(x => x.ProgrammeId).Index(x => x.GrantOrder);
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Sequence(
            new Weasel.Postgresql.PostgresqlObjectName(schema, GrantOrderSequence, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General)));
        opts.Projections.Add(new ProgrammeDocumentProjection(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        opts.Projections.Add(new VoucherDocumentProjection(schema), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
    }
}

public sealed class ProgrammeDocumentProjection : SingleStreamProjection<ProgrammeDocument, string>
{
    public ProgrammeDocumentProjection()
    {
        IncludeType<ProgrammeCreated>();
        IncludeType<ProgrammeClosed>();
        IncludeType<VoucherGranted>();
        IncludeType<VoucherRedeemed>();
        IncludeType<VoucherLapsed>();
    }

    public override ProgrammeDocument? Evolve(ProgrammeDocument? snapshot, string id, IEvent e)
    {
        if (!VoucherProjections.IsProgrammeStream(e.StreamKey))
        {
            return snapshot;
        }
        switch (e.Data)
        {
            case ProgrammeCreated p:
                return new ProgrammeDocument { Id = id, ProgrammeId = p.ProgrammeId, Issuer = p.Issuer, Terms = p };
            case ProgrammeClosed when snapshot is not null:
                snapshot.ClosedEarly = true;
                break;
            case VoucherGranted g when snapshot is not null:
                snapshot.GrantedFen += g.FaceFen;
                snapshot.OutstandingFen += g.FaceFen;
                snapshot.Vouchers++;
                snapshot.GrantedPerBuyer[g.Buyer] = snapshot.GrantedPerBuyer.GetValueOrDefault(g.Buyer) + g.FaceFen;
                break;
            case VoucherRedeemed r when snapshot is not null:
                snapshot.RedeemedFen += r.AmountFen;
                snapshot.OutstandingFen -= r.AmountFen;
                break;
            case VoucherLapsed l when snapshot is not null:
                snapshot.LapsedFen += l.AmountFen;
                snapshot.OutstandingFen -= l.AmountFen;
                break;
        }
        return snapshot;
    }
}

/// <summary>
/// Vouchers by grant id. A grant draws its place in the grant order from a sequence (drawn in projection order, which is
/// append order).
/// </summary>
public sealed class VoucherDocumentProjection : MultiStreamProjection<VoucherDocument, string>
{
    private readonly string _nextGrantOrder;

    public VoucherDocumentProjection(string schema)
    {
        _nextGrantOrder = $"select nextval('{schema}.{VoucherProjections.GrantOrderSequence}')";
        Identity<VoucherGranted>(g => g.GrantId);
        Identity<VoucherRedeemed>(r => r.GrantId);
        Identity<VoucherLapsed>(l => l.GrantId);
    }

    public override async ValueTask<VoucherDocument?> EvolveAsync(VoucherDocument? snapshot, string id, IQuerySession session, IEvent e,
        CancellationToken cancellation)
    {
        if (!VoucherProjections.IsProgrammeStream(e.StreamKey))
        {
            return snapshot;
        }
        switch (e.Data)
        {
            case VoucherGranted g:
                var order = (await session.QueryAsync<long>(_nextGrantOrder, cancellation)).Single();
                return new VoucherDocument
                {
                    Id = g.GrantId, ProgrammeId = g.ProgrammeId, Buyer = g.Buyer, FaceFen = g.FaceFen, BalanceFen = g.FaceFen, GrantOrder = order, Grant = g,
                };
            case VoucherRedeemed r when snapshot is not null:
                snapshot.BalanceFen -= r.AmountFen;
                break;
            case VoucherLapsed l when snapshot is not null:
                snapshot.BalanceFen -= l.AmountFen;
                snapshot.Lapsed = true;
                break;
        }
        return snapshot;
    }
}
