using System.Globalization;
using ComputeNet.Documents.Layout;

namespace ComputeNet.Documents;

/// <summary>
/// A buyer's invoice for one period as PDF (A4): header, bill-to and facts, one table row per line (lease, cluster,
/// quantity, unit price, amount with the VAT it includes, voucher part, due), totals, the vouchers that paid part of
/// it, notes and the hash with how to verify it. Deterministic for the same model, except the file id PDFsharp draws.
/// </summary>
public static class InvoicePdf
{
    /// <summary>More lines than this are refused: about 40 pages, far beyond any real period.</summary>
    public const int MaxLines = 1000;

    public static byte[] Render(InvoiceModel m)
    {
        Check(m);
        var title = $"Invoice {m.Number}";
        using var c = new Canvas(title, $"ComputeNet invoice for {m.Buyer.Name.Both}, period {m.Period}", Created(m.IssuedOn),
            (canvas, first) => Blocks.Header(canvas, "INVOICE", "结算账单", m.Number, first));

        Blocks.PartyAndFacts(c, "BILL TO 付款方", m.Buyer,
        [
            ("Invoice no. 账单号", m.Number, false),
            ("Settlement period 结算期", m.Period, false),
            ("From 起", $"{m.PeriodStart} {m.TimeZone}", false),
            ("To (exclusive) 止", $"{m.PeriodEnd} {m.TimeZone}", false),
            ("Issue date 开具日期", m.IssuedOn, false),
            ("Currency 币种", "CNY (yuan), VAT included", false),
            ("Amount due 应付金额", $"CNY {Yuan.Format(m.DueFen)}", true),
        ]);

        Blocks.SectionTitle(c, $"LINES 明细  ({m.Lines.Count})");
        Blocks.Table(c,
        [
            new("#", "序号", 20, Align.Right, l => (l.LineNo.ToString(CultureInfo.InvariantCulture), null)),
            new("Lease · item", "租约 · 项目", 74, Align.Left, l => (l.LeaseId, Blocks.KindLabel(l))),
            new("Cluster", "集群", 92, Align.Left, Blocks.Cluster),
            new("Quantity", "数量", 54, Align.Right, Blocks.Quantity),
            new("Unit price", "单价", 50, Align.Right, Blocks.Price),
            new("Amount", "金额(含税)", 58, Align.Right, l => (Yuan.Format(l.AmountFen), null), l => l.AmountFen),
            new("VAT 6 %", "其中税额", 44, Align.Right, l => (Yuan.Format(l.TaxFen), null), l => l.TaxFen),
            new("Voucher", "券抵扣", 70, Align.Right, l => (l.VoucherFen == 0 ? "—" : Yuan.Format(-l.VoucherFen), l.Voucher), l => -l.VoucherFen),
            new("Due", "应付", 56, Align.Right, l => (Yuan.Format(l.DueFen), null), l => l.DueFen),
        ], m.Lines, "No lines in this period.");

        Blocks.Totals(c,
        [
            ("Total, VAT included 价税合计", Yuan.Format(m.AmountFen), false),
            ("of which VAT 6 % 其中增值税", Yuan.Format(m.TaxFen), false),
            ("Paid by vouchers 算力券/运力券抵扣", Yuan.Format(-m.VoucherFen), false),
            ("Amount due 应付金额 (CNY)", Yuan.Format(m.DueFen), true),
        ]);

        if (m.Vouchers.Count > 0)
        {
            Blocks.SectionTitle(c, "VOUCHERS 算力券 / 运力券");
            var rows = m.Vouchers.Select((v, i) => new DocumentLine(i + 1, v.Programme, v.Kind, false, v.Issuer, null, v.Issuer, null, 0, "", 0,
                v.AmountFen, 0, 0, null, 0, v.CoverageBp)).ToList();
            Blocks.Table(c,
            [
                new("Programme", "券项目", 130, Align.Left, l => (l.LeaseId, null)),
                new("Kind", "类型", 90, Align.Left, l => (l.Kind == "compute" ? "算力券 compute" : l.Kind == "transport" ? "运力券 transport" : l.Kind, null)),
                new("Issuer", "发券方", 170, Align.Left, l => (l.Cluster.Primary, l.Cluster.Secondary)),
                new("Coverage", "比例", 50, Align.Right, l => ((l.FeeFen / 100m).ToString("0.##", CultureInfo.InvariantCulture) + " %", null)),
                new("Paid on this invoice", "本单抵扣", 80, Align.Right, l => (Yuan.Format(l.AmountFen), null)),
            ], rows, "");
        }

        Blocks.Notes(c, "NOTES 说明",
        [
            "Prices include 6 % VAT (增值税); each line shows the tax it includes, round(amount × 6 / 106). Tax changes no total.",
            "A voucher (算力券 compute, 运力券 transport) is a third-party payment by its issuer, not a price cut: each line shows its full amount, " +
            "the part the voucher pays and the part due from the buyer (due = amount − voucher). A negative total is a credit owed to the buyer.",
            "An SLA credit (服务赔付) is granted when a reserved lease delivered below 99.0 % of its reserved device-seconds; the provider bears it.",
            "This is the platform's settlement invoice; it is not a VAT fapiao (增值税发票).",
        ]);
        Blocks.Verification(c, "invoice", m.Hash);
        return c.Finish($"ComputeNet  ·  Invoice {m.Number}  ·  period {m.Period}  ·  amounts in CNY yuan");
    }

    private static void Check(InvoiceModel m)
    {
        if (m.Lines.Count > MaxLines)
        {
            throw new ArgumentException($"invoice {m.Number} has {m.Lines.Count} lines; at most {MaxLines} are rendered", nameof(m));
        }
        if (m.Lines.Sum(l => l.AmountFen) != m.AmountFen || m.Lines.Sum(l => l.VoucherFen) != m.VoucherFen || m.Lines.Sum(l => l.DueFen) != m.DueFen
            || m.Lines.Sum(l => l.TaxFen) != m.TaxFen || m.AmountFen - m.VoucherFen != m.DueFen || m.Vouchers.Sum(v => v.AmountFen) != m.VoucherFen)
        {
            throw new ArgumentException($"invoice {m.Number}: totals do not equal the sums of its lines", nameof(m));
        }
    }

    internal static DateTime Created(string isoDate) =>
        DateTime.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d : new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
}
