using System.Globalization;
using ComputeNet.Documents.Layout;

namespace ComputeNet.Documents;

/// <summary>
/// A provider's or carrier's statement for one period as PDF (A4): the lines it earned on (lease, buyer, cluster,
/// quantity, unit price, amount, platform fee, net), gross, fee and net owed, and the hash with how to verify it.
/// </summary>
public static class StatementPdf
{
    public const int MaxLines = 5000;

    public static byte[] Render(StatementModel m)
    {
        Check(m);
        var (title, titleZh) = m.Role == "carrier" ? ("CARRIER STATEMENT", "运力结算单") : ("PROVIDER STATEMENT", "算力结算单");
        using var c = new Canvas($"Statement {m.Number}", $"ComputeNet {m.Role} statement for {m.Party.Name.Both}, period {m.Period}",
            InvoicePdf.Created(m.IssuedOn), (canvas, first) => Blocks.Header(canvas, title, titleZh, m.Number, first));

        Blocks.PartyAndFacts(c, m.Role == "carrier" ? "PAYEE (CARRIER) 收款方" : "PAYEE (PROVIDER) 收款方", m.Party,
        [
            ("Statement no. 结算单号", m.Number, false),
            ("Settlement period 结算期", m.Period, false),
            ("From 起", $"{m.PeriodStart} {m.TimeZone}", false),
            ("To (exclusive) 止", $"{m.PeriodEnd} {m.TimeZone}", false),
            ("Issue date 开具日期", m.IssuedOn, false),
            ("Currency 币种", "CNY (yuan), VAT included", false),
            ("Net owed to you 应付净额", $"CNY {Yuan.Format(m.NetFen)}", true),
        ]);

        Blocks.SectionTitle(c, $"LINES EARNED 收入明细  ({m.Lines.Count})");
        Blocks.Table(c,
        [
            new("#", "序号", 20, Align.Right, l => (l.LineNo.ToString(CultureInfo.InvariantCulture), null)),
            new("Lease · item", "租约 · 项目", 78, Align.Left, l => (l.LeaseId, Blocks.KindLabel(l))),
            new("Buyer", "买方", 88, Align.Left, l => (l.Counterparty.Primary, l.Counterparty.Secondary ?? l.Counterparty.Id)),
            new("Cluster", "集群", 78, Align.Left, Blocks.Cluster),
            new("Quantity", "数量", 56, Align.Right, Blocks.Quantity),
            new("Unit price", "单价", 54, Align.Right, Blocks.Price),
            new("Amount", "金额(含税)", 58, Align.Right, l => (Yuan.Format(l.AmountFen), $"VAT {Yuan.Format(l.TaxFen)}"), l => l.AmountFen),
            new("Platform fee", "平台服务费", 52, Align.Right, l => (l.FeeFen == 0 ? "—" : Yuan.Format(-l.FeeFen), null), l => -l.FeeFen),
            new("Net", "净额", 58, Align.Right, l => (Yuan.Format(l.AmountFen - l.FeeFen), null), l => l.AmountFen - l.FeeFen),
        ], m.Lines, "No lines in this period.");

        Blocks.Totals(c,
        [
            ("Gross earned, VAT included 收入合计", Yuan.Format(m.GrossFen), false),
            ("of which VAT 6 % 其中增值税", Yuan.Format(m.Lines.Sum(l => l.TaxFen)), false),
            ("Platform fee 平台服务费", Yuan.Format(-m.FeeFen), false),
            ("Net owed to you 应付净额 (CNY)", Yuan.Format(m.NetFen), true),
        ]);

        Blocks.Notes(c, "NOTES 说明",
        [
            "Gross is the sum of the invoice lines you earned on in this period, at the buyers' prices, VAT included. The platform fee is deducted " +
            "from what you are owed; vouchers paid by issuers do not reduce what you are owed.",
            "An SLA credit (服务赔付) of an under-delivered reserved lease is borne by its provider whole and carries no fee.",
            "Payouts are recorded as cash transactions against your account and shown on the ledger.",
            "The hash below covers this statement's totals (gross, fee, net) and its chain link; the lines shown come from the period's " +
            "invoices, each covered by its own invoice hash.",
        ]);
        Blocks.Verification(c, "statement", m.Hash);
        return c.Finish($"ComputeNet  ·  Statement {m.Number}  ·  period {m.Period}  ·  amounts in CNY yuan");
    }

    private static void Check(StatementModel m)
    {
        if (m.Lines.Count > MaxLines)
        {
            throw new ArgumentException($"statement {m.Number} has {m.Lines.Count} lines; at most {MaxLines} are rendered", nameof(m));
        }
        if (m.Lines.Sum(l => l.AmountFen) != m.GrossFen || m.Lines.Sum(l => l.FeeFen) != m.FeeFen || m.GrossFen - m.FeeFen != m.NetFen)
        {
            throw new ArgumentException($"statement {m.Number}: totals do not equal the sums of its lines", nameof(m));
        }
    }
}
