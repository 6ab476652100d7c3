namespace ComputeNet.Portal.Shared;

/// <summary>The claim and region-statement PDF links (issuer's claims page, regulator's periods page). Every entry in both languages.</summary>
public sealed partial class Texts
{
    public string IssDownloadClaimPdf => L("下载结算单 PDF", "Download the claim (PDF)");
    public string RegRegionShares => L("区域分成结算单", "Region revenue shares");
    public string RegRegionPdfLabel(string period, string region) => L($"{period} 结算期 {region} 区域分成结算单 PDF", $"Revenue-share statement of {region}, period {period} (PDF)");
    public string RegNoRegionShares => L("无", "none");
}
