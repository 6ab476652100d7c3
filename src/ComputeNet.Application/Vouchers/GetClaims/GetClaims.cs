using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Settlement;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using Marten;
using Mediator;

namespace ComputeNet.Application.Vouchers.GetClaims;

/// <summary>
/// Issuer: its reimbursement claim per closed period, with the evidence behind every fen — the voucher, the lease
/// (the contract), the invoice line, and the metered usage the line rated (the proof of delivery).
/// </summary>
/// <remarks>
/// Claims are <see cref="IssuerClaimDocument"/>s, filtered by issuer and period and paged (<see cref="Limit"/> from
/// <see cref="Offset"/>, all when null) in PostgreSQL; each claim on the page reads its own redemptions (by period and
/// programme), the invoices they reduced, the leases and the usage rows of those leases in that period.
/// </remarks>
public sealed record GetClaimsRequest(string? Issuer = null, string? Period = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<ClaimView>>;

public sealed record ClaimItem(string Voucher, string Programme, string Buyer, long AmountFen, InvoiceLine Line, LeaseTerms Lease, IReadOnlyList<UsageRecorded> Usage);

public sealed record ClaimView(string Period, string Issuer, long RedeemedFen, long LapsedFen, IReadOnlyDictionary<string, long> Programmes, IReadOnlyList<ClaimItem> Items);

/// <summary>
/// Per programme: granted, redeemed, lapsed, remaining budget, enterprises, and the compute it subsidised — SCU-hours
/// of the lines a voucher of it covered, and the share of those bought in western resource hubs (东数西算).
/// </summary>
/// <remarks>
/// Programmes come from the voucher book in programme-id order; <see cref="Limit"/> of them from <see cref="Offset"/> (all
/// when null). Each reported programme sums its own <see cref="SubsidisedLineDocument"/>s, found by programme index.
/// </remarks>
public sealed record GetProgrammeReportRequest(string? Issuer = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<ProgrammeReport>>;

public sealed record ProgrammeReport(ProgrammeView Programme, decimal ScuHoursSubsidised, decimal? WesternHubShare);

public sealed class GetClaimsHandler(IDocumentStore store, Platform.PlatformService platform, Infrastructure.AsyncReadModels readModels) :
    IQueryHandler<GetClaimsRequest, IReadOnlyList<ClaimView>>,
    IQueryHandler<GetProgrammeReportRequest, IReadOnlyList<ProgrammeReport>>
{
    public async ValueTask<IReadOnlyList<ClaimView>> Handle(GetClaimsRequest q, CancellationToken ct)
    {
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var query = session.Query<IssuerClaimDocument>().AsQueryable();
        if (q.Issuer is { } issuer)
        {
            query = query.Where(c => c.Issuer == issuer);
        }
        if (q.Period is { } period)
        {
            query = query.Where(c => c.Period == period);
        }
        var claims = await SettlementReader.Page(query.OrderBy(c => c.Seq), q.Offset, q.Limit).ToListAsync(ct);
        var result = new List<ClaimView>();
        foreach (var doc in claims)
        {
            var claim = doc.Claim;
            // Programmes holds every programme of this issuer that redeemed in the period (a redemption is never 0 fen).
            var programmes = claim.Programmes.Keys.ToArray();
            var redemptions = programmes.Length == 0 ? [] : (await session.Query<RedemptionDocument>()
                .Where(r => r.Period == claim.Period && r.ProgrammeId.IsOneOf(programmes)).OrderBy(r => r.Seq).ToListAsync(ct)).Select(r => r.Redeemed).ToList();
            var invoices = await session.LoadManyAsync<InvoiceDocument>(ct, redemptions.Select(r => Documents.DocumentIds.Invoice(claim.Period, r.Buyer)).Distinct());
            var lines = invoices.SelectMany(i => i.Invoice.Lines).ToList();
            var leaseIds = redemptions.Select(r => r.LeaseId).Distinct(StringComparer.Ordinal).ToList();
            var leases = (await session.LoadManyAsync<LeaseDocument>(ct, leaseIds.Select(MartenSetup.Streams.Lease))).ToDictionary(l => l.LeaseId, l => l.Terms);
            var usage = (await UsageRecordTable.ReceivedAsync(session, claim.Period, leases.Values, ct)).ToLookup(u => u.LeaseId);
            // In the order the close redeemed them: invoice by invoice (close order), line by line. Redemptions live in their
            // programmes' streams, whose versions do not order redemptions of two programmes.
            var lineOrder = invoices.SelectMany(i => i.Invoice.Lines.Select(ln => (i.Seq, ln.LineNo, i.Buyer, ln.LeaseId, ln.Kind, ln.Late)))
                .ToDictionary(x => (x.Buyer, x.LeaseId, x.Kind, x.Late), x => (x.Seq, x.LineNo));
            redemptions = redemptions.OrderBy(r => lineOrder[(r.Buyer, r.LeaseId, r.LineKind, r.Late)]).ToList();
            var items = redemptions.Select(r =>
            {
                var line = lines.Single(l => l.LeaseId == r.LeaseId && l.Kind == r.LineKind && l.Late == r.Late);
                var records = usage[r.LeaseId].Where(u => u.Late == r.Late && (r.LineKind != LineKinds.Transport || u.TransferGb > 0)).ToList();
                return new ClaimItem(r.GrantId, r.ProgrammeId, r.Buyer, r.AmountFen, line, leases[r.LeaseId], records);
            }).ToList();
            result.Add(new ClaimView(claim.Period, claim.Issuer, claim.RedeemedFen, claim.LapsedFen, claim.Programmes, items));
        }
        return result;
    }

    public async ValueTask<IReadOnlyList<ProgrammeReport>> Handle(GetProgrammeReportRequest q, CancellationToken ct)
    {
        var catalogue = (await platform.CurrentAsync(ct)).Catalogue;
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        // Ids only (an indexed read), in ordinal order as before; then the page's programme documents by key.
        var idQuery = session.Query<ProgrammeDocument>().AsQueryable();
        if (q.Issuer is { } issuer)
        {
            idQuery = idQuery.Where(p => p.Issuer == issuer);
        }
        var ordered = (await idQuery.Select(p => p.ProgrammeId).ToListAsync(ct)).Order(StringComparer.Ordinal).Skip(q.Offset);
        var ids = (q.Limit is { } l ? ordered.Take(l) : ordered).ToArray();
        var page = (await session.LoadManyAsync<ProgrammeDocument>(ct, ids.Select(VoucherProjections.StreamOf)))
            .OrderBy(p => p.ProgrammeId, StringComparer.Ordinal).ToList();
        var lines = ids.Length == 0 ? [] : await session.Query<SubsidisedLineDocument>().Where(d => d.ProgrammeId.IsOneOf(ids)).ToListAsync(ct);
        var leases = lines.Count == 0 ? new Dictionary<string, LeaseTerms>(StringComparer.Ordinal)
            : (await session.LoadManyAsync<LeaseDocument>(ct, lines.Select(d => MartenSetup.Streams.Lease(d.LeaseId)).Distinct()))
                .ToDictionary(d => d.LeaseId, d => d.Terms, StringComparer.Ordinal);
        var covered = new Dictionary<string, (decimal All, decimal West)>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var west = catalogue.Hub(leases[line.LeaseId].Hub)?.Kind == HubKind.Resource ? line.Quantity : 0;
            var (all, westSoFar) = covered.GetValueOrDefault(line.ProgrammeId);
            covered[line.ProgrammeId] = (all + line.Quantity, westSoFar + west);
        }
        return page.Select(p =>
        {
            var (all, west) = covered.GetValueOrDefault(p.ProgrammeId);
            return new ProgrammeReport(ProgrammeView.Of(p), all, all == 0 ? null : Math.Round(west / all, 4, MidpointRounding.AwayFromZero));
        }).ToList();
    }
}
