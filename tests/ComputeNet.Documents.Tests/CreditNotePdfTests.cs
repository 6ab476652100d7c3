using UglyToad.PdfPig;

namespace ComputeNet.Documents.Tests;

/// <summary>The credit note PDF (market-rules §14): negative amounts, the invoice line it corrects, the dispute's reason, the hash; the invoices' fonts.</summary>
public sealed class CreditNotePdfTests
{
    private static CreditNoteModel Note(long x = 36_192, long v = 10_857, string reason = "8 GPU 小时重复计费 (usage counted twice)") =>
        new("cn-d1", "d1", "2026-12-01.sme-sh-ai", "2026-12-01", "Asia/Shanghai", "2026-12-03",
            new PartyBlock(Samples.Buyer, ["buyer"], new BilingualName("shanghai", "上海", "Shanghai"), true), Samples.Compute(1, 144_768, 43_430),
            -x, -(long)Math.Round(x * 6m / 106m, MidpointRounding.AwayFromZero), -v, -(x - v), reason,
            Samples.Hash with { ChainKey = "credit-note/sme-sh-ai" });

    [Fact]
    public void Reads_back_with_negative_amounts_the_corrected_line_and_the_reason()
    {
        var pdf = CreditNotePdf.Render(Note());
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        using var doc = PdfDocument.Open(pdf);
        var text = string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        Assert.Contains("CREDIT NOTE", text);
        Assert.Contains("cn-d1", text);
        Assert.Contains("2026-12-01.sme-sh-ai", text); // the invoice it corrects
        Assert.Contains("1,447.68", text); // the line as issued
        Assert.Contains("-361.92", text); // −x
        Assert.Contains("-20.49", text); // its VAT
        Assert.Contains("-108.57", text); // the voucher's part
        Assert.Contains("-253.35", text); // credited to the buyer
        Assert.Contains("usage counted twice", text);
        Assert.Contains("重复计费", text);
        Assert.Contains("credit-note/sme-sh-ai", text);
        Assert.Contains(new string('a', 64), text);
        var fonts = doc.GetPage(1).Letters.Select(l => l.FontName ?? "").Distinct().ToList();
        Assert.Contains(fonts, f => f.Contains("Droid Sans Fallback", StringComparison.Ordinal));
        Assert.Contains(fonts, f => f.Contains("Liberation Sans", StringComparison.Ordinal));
    }

    [Fact]
    public void A_note_whose_figures_do_not_add_up_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CreditNotePdf.Render(Note() with { DueFen = -1 }));
        Assert.Throws<ArgumentException>(() => CreditNotePdf.Render(Note() with { AmountFen = 5, VoucherFen = 0, DueFen = 5 }));
    }
}
