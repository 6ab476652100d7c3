using System.Globalization;
using ComputeNet.Documents.Layout;

namespace ComputeNet.Documents;

/// <summary>
/// A region's revenue-share statement for one period as PDF (A4), in the invoices' style and fonts: the region and the
/// statement's facts, the paired compute lines its share came from (lease, buyer, cluster, line amount, platform fee,
/// side, share), the total share, notes and the hash with how to verify it.
/// </summary>
public static class RegionStatementPdf
{
    public const int MaxLines = 5000;

    public static byte[] Render(RegionStatementModel m)
    {
        Check(m);
        using var c = new Canvas($"Region statement {m.Number}", $"ComputeNet revenue-share statement for {m.Region.Name.Both}, period {m.Period}",
            InvoicePdf.Created(m.IssuedOn), (canvas, first) => Blocks.Header(canvas, "REGION REVENUE SHARE", "区域收益分成结算单", m.Number, first));

        Blocks.PartyAndFacts(c, "PAYEE (REGION) 收款方(区域)", m.Region,
        [
            ("Statement no. 结算单号", m.Number, false),
            ("Settlement period 结算期", m.Period, false),
            ("From 起", $"{m.PeriodStart} {m.TimeZone}", false),
            ("To (exclusive) 止", $"{m.PeriodEnd} {m.TimeZone}", false),
            ("Issue date 开具日期", m.IssuedOn, false),
            ("Currency 币种", "CNY (yuan)", false),
            ("Share owed to the region 应付分成", $"CNY {Yuan.Format(m.ShareFen)}", true),
        ]);

        var shares = new Dictionary<DocumentLine, RegionShareLine>(ReferenceEqualityComparer.Instance);
        foreach (var l in m.Lines)
        {
            shares[l.Line] = l;
        }
        Blocks.SectionTitle(c, $"PAIRED LINES 结对子明细  ({m.Lines.Count})");
        Blocks.Table(c,
        [
            new("#", "序号", 20, Align.Right, l => (l.LineNo.ToString(CultureInfo.InvariantCulture), null)),
            new("Lease · item", "租约 · 项目", 78, Align.Left, l => (l.LeaseId, Blocks.KindLabel(l))),
            new("Buyer", "买方", 84, Align.Left, l => (l.Counterparty.Primary, l.Counterparty.Secondary ?? l.Counterparty.Id)),
            new("Cluster", "集群", 84, Align.Left, Blocks.Cluster),
            new("Line amount", "行金额(含税)", 62, Align.Right, l => (Yuan.Format(l.AmountFen), null)),
            new("Platform fee", "平台服务费", 56, Align.Right, l => (Yuan.Format(l.FeeFen), null)),
            new("Side", "侧", 48, Align.Left, l => shares[l].Side == "supply" ? ("supply", "供给侧") : ("demand", "需求侧")),
            new("Share", "分成", 58, Align.Right, l => (Yuan.Format(shares[l].ShareFen), null), l => shares[l].ShareFen),
        ], m.Lines.Select(l => l.Line).ToList(), "No paired lines in this period.");

        Blocks.Totals(c, [("Share owed to the region 应付分成 (CNY)", Yuan.Format(m.ShareFen), true)]);

        Blocks.Notes(c, "NOTES 说明",
        [
            "Under a pairing agreement (结对子) the platform fee of a compute line between the agreement's demand cities and its supply hub " +
            "is split between the platform, the demand region and the supply region by the agreement's weights (largest remainder, to the fen).",
            "The share accrues on the region's ledger account (region:…) at the period's close; payouts to the region are cash transactions on the ledger.",
            "Each line is an invoice line of the period, covered by its invoice's own hash; this statement's hash covers its total and its chain link.",
        ]);
        Blocks.Verification(c, "region statement", m.Hash);
        return c.Finish($"ComputeNet  ·  Region statement {m.Number}  ·  period {m.Period}  ·  amounts in CNY yuan");
    }

    private static void Check(RegionStatementModel m)
    {
        if (m.Lines.Count > MaxLines)
        {
            throw new ArgumentException($"region statement {m.Number} has {m.Lines.Count} lines; at most {MaxLines} are rendered", nameof(m));
        }
        if (m.Lines.Sum(l => l.ShareFen) != m.ShareFen)
        {
            throw new ArgumentException($"region statement {m.Number}: the share does not equal the sum of its lines", nameof(m));
        }
    }
}
