using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ComputeNet.Application.Settlement;

/// <summary>
/// What a close issued, as documents people list and fetch: one per invoice, statement, issuer claim, region share,
/// closed period and voucher redemption, written by <see cref="SettlementDocumentsProjection"/> (inline) in the close's
/// own transaction, so they are visible when the close answers. <c>Seq</c> orders them as the old reads did: close order,
/// then the order the close issued them in. It is <c>close order × 10⁹ + the event's version in its stream</c>; close
/// order is drawn from the PostgreSQL sequence <c>cn_close_order</c> when the projection meets a
/// <see cref="PeriodClosed"/> (closes run one at a time under the exclusive settlement lock, and a rebuild replays them
/// in event order, so the numbers rise in close order). Events are appended in Marten's quick mode, whose inline
/// projections do not see the global event sequence, hence a number of our own. Indexed by party, period and
/// <c>Seq</c> (<see cref="Infrastructure.MartenSetup"/>), so every list filters and pages in PostgreSQL.
/// </summary>
public sealed class InvoiceDocument
{
    /// <summary><c>{period}.{buyer}</c>, the invoice's document id (<see cref="Documents.DocumentIds.Invoice"/>).</summary>
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string Buyer { get; set; } = "";
    public long Seq { get; set; }
    public InvoiceIssued Invoice { get; set; } = null!;
}

public sealed class StatementDocument
{
    /// <summary><c>{period}.{role}.{party}</c> (<see cref="Documents.DocumentIds.Statement"/>).</summary>
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string Party { get; set; } = "";
    public string Role { get; set; } = "";
    public long Seq { get; set; }
    public StatementIssued Statement { get; set; } = null!;
}

public sealed class IssuerClaimDocument
{
    /// <summary><c>{period}.issuer.{issuer}</c>.</summary>
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string Issuer { get; set; } = "";
    public long Seq { get; set; }
    public IssuerClaimIssued Claim { get; set; } = null!;
}

public sealed class RegionShareDocument
{
    /// <summary><c>{period}.region.{region}</c>.</summary>
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string Region { get; set; } = "";
    public long Seq { get; set; }
    public RegionShareIssued Share { get; set; } = null!;
}

/// <summary>A closed period's <see cref="PeriodClosed"/> (fees, Merkle root, bounds), found by key or in close order.</summary>
public sealed class PeriodDocument
{
    /// <summary>The period key.</summary>
    public string Id { get; set; } = "";
    public long Seq { get; set; }
    public PeriodClosed Closed { get; set; } = null!;
}

/// <summary>A voucher redemption of a close (the evidence of an issuer's claim), found by period and programme.</summary>
public sealed class RedemptionDocument
{
    /// <summary>The event's id: one document per redemption, stable across a rebuild.</summary>
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public string ProgrammeId { get; set; } = "";
    public long Seq { get; set; }
    public VoucherRedeemed Redeemed { get; set; } = null!;
}

/// <summary>
/// An invoiced compute line a voucher covered (<see cref="InvoiceLine.Voucher"/> set), per programme: what a programme
/// report sums, so it reads its own lines rather than every closed period.
/// </summary>
public sealed class SubsidisedLineDocument
{
    /// <summary><c>{period}.{buyer}.{lineNo}</c>.</summary>
    public string Id { get; set; } = "";
    public string ProgrammeId { get; set; } = "";
    public string LeaseId { get; set; } = "";
    public decimal Quantity { get; set; }
    public long Seq { get; set; }
}

/// <summary>
/// An invoice on which a party earned in a role (a line with that <see cref="InvoiceLine.Earner"/> and
/// <see cref="InvoiceLine.EarnerRole"/>): a statement's lines are those invoices' lines, so a statement's PDF reads its
/// own invoices, found by <see cref="StatementId"/>, not the whole period.
/// </summary>
public sealed class EarnerInvoiceDocument
{
    /// <summary><c>{event id}.{statement id}</c> (party ids may hold dots; the event id has a fixed length).</summary>
    public string Id { get; set; } = "";
    public string StatementId { get; set; } = "";
    public string InvoiceId { get; set; } = "";
    public long Seq { get; set; }
}

public sealed partial class SettlementDocumentsProjection : EventProjection
{
    /// <summary>Stream versions of a period stream stay far below this (a close's events number about twice its lines).</summary>
    public const long CloseStride = 1_000_000_000;

    public const string CloseOrderSequence = "cn_close_order";

    private readonly string _nextCloseOrder;

