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
public sealed record GetClaimsRequest(string? Issuer = null, string? Period = null) : IQuery<IReadOnlyList<ClaimView>>;

public sealed record ClaimItem(string Voucher, string Programme, string Buyer, long AmountFen, InvoiceLine Line, LeaseTerms Lease, IReadOnlyList<UsageRecorded> Usage);

public sealed record ClaimView(string Period, string Issuer, long RedeemedFen, long LapsedFen, IReadOnlyDictionary<string, long> Programmes, IReadOnlyList<ClaimItem> Items);

/// <summary>
/// Per programme: granted, redeemed, lapsed, remaining budget, enterprises, and the compute it subsidised — SCU-hours
/// of the lines a voucher of it covered, and the share of those bought in western resource hubs (东数西算).
/// </summary>
public sealed record GetProgrammeReportRequest(string? Issuer = null) : IQuery<IReadOnlyList<ProgrammeReport>>;

public sealed record ProgrammeReport(ProgrammeView Programme, decimal ScuHoursSubsidised, decimal? WesternHubShare);

public sealed class GetClaimsHandler(IDocumentStore store, Platform.PlatformService platform) :
    IQueryHandler<GetClaimsRequest, IReadOnlyList<ClaimView>>,
    IQueryHandler<GetProgrammeReportRequest, IReadOnlyList<ProgrammeReport>>
{
    public async ValueTask<IReadOnlyList<ClaimView>> Handle(GetClaimsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var voucherEvents = (await session.Events.FetchStreamAsync(MartenSetup.Streams.Vouchers, token: ct)).Select(e => e.Data).ToList();
        var book = new VoucherBook();
        voucherEvents.ForEach(book.Evolve);
        var redeemedByPeriod = voucherEvents.OfType<VoucherRedeemed>().ToLookup(r => r.Period);
        var result = new List<ClaimView>();
        foreach (var stream in await SettlementReader.ClosedPeriodsAsync(session, q.Period, ct))
        {
            var period = SettlementReader.Closed(stream).Period;
            var lines = SettlementReader.Of<InvoiceIssued>(stream).SelectMany(i => i.Lines).ToList();
            var redemptions = redeemedByPeriod[period].ToList();
            var usage = (await MeteringService.ReceivedByAsync(session, period, ct)).ToLookup(u => u.LeaseId);
            var leaseDocs = await session.LoadManyAsync<LeaseDocument>(ct, redemptions.Select(r => MartenSetup.Streams.Lease(r.LeaseId)).Distinct());
            var leases = leaseDocs.ToDictionary(l => l.LeaseId, l => l.Terms);
            foreach (var claim in SettlementReader.Of<IssuerClaimIssued>(stream).Where(c => q.Issuer is null || c.Issuer == q.Issuer))
            {
                var items = redemptions.Where(r => book.Programme(r.ProgrammeId)?.Terms.Issuer == claim.Issuer).Select(r =>
                {
                    var line = lines.Single(l => l.LeaseId == r.LeaseId && l.Kind == r.LineKind && l.Late == r.Late);
                    var records = usage[r.LeaseId].Where(u => u.Late == r.Late && (r.LineKind != LineKinds.Transport || u.TransferGb > 0)).ToList();
                    return new ClaimItem(r.GrantId, r.ProgrammeId, r.Buyer, r.AmountFen, line, leases[r.LeaseId], records);
                }).ToList();
                result.Add(new ClaimView(period, claim.Issuer, claim.RedeemedFen, claim.LapsedFen, claim.Programmes, items));
            }
        }
        return result;
    }

    public async ValueTask<IReadOnlyList<ProgrammeReport>> Handle(GetProgrammeReportRequest q, CancellationToken ct)
    {
        var catalogue = (await platform.CurrentAsync(ct)).Catalogue;
        await using var session = store.QuerySession();
        var (book, _) = await VoucherService.LoadAsync(session, ct);
        var covered = new Dictionary<string, (decimal All, decimal West)>(StringComparer.Ordinal);
        var leases = new Dictionary<string, LeaseTerms>(StringComparer.Ordinal);
        foreach (var stream in await SettlementReader.ClosedPeriodsAsync(session, null, ct))
        {
            foreach (var line in SettlementReader.Of<InvoiceIssued>(stream).SelectMany(i => i.Lines).Where(l => l.Voucher is not null && l.Kind == LineKinds.Compute))
            {
                if (!leases.TryGetValue(line.LeaseId, out var lease))
                {
                    lease = leases[line.LeaseId] = (await session.LoadAsync<LeaseDocument>(MartenSetup.Streams.Lease(line.LeaseId), ct))!.Terms;
                }
                var west = catalogue.Hub(lease.Hub)?.Kind == HubKind.Resource ? line.Quantity : 0;
                var (all, westSoFar) = covered.GetValueOrDefault(line.Voucher!);
                covered[line.Voucher!] = (all + line.Quantity, westSoFar + west);
            }
        }
        return book.Programmes
            .Where(p => q.Issuer is null || p.Terms.Issuer == q.Issuer)
            .OrderBy(p => p.Terms.ProgrammeId, StringComparer.Ordinal)
            .Select(p =>
            {
                var (all, west) = covered.GetValueOrDefault(p.Terms.ProgrammeId);
                return new ProgrammeReport(ProgrammeView.Of(p, book), all, all == 0 ? null : Math.Round(west / all, 4, MidpointRounding.AwayFromZero));
            }).ToList();
    }
}
