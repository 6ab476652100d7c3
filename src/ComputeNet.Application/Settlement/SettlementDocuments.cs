using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ComputeNet.Application.Settlement;

/// <summary>
/// What a close issued, as documents people list and fetch: one per invoice, statement, issuer claim, region share,
/// closed period and voucher redemption, written by <see cref="SettlementDocumentsProjection"/> (async: Marten's daemon,
/// after the close commits). <c>Seq</c> orders them as the old reads did: close order, then the order the close issued
/// them in — it is the event's global sequence. Indexed by party, period and <c>Seq</c>
/// (<see cref="Infrastructure.MartenSetup"/>), so every list filters and pages in PostgreSQL.
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

/// <summary>
/// One party account's line of one ledger transaction (a close's charge, a cash action, a reversal): what the account's
/// holder reads as its own ledger lines (<c>GET /v1/balance/lines</c>). Only the parties' accounts (<c>buyer:</c>,
/// <c>provider:</c>, <c>carrier:</c>, <c>issuer:</c>), not the platform's, the regions' or cash clearing; a transaction posting
/// to one account twice gives one line with the sum. Paged through the (party, seq) index.
/// </summary>
public sealed class LedgerLineDocument
{
    /// <summary><c>{txId}|{account}</c>.</summary>
    public string Id { get; set; } = "";
    /// <summary>The account's holder (the part after the first colon).</summary>
    public string Party { get; set; } = "";
    public string Account { get; set; } = "";
    /// <summary>The <c>TransactionPosted</c> event's global sequence: the order transactions were posted in.</summary>
    public long Seq { get; set; }
    public string TxId { get; set; } = "";
    public string Period { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Memo { get; set; } = "";
    /// <summary>Signed fen, debit + (what the holder owes grows +; what it is owed grows −).</summary>
    public long AmountFen { get; set; }
    public NodaTime.Instant At { get; set; }

    /// <summary>The account prefixes that belong to a party.</summary>
    public static readonly string[] PartyAccountKinds = ["buyer", "provider", "carrier", "issuer"];

    /// <summary>The party holding <paramref name="account"/>, or null for the platform's, a region's and cash clearing.</summary>
    public static string? PartyOf(string account)
    {
        var colon = account.IndexOf(':');
        return colon > 0 && PartyAccountKinds.Contains(account[..colon], StringComparer.Ordinal) ? account[(colon + 1)..] : null;
    }
}

/// <summary>
/// Writes the settlement documents from the period streams' events (and the vouchers stream's redemptions). An
/// <b>async</b> projection run by Marten's daemon (<see cref="Infrastructure.AsyncReadModels"/>): no decision reads these
/// documents, so a close does not pay for them in its transaction. <c>Seq</c> is the event's global sequence: a close's
/// events are appended together under the exclusive settlement lock, so sequences rise in close order and, within a
/// close, in the order it issued them. The daemon and a rebuild give every document the same id and <c>Seq</c>.
/// </summary>
public sealed partial class SettlementDocumentsProjection : EventProjection
{
    public SettlementDocumentsProjection()
    {
        IncludeType<PeriodClosed>();
        IncludeType<InvoiceIssued>();
        IncludeType<StatementIssued>();
        IncludeType<IssuerClaimIssued>();
        IncludeType<RegionShareIssued>();
        IncludeType<VoucherRedeemed>();
        IncludeType<TransactionPosted>();
    }

    public static string ClaimId(string period, string issuer) => $"{period}.issuer.{issuer}";

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Sequence <= 0)
        {
            throw new InvalidOperationException($"event {e.Id} has no sequence: the settlement documents are projected by the async daemon");
        }
        var seq = e.Sequence;
        switch (e.Data)
        {
            case PeriodClosed c:
                operations.Store(new PeriodDocument { Id = c.Period, Seq = seq, Closed = c });
                break;
            case InvoiceIssued i:
            {
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
                    Id = Documents.DocumentIds.Statement(s.Period, s.Role, s.Party), Period = s.Period, Party = s.Party, Role = s.Role, Seq = seq, Statement = s,
                });
                break;
            case IssuerClaimIssued c:
                operations.Store(new IssuerClaimDocument { Id = ClaimId(c.Period, c.Issuer), Period = c.Period, Issuer = c.Issuer, Seq = seq, Claim = c });
                break;
            case RegionShareIssued r:
                operations.Store(new RegionShareDocument { Id = $"{r.Period}.region.{r.Region}", Period = r.Period, Region = r.Region, Seq = seq, Share = r });
                break;
            case VoucherRedeemed v:
                // Redemptions are in the vouchers stream, appended by the close in the order it redeemed them.
                operations.Store(new RedemptionDocument { Id = e.Id.ToString(), Period = v.Period, ProgrammeId = v.ProgrammeId, Seq = seq, Redeemed = v });
                break;
            case TransactionPosted t:
                foreach (var account in t.Postings.GroupBy(p => p.Account, StringComparer.Ordinal))
                {
                    if (LedgerLineDocument.PartyOf(account.Key) is { } party)
                    {
                        operations.Store(new LedgerLineDocument
                        {
                            Id = $"{t.TxId}|{account.Key}", Party = party, Account = account.Key, Seq = seq, TxId = t.TxId, Period = t.Period,
                            Kind = t.Kind, Memo = t.Memo, AmountFen = account.Sum(p => p.AmountFen), At = t.At,
                        });
                    }
                }
                break;
        }
        return ValueTask.CompletedTask;
    }
}
