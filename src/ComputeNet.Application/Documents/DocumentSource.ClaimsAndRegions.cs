using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.ReferenceData;
using ComputeNet.Application.Settlement;
using ComputeNet.Documents;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using Marten;

namespace ComputeNet.Application.Documents;

/// <summary>
/// Ids of the documents an issuer claim and a region share statement are stored as: <c>{period}.issuer.{issuer}</c>
/// (e.g. <c>2026-12-01.issuer.sh-bureau</c>) and <c>{period}.region.{region}</c>, split like statement ids.
/// </summary>
public static class SettlementDocumentIds
{
    public static string Claim(string period, string issuer) => $"{period}.issuer.{issuer}";

    public static string Region(string period, string region) => $"{period}.region.{region}";

    /// <summary>Splits <c>{period}.{role}.{party}</c> when its role is <paramref name="role"/>.</summary>
    public static bool TryParse(string? id, string role, out string period, out string party)
    {
        party = "";
        if (!DocumentIds.TryParseInvoice(id, out period, out var rest) || !DocumentIds.TryParseInvoice(rest, out var r, out party))
        {
            return false;
        }
        return r == role;
    }
}

/// <summary>An issuer's claim and a region's revenue-share statement as PDF models: read their own documents, then render.</summary>
public sealed partial class DocumentSource
{
    /// <summary>
    /// One issuer claim and what its PDF needs: its period, the period's redemptions of the claim's programmes, the invoices
    /// they reduced (for the lines) and those invoices' leases and parties; null if no such claim was issued.
    /// </summary>
    public Task<(PeriodContext Context, IssuerClaimIssued Claim, IReadOnlyList<VoucherRedeemed> Redemptions)?> LoadClaimAsync(string period, string issuer,
        CancellationToken ct) => OneAsync(() => ClaimAsync(period, issuer, ct), ct);

    private async Task<(PeriodContext Context, IssuerClaimIssued Claim, IReadOnlyList<VoucherRedeemed> Redemptions)?> ClaimAsync(string period, string issuer,
        CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var doc = await session.LoadAsync<IssuerClaimDocument>(SettlementDocumentIds.Claim(period, issuer), ct);
        var closed = doc is null ? null : await session.LoadAsync<PeriodDocument>(doc.Period, ct);
        if (doc is null || closed is null || doc.Period != period || doc.Issuer != issuer)
        {
            return null;
        }
        var programmes = doc.Claim.Programmes.Keys.ToArray();
        var redemptions = programmes.Length == 0 ? [] : (await session.Query<RedemptionDocument>()
            .Where(r => r.Period == period && r.ProgrammeId.IsOneOf(programmes)).OrderBy(r => r.Seq).ToListAsync(ct)).Select(r => r.Redeemed).ToList();
        var invoices = (await session.LoadManyAsync<InvoiceDocument>(ct, redemptions.Select(r => DocumentIds.Invoice(period, r.Buyer)).Distinct()))
            .OrderBy(i => i.Seq).Select(i => i.Invoice).ToList();
        return (await ContextAsync(session, closed.Closed, invoices, [], ct), doc.Claim, redemptions);
    }

    public PdfFile RenderClaim(PeriodContext p, IssuerClaimIssued claim, IReadOnlyList<VoucherRedeemed> redemptions)
    {
        var model = Claim(p, claim, redemptions);
        return new PdfFile(model.Number, "claim", claim.Issuer, claim.Period, $"claim-{model.Number}.pdf", ClaimPdf.Render(model));
    }

    /// <summary>
    /// The claim's model: per programme (in id order), the lines its vouchers paid part of, in the order the close redeemed them
    /// (invoice by invoice, line by line), each with the redeemed amount and the voucher.
    /// </summary>
    public ClaimModel Claim(PeriodContext p, IssuerClaimIssued c, IReadOnlyList<VoucherRedeemed> redemptions)
    {
        var lineOf = p.Invoices
            .SelectMany((i, n) => i.Lines.Select(l => (Key: (i.Buyer, l.LeaseId, l.Kind, l.Late), Order: (n, l.LineNo), Line: l, i.Buyer)))
            .ToDictionary(x => x.Key);
        var programmes = c.Programmes.Keys.Order(StringComparer.Ordinal).Select(id =>
        {
            var lines = redemptions.Where(r => r.ProgrammeId == id)
                .Select(r => (r, x: lineOf[(r.Buyer, r.LeaseId, r.LineKind, r.Late)]))
                .OrderBy(t => t.x.Order)
                .Select((t, n) => Line(p, t.x.Line, t.x.Buyer) with { LineNo = n + 1, VoucherFen = t.r.AmountFen, Voucher = t.r.GrantId })
                .ToList();
            var (kind, _, coverage) = p.Programmes.GetValueOrDefault(id, ("compute", c.Issuer, 0));
            return new ClaimProgramme(id, kind, coverage, lines, c.Programmes[id]);
        }).ToList();
        var (start, end) = Bounds(p);
        return new ClaimModel(SettlementDocumentIds.Claim(c.Period, c.Issuer), c.Period, start, end, p.Zone.Id, IssuedOn(p, c.At), Block(p, c.Issuer),
            programmes, c.RedeemedFen, c.LapsedFen,
            new HashBlock(c.Hash ?? "", c.PreviousHash ?? Statements.Genesis, Statements.KeyOf(c), settings.Schema));
    }