    /// <summary>The close being projected: its events follow its <see cref="PeriodClosed"/> (version 1) at once.</summary>
    private (string Period, long Order) _current = ("", 0);

    public SettlementDocumentsProjection(string schema)
    {
        _nextCloseOrder = $"select nextval('{schema}.{CloseOrderSequence}')";
        IncludeType<PeriodClosed>();
        IncludeType<InvoiceIssued>();
        IncludeType<StatementIssued>();
        IncludeType<IssuerClaimIssued>();
        IncludeType<RegionShareIssued>();
        IncludeType<VoucherRedeemed>();
    }

    public static string ClaimId(string period, string issuer) => $"{period}.issuer.{issuer}";

    private async ValueTask<long> CloseOrderAsync(IDocumentOperations operations, string period, CancellationToken ct)
    {
        if (_current.Period == period)
        {
            return _current.Order;
        }
        // A rebuild may page a close's events across batches: the period's document was committed with the batch before.
        var stored = await operations.LoadAsync<PeriodDocument>(period, ct)
            ?? throw new InvalidOperationException($"the close of {period} is projected before its PeriodClosed");
        _current = (period, stored.Seq / CloseStride);
        return _current.Order;
    }

    public override async ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        // A period stream is started whole by its close, so Marten knows each event's version before the commit.
        if (e.Data is PeriodClosed or InvoiceIssued or StatementIssued or IssuerClaimIssued or RegionShareIssued && e.Version is <= 0 or >= CloseStride)
        {
            throw new InvalidOperationException($"event {e.Id} has version {e.Version}: the settlement documents need the event's place in its stream");
        }
        switch (e.Data)
        {
            case PeriodClosed c:
                var order = (await operations.QueryAsync<long>(_nextCloseOrder, cancellation)).Single();
                _current = (c.Period, order);
                operations.Store(new PeriodDocument { Id = c.Period, Seq = order * CloseStride + e.Version, Closed = c });
                break;
            case InvoiceIssued i:
            {
                var seq = await CloseOrderAsync(operations, i.Period, cancellation) * CloseStride + e.Version;
                operations.Store(new InvoiceDocument { Id = Documents.DocumentIds.Invoice(i.Period, i.Buyer), Period = i.Period, Buyer = i.Buyer, Seq = seq, Invoice = i });
                foreach (var statement in i.Lines.Select(l => Documents.DocumentIds.Statement(i.Period, l.EarnerRole, l.Earner)).Distinct())
                {
                    operations.Store(new EarnerInvoiceDocument
                    {
                        Id = $"{e.Id}.{statement}", StatementId = statement, InvoiceId = Documents.DocumentIds.Invoice(i.Period, i.Buyer), Seq = seq,
                    });
                }
                foreach (var l in i.Lines.Where(l => l.Voucher is not null && l.Kind == LineKinds.Compute))
                {
                    operations.Store(new SubsidisedLineDocument
                    {
                        Id = $"{i.Period}.{i.Buyer}.{l.LineNo}", ProgrammeId = l.Voucher!, LeaseId = l.LeaseId, Quantity = l.Quantity, Seq = seq,
                    });
                }
                break;
            }
            case StatementIssued s:
                operations.Store(new StatementDocument
                {
                    Id = Documents.DocumentIds.Statement(s.Period, s.Role, s.Party), Period = s.Period, Party = s.Party, Role = s.Role,
                    Seq = await CloseOrderAsync(operations, s.Period, cancellation) * CloseStride + e.Version, Statement = s,
                });
                break;
            case IssuerClaimIssued c:
                operations.Store(new IssuerClaimDocument
                {
                    Id = ClaimId(c.Period, c.Issuer), Period = c.Period, Issuer = c.Issuer,
                    Seq = await CloseOrderAsync(operations, c.Period, cancellation) * CloseStride + e.Version, Claim = c,
                });
                break;
            case RegionShareIssued r:
                operations.Store(new RegionShareDocument
                {
                    Id = $"{r.Period}.region.{r.Region}", Period = r.Period, Region = r.Region,
                    Seq = await CloseOrderAsync(operations, r.Period, cancellation) * CloseStride + e.Version, Share = r,
                });
                break;
            case VoucherRedeemed v:
                // Redemptions are in the vouchers stream, in the order the close redeemed them: its version orders them.
                operations.Store(new RedemptionDocument { Id = e.Id.ToString(), Period = v.Period, ProgrammeId = v.ProgrammeId, Seq = e.Version, Redeemed = v });
                break;
        }
    }
}
