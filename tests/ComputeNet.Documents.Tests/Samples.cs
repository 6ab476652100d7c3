namespace ComputeNet.Documents.Tests;

/// <summary>Models shaped like the demo's (market-rules §13 figures for the first line).</summary>
internal static class Samples
{
    public static readonly BilingualName Zhongwei = new("zhongwei", "中卫", "Zhongwei");
    public static readonly BilingualName Ningxia = new("ningxia", "宁夏", "Ningxia");
    public static readonly BilingualName Buyer = new("sme-sh-ai", "上海智算科技", "Shanghai AI Lab (SME)");
    public static readonly BilingualName Provider = new("prov-nx", "中卫西部云", "Zhongwei West Cloud");
    public static readonly BilingualName Issuer = new("sh-gov", "上海市经信委", "Shanghai Economy and IT Commission");
    public static readonly HashBlock Hash = new(new string('a', 64), new string('0', 64), "invoice/sme-sh-ai", "demo");

    public static DocumentLine Compute(int no, long amount, long voucher, string lease = "lease-000001") =>
        new(no, lease, "compute", false, Zhongwei, Ningxia, Provider, "ai-fp16-80g", 24.96m, "SCU-h", 58.00m, amount, Vat(amount), voucher,
            voucher == 0 ? null : "sh-compute-2026", amount - voucher, amount * 300 / 10000);

    public static long Vat(long amount) => (long)Math.Round(amount * 6m / 106m, MidpointRounding.ToEven);

    public static InvoiceModel Invoice(IReadOnlyList<DocumentLine> lines)
    {
        var voucher = lines.Sum(l => l.VoucherFen);
        return new InvoiceModel("2026-12-01.sme-sh-ai", "2026-12-01", "2026-12-01 00:00", "2026-12-02 00:00", "Asia/Shanghai", "2026-12-02",
            new PartyBlock(Buyer, ["buyer"], new BilingualName("shanghai", "上海", "Shanghai"), true), lines,
            lines.Sum(l => l.AmountFen), lines.Sum(l => l.TaxFen), voucher, lines.Sum(l => l.DueFen),
            voucher == 0 ? [] : [new VoucherPart("sh-compute-2026", "compute", Issuer, 3000, voucher)], Hash);
    }

    public static StatementModel Statement(IReadOnlyList<DocumentLine> lines) =>
        new("2026-12-01.provider.prov-nx", "2026-12-01", "2026-12-01 00:00", "2026-12-02 00:00", "Asia/Shanghai", "2026-12-02",
            new PartyBlock(Provider, ["provider"], null, false), "provider", lines.Select(l => l with { Counterparty = Buyer }).ToList(),
            lines.Sum(l => l.AmountFen), lines.Sum(l => l.FeeFen), lines.Sum(l => l.AmountFen - l.FeeFen), Hash with { ChainKey = "provider/prov-nx" });
}
