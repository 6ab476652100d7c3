using System.Globalization;
using ComputeNet.Documents.Layout;

namespace ComputeNet.Documents;

/// <summary>
/// A credit note as PDF (A4), in the invoice's style and fonts: the buyer, the invoice line it corrects (as issued), the
/// credit with its VAT, voucher part and due (all negative), the dispute's reason, and the hash with how to verify it.
/// </summary>
public static class CreditNotePdf
{
    public static byte[] Render(CreditNoteModel m)
    {
        Check(m);
        using var c = new Canvas($"Credit note {m.Number}", $"ComputeNet credit note for {m.Buyer.Name.Both}, period {m.Period}",
            InvoicePdf.Created(m.IssuedOn), (canvas, first) => Blocks.Header(canvas, "CREDIT NOTE", "贷项通知单", m.Number, first));

        Blocks.PartyAndFacts(c, "CREDITED TO 收款方", m.Buyer,
        [
            ("Credit note no. 通知单号", m.Number, false),
            ("Dispute 争议编号", m.Dispute, false),
            ("Corrects invoice 更正账单", m.Invoice, false),
            ("Settlement period 结算期", m.Period, false),
            ("Issue date 开具日期", $"{m.IssuedOn} {m.TimeZone}", false),
            ("Currency 币种", "CNY (yuan), VAT included", false),
            ("Credited to you 冲减应付", $"CNY {Yuan.Format(m.DueFen)}", true),
        ]);

        Blocks.SectionTitle(c, "INVOICE LINE CORRECTED 被更正的账单明细");
        Blocks.Table(c,
        [
            new("#", "序号", 20, Align.Right, l => (l.LineNo.ToString(CultureInfo.InvariantCulture), null)),
            new("Lease · item", "租约 · 项目", 74, Align.Left, l => (l.LeaseId, Blocks.KindLabel(l))),
            new("Cluster", "集群", 92, Align.Left, Blocks.Cluster),
            new("Quantity", "数量", 54, Align.Right, Blocks.Quantity),
            new("Unit price", "单价", 50, Align.Right, Blocks.Price),
            new("Amount", "金额(含税)", 58, Align.Right, l => (Yuan.Format(l.AmountFen), null)),
            new("VAT 6 %", "其中税额", 44, Align.Right, l => (Yuan.Format(l.TaxFen), null)),
            new("Voucher", "券抵扣", 70, Align.Right, l => (l.VoucherFen == 0 ? "—" : Yuan.Format(-l.VoucherFen), l.Voucher)),
            new("Due", "应付", 56, Align.Right, l => (Yuan.Format(l.DueFen), null)),
        ], [m.Line], "");

        Blocks.Totals(c,
        [
            ("Credit, VAT included 冲减金额(含税)", Yuan.Format(m.AmountFen), false),
            ("of which VAT 6 % 其中增值税", Yuan.Format(m.TaxFen), false),
            ("Voucher part, returned to its issuer 券抵扣部分(退回发券方)", Yuan.Format(m.VoucherFen), false),
            ("Credited to you 冲减应付 (CNY)", Yuan.Format(m.DueFen), true),
        ]);

        Blocks.Notes(c, "DISPUTE 争议",
        [
            $"Reason given 争议理由: {m.Reason}",
            "The operator accepted this dispute; the credit is split over the line's parts by the largest-remainder rule: the voucher's part " +
            "goes back to its issuer (it owes that much less), the rest is credited to you. The earner, the platform fee and any regional " +
            "revenue shares give back their parts in proportion (market-rules §14).",
            "This credit note does not change the invoice it corrects; both stay as issued, each covered by its own hash.",
            "This is the platform's settlement credit note; it is not a red-letter VAT fapiao (红字增值税发票).",
        ]);
        Blocks.Verification(c, "credit note", m.Hash);
        return c.Finish($"ComputeNet  ·  Credit note {m.Number}  ·  period {m.Period}  ·  amounts in CNY yuan");
    }

    private static void Check(CreditNoteModel m)
    {
        if (m.AmountFen >= 0 || m.VoucherFen > 0 || m.AmountFen - m.VoucherFen != m.DueFen || m.Reason.Length > 500)
        {
            throw new ArgumentException($"credit note {m.Number}: amounts must be negative and due = amount − voucher", nameof(m));
        }
    }
}