    /// <summary>
    /// One region share and what its PDF needs: the close's charge transactions that posted to the region's account (read
    /// from the period's stream, which the close wrote whole) and the invoices of their lines; null if no such share was issued.
    /// </summary>
    public Task<(PeriodContext Context, RegionShareIssued Share, IReadOnlyList<TransactionPosted> Charges)?> LoadRegionAsync(string period, string region,
        CancellationToken ct) => OneAsync(() => RegionAsync(period, region, ct), ct);

    private async Task<(PeriodContext Context, RegionShareIssued Share, IReadOnlyList<TransactionPosted> Charges)?> RegionAsync(string period, string region,
        CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var doc = await session.LoadAsync<RegionShareDocument>(SettlementDocumentIds.Region(period, region), ct);
        if (doc is null || doc.Period != period || doc.Region != region)
        {
            return null;
        }
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(period), token: ct);
        if (events.Count == 0 || events[0].Data is not PeriodClosed closed)
        {
            return null;
        }
        var account = $"region:{region}";
        var charges = events.Select(e => e.Data).OfType<TransactionPosted>()
            .Where(t => t.Kind == "charge" && t.Postings.Any(x => x.Account == account)).ToList();
        var buyers = charges.SelectMany(t => t.Postings).Where(x => x.Account.StartsWith("buyer:", StringComparison.Ordinal))
            .Select(x => x.Account["buyer:".Length..]).ToHashSet(StringComparer.Ordinal);
        var invoices = events.Select(e => e.Data).OfType<InvoiceIssued>().Where(i => buyers.Contains(i.Buyer)).ToList();
        return (await ContextAsync(session, closed, invoices, [], ct), doc.Share, charges);
    }

    public PdfFile RenderRegion(PeriodContext p, RegionShareIssued share, IReadOnlyList<TransactionPosted> charges)
    {
        var model = Region(p, share, charges);
        return new PdfFile(model.Number, "region", share.Region, share.Period, $"region-{model.Number}.pdf", RegionStatementPdf.Render(model));
    }

    /// <summary>
    /// The region statement's model: one row per charge that posted to the region (close order), with its invoice line (found
    /// by the transaction's id <c>{period}/{lease}/{kind}[-late]</c>), the region's part of the fee and its side: supply when the
    /// region is the lease's hub, else demand.
    /// </summary>
    public RegionStatementModel Region(PeriodContext p, RegionShareIssued share, IReadOnlyList<TransactionPosted> charges)
    {
        var account = $"region:{share.Region}";
        var lines = charges.Select((t, n) =>
        {
            var parts = t.TxId.Split('/');
            var (lease, kindPart) = (string.Join('/', parts[1..^1]), parts[^1]);
            var late = kindPart.EndsWith("-late", StringComparison.Ordinal);
            var kind = late ? kindPart[..^"-late".Length] : kindPart;
            var (invoice, line) = p.Invoices.SelectMany(i => i.Lines.Select(l => (i, l)))
                .First(x => x.l.LeaseId == lease && x.l.Kind == kind && x.l.Late == late);
            var shareFen = -t.Postings.Where(x => x.Account == account).Sum(x => x.AmountFen);
            var side = p.Leases.GetValueOrDefault(lease)?.Hub == share.Region ? "supply" : "demand";
            return new RegionShareLine(Line(p, line, invoice.Buyer) with { LineNo = n + 1 }, shareFen, side);
        }).ToList();
        var (start, end) = Bounds(p);
        var name = new BilingualName(share.Region, p.Catalogue.Hub(share.Region)?.Name ?? p.Catalogue.City(share.Region)?.Name,
            ReferenceDataLoader.English.Hubs.GetValueOrDefault(share.Region) ?? ReferenceDataLoader.English.Cities.GetValueOrDefault(share.Region));
        return new RegionStatementModel(SettlementDocumentIds.Region(share.Period, share.Region), share.Period, start, end, p.Zone.Id,
            IssuedOn(p, share.At), new PartyBlock(name, ["region"], null, false), lines, share.ShareFen,
            new HashBlock(share.Hash ?? "", share.PreviousHash ?? Statements.Genesis, Statements.KeyOf(share), settings.Schema));
    }

    /// <summary>Every issuer claim, then every region statement, of one closed period as PDF, in the order the close issued them.</summary>
    public async Task<IReadOnlyList<PdfFile>> RenderClaimsAndRegionsAsync(string period, CancellationToken ct)
    {
        List<(string Issuer, long Seq)> claims;
        List<(string Region, long Seq)> regions;
        await using (var session = store.QuerySession())
        {
            claims = (await session.Query<IssuerClaimDocument>().Where(c => c.Period == period).OrderBy(c => c.Seq).ToListAsync(ct)).Select(c => (c.Issuer, c.Seq)).ToList();
            regions = (await session.Query<RegionShareDocument>().Where(r => r.Period == period).OrderBy(r => r.Seq).ToListAsync(ct)).Select(r => (r.Region, r.Seq)).ToList();
        }
        var files = new List<PdfFile>();
        foreach (var (issuer, _) in claims)
        {
            if (await ClaimAsync(period, issuer, ct) is { } c)
            {
                files.Add(RenderClaim(c.Context, c.Claim, c.Redemptions));
            }
        }
        foreach (var (region, _) in regions)
        {
            if (await RegionAsync(period, region, ct) is { } r)
            {
                files.Add(RenderRegion(r.Context, r.Share, r.Charges));
            }
        }
        return files;
    }
}
