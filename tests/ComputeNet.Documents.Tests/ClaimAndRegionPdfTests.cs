using UglyToad.PdfPig;

namespace ComputeNet.Documents.Tests;

/// <summary>Renders an issuer claim and a region revenue-share statement and reads them back with PdfPig; refuses totals that do not add up.</summary>
public sealed class ClaimAndRegionPdfTests
{
    private static string Text(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static readonly PartyBlock IssuerBlock = new(Samples.Issuer, ["issuer"], null, false);

    private static ClaimModel Claim(IReadOnlyList<ClaimProgramme> programmes, long redeemed) => new("2026-12-01.issuer.sh-gov", "2026-12-01",
        "2026-12-01 00:00", "2026-12-02 00:00", "Asia/Shanghai", "2026-12-02", IssuerBlock, programmes, redeemed, 1_234,
        Samples.Hash with { ChainKey = "issuer/sh-gov" });

    private static DocumentLine Redeemed(int no, long amount, long voucher, string grant, string lease = "lease-000001") =>
        Samples.Compute(no, amount, voucher, lease) with { Voucher = grant };

    [Fact]
    public void A_claim_shows_its_lines_by_programme_the_totals_owed_and_lapsed_and_the_hash()
    {
        var pdf = ClaimPdf.Render(Claim(
        [
            new ClaimProgramme("sh-compute-2026", "compute", 3000, [Redeemed(1, 144_768, 43_430, "g-sh-ai"), Redeemed(2, 1_751_717, 456_570, "g-sh-ai", "lease-000002")], 500_000),
            new ClaimProgramme("sh-transport", "transport", 5000, [Redeemed(1, 10_004, 5_002, "g-t")], 5_002),
        ], 505_002));
        var text = Text(pdf);
        Assert.Contains("2026-12-01.issuer.sh-gov", text);
        Assert.Contains("上海市经信委", text);
        Assert.Contains("sh-compute-2026", text);
        Assert.Contains("sh-transport", text);
        Assert.Contains("434.30", text);
        Assert.Contains("4,565.70", text);
        Assert.Contains("5,000.00", text);   // the compute programme's part
        Assert.Contains("50.02", text);      // the transport programme's part
        Assert.Contains("5,050.02", text);   // owed to the platform
        Assert.Contains("12.34", text);      // lapsed
        Assert.Contains("g-sh-ai", text);
        Assert.Contains("issuer/sh-gov", text);
        Assert.Contains(new string('a', 64), text);
    }

    [Fact]
    public void A_claim_without_redemptions_and_one_whose_parts_do_not_add_up()
    {
        Assert.Contains("No voucher of this issuer was redeemed", Text(ClaimPdf.Render(Claim([], 0))));
        Assert.Throws<ArgumentException>(() => ClaimPdf.Render(Claim([new ClaimProgramme("p", "compute", 3000, [Redeemed(1, 100, 30, "g")], 31)], 31)));
        Assert.Throws<ArgumentException>(() => ClaimPdf.Render(Claim([new ClaimProgramme("p", "compute", 3000, [Redeemed(1, 100, 30, "g")], 30)], 31)));
    }

    private static RegionStatementModel Region(IReadOnlyList<RegionShareLine> lines, long share) => new("2026-12-01.region.ningxia", "2026-12-01",
        "2026-12-01 00:00", "2026-12-02 00:00", "Asia/Shanghai", "2026-12-02", new PartyBlock(Samples.Ningxia, ["region"], null, false), lines, share,
        Samples.Hash with { ChainKey = "region/ningxia" });

    [Fact]
    public void A_region_statement_shows_the_paired_lines_their_fees_the_side_and_the_share()
    {
        var pdf = RegionStatementPdf.Render(Region(
        [
            new RegionShareLine(Samples.Compute(1, 144_768, 0) with { FeeFen = 4_343 }, 1_086, "supply"),
            new RegionShareLine(Samples.Compute(2, 144_768, 0, "lease-000002") with { FeeFen = 4_343 }, 1_086, "supply"),
        ], 2_172));
        var text = Text(pdf);
        Assert.Contains("2026-12-01.region.ningxia", text);
        Assert.Contains("宁夏", text);
        Assert.Contains("43.43", text);
        Assert.Contains("10.86", text);
        Assert.Contains("21.72", text);
        Assert.Contains("supply", text);
        Assert.Contains("region/ningxia", text);
        Assert.Throws<ArgumentException>(() => RegionStatementPdf.Render(Region([new RegionShareLine(Samples.Compute(1, 100, 0), 1, "demand")], 2)));
    }
}
