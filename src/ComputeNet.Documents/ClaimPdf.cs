using System.Globalization;
using ComputeNet.Documents.Layout;

namespace ComputeNet.Documents;

/// <summary>
/// An issuer's claim for one period as PDF (A4), in the invoices' style and fonts: the issuer and the claim's facts, one
/// table per voucher programme with the lines its vouchers paid part of (lease, buyer, cluster, line amount, voucher,
/// redeemed), totals (redeemed = owed to the platform; lapsed, owed by no one), notes and the hash with how to verify it.
/// </summary>
public static class ClaimPdf
{
    /// <summary>More lines than this are refused, as for a statement.</summary>
    public const int MaxLines = 5000;

    public static byte[] Render(ClaimModel m)
    {
        Check(m);
        using var c = new Canvas($"Claim {m.Number}", $"ComputeNet issuer claim for {m.Issuer.Name.Both}, period {m.Period}",
            InvoicePdf.Created(m.IssuedOn), (canvas, first) => Blocks.Header(canvas, "ISSUER CLAIM", "发券方结算单", m.Number, first));

        Blocks.PartyAndFacts(c, "ISSUER (PAYER) 发券方(付款方)", m.Issuer,
        [
            ("Claim no. 结算单号", m.Number, false),
            ("Settlement period 结算期", m.Period, false),
            ("From 起", $"{m.PeriodStart} {m.TimeZone}", false),
            ("To (exclusive) 止", $"{m.PeriodEnd} {m.TimeZone}", false),
            ("Issue date 开具日期", m.IssuedOn, false),
            ("Currency 币种", "CNY (yuan), VAT included", false),
            ("Owed to the platform 应付平台", $"CNY {Yuan.Format(m.RedeemedFen)}", true),
        ]);

        foreach (var p in m.Programmes)
        {
            var kind = p.Kind == "compute" ? "算力券 compute" : p.Kind == "transport" ? "运力券 transport" : p.Kind;
            var coverage = (p.CoverageBp / 100m).ToString("0.##", CultureInfo.InvariantCulture);
            Blocks.SectionTitle(c, $"PROGRAMME 券项目 {p.Programme}  ·  {kind}  ·  coverage 比例 {coverage} %  ·  lines redeemed 抵扣明细 ({p.Lines.Count})");
            Blocks.Table(c,
            [
                new("#", "序号", 20, Align.Right, l => (l.LineNo.ToString(CultureInfo.InvariantCulture), null)),
                new("Lease · item", "租约 · 项目", 78, Align.Left, l => (l.LeaseId, Blocks.KindLabel(l))),
                new("Buyer", "买方", 88, Align.Left, l => (l.Counterparty.Primary, l.Counterparty.Secondary ?? l.Counterparty.Id)),
                new("Cluster", "集群", 78, Align.Left, Blocks.Cluster),
                new("Quantity", "数量", 56, Align.Right, Blocks.Quantity),
                new("Line amount", "行金额(含税)", 60, Align.Right, l => (Yuan.Format(l.AmountFen), null), l => l.AmountFen),
                new("Voucher", "券编号", 70, Align.Left, l => (l.Voucher ?? "—", null)),
                new("Redeemed", "抵扣金额", 60, Align.Right, l => (Yuan.Format(l.VoucherFen), null), l => l.VoucherFen),
            ], p.Lines, "No lines redeemed.");
            Blocks.Totals(c, [($"Programme {p.Programme} 项目小计", Yuan.Format(p.RedeemedFen), false)]);
        }
        if (m.Programmes.Count == 0)
        {
            Blocks.Notes(c, "PROGRAMMES 券项目", ["No voucher of this issuer was redeemed in this period."]);
        }

        Blocks.Totals(c,
        [
            ("Redeemed, VAT included 抵扣合计", Yuan.Format(m.RedeemedFen), false),
            ("Lapsed (not owed) 过期未用(不计)", Yuan.Format(m.LapsedFen), false),
            ("Owed to the platform 应付平台 (CNY)", Yuan.Format(m.RedeemedFen), true),
        ]);

        Blocks.Notes(c, "NOTES 说明",
        [
            "A voucher is a third-party payment: for each line it covered, the voucher paid its share of the line's amount " +
            "(min(coverage × amount, the voucher's balance)), and the buyer owed the rest. The issuer owes the platform the sum redeemed.",
            "Lapsed is the balance of this issuer's vouchers that expired in the period unused: it is owed by no one and only reported.",
            "Each line is an invoice line of the period, covered by its invoice's own hash; the claim's hash covers its totals per programme.",
        ]);
        Blocks.Verification(c, "claim", m.Hash);
        return c.Finish($"ComputeNet  ·  Claim {m.Number}  ·  period {m.Period}  ·  amounts in CNY yuan");
    }

    private static void Check(ClaimModel m)
    {
        var lines = m.Programmes.Sum(p => p.Lines.Count);
        if (lines > MaxLines)
        {
            throw new ArgumentException($"claim {m.Number} has {lines} lines; at most {MaxLines} are rendered", nameof(m));
        }
        if (m.Programmes.Any(p => p.Lines.Sum(l => l.VoucherFen) != p.RedeemedFen) || m.Programmes.Sum(p => p.RedeemedFen) != m.RedeemedFen)
        {
            throw new ArgumentException($"claim {m.Number}: totals do not equal the sums of its programmes and lines", nameof(m));
        }
    }
}
