using UglyToad.PdfPig;

namespace ComputeNet.Documents.Tests;

/// <summary>Renders invoices and statements and reads them back with PdfPig: the figures a reader checks are there, as text.</summary>
public sealed class PdfRenderingTests
{
    private static string Text(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static void Keep(string name, byte[] pdf)
    {
        if (Environment.GetEnvironmentVariable("COMPUTENET_PDF_SAMPLES") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name), pdf);
        }
    }

    [Fact]
    public void Invoice_shows_number_lines_voucher_due_hash_and_chinese_names()
    {
        var pdf = InvoicePdf.Render(Samples.Invoice([Samples.Compute(1, 144_768, 43_430), Samples.Compute(2, 1_751_717, 456_570, "lease-000002")]));
        Keep("invoice.pdf", pdf);
        var text = Text(pdf);
        Assert.Contains("2026-12-01.sme-sh-ai", text);
        Assert.Contains("1,447.68", text);
        Assert.Contains("17,517.17", text);
        Assert.Contains("-434.30", text);
        Assert.Contains("-4,565.70", text);
        Assert.Contains("-5,000.00", text);
        Assert.Contains("13,964.85", text); // due: 1,896,485 − 500,000 fen
        Assert.Contains("81.94", text); // VAT included in 1,447.68
        Assert.Contains(new string('a', 64), text);
        Assert.Contains("上海智算科技", text);
        Assert.Contains("Shanghai AI Lab (SME)", text);
        Assert.Contains("中卫", text);
        Assert.Contains("Zhongwei", text);
        Assert.Contains("算力券", text);
        Assert.Contains("computenet verify --schema demo", text);
        Assert.Contains("Page 1 of 1", text);
    }

    [Fact]
    public void Statement_shows_gross_fee_net_lines_and_hash()
    {
        var pdf = StatementPdf.Render(Samples.Statement([Samples.Compute(1, 144_768, 43_430), Samples.Compute(2, 1_751_717, 0, "lease-000002")]));
        Keep("statement.pdf", pdf);
        var text = Text(pdf);
        Assert.Contains("2026-12-01.provider.prov-nx", text);
        Assert.Contains("中卫西部云", text);
        Assert.Contains("18,964.85", text); // gross
        Assert.Contains("-568.94", text); // fee: 4,343 + 52,551 fen
        Assert.Contains("18,395.91", text); // net
        Assert.Contains("-43.43", text); // fee of line 1
        Assert.Contains("provider/prov-nx", text);
    }

    [Fact]
    public void Lines_that_overflow_a_page_continue_on_numbered_pages_with_the_headings_repeated()
    {
        var lines = Enumerable.Range(1, 90).Select(n => Samples.Compute(n, 10_000 + n, 0, $"lease-{n:D6}")).ToList();
        var pdf = InvoicePdf.Render(Samples.Invoice(lines));
        Keep("invoice-long.pdf", pdf);
        using var doc = PdfDocument.Open(pdf);
        Assert.True(doc.NumberOfPages >= 3, $"{doc.NumberOfPages} pages");
        var pages = doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))).ToList();
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages.Count}", pages[i]);
        }
        Assert.All(pages.Take(pages.Count - 1), p => Assert.Contains("Unit price", p));
        Assert.Contains("lease-000090", string.Join(" ", pages));
        Assert.Contains(Yuan.Format(lines.Sum(l => l.AmountFen)), pages[^1] + pages[^2]);
        // The subtotal carried from page 1 is brought forward on page 2.
        var first = lines.Where(l => pages[0].Contains($" {l.LeaseId} ", StringComparison.Ordinal)).Sum(l => l.AmountFen);
        Assert.Contains($"Carried forward 转下页 {Yuan.Format(first)}", pages[0]);
        Assert.Contains($"Brought forward 承上页 {Yuan.Format(first)}", pages[1]);
    }

    [Fact]
    public void Fonts_are_embedded_as_subsets_so_a_document_stays_small()
    {
        var pdf = InvoicePdf.Render(Samples.Invoice([Samples.Compute(1, 144_768, 43_430)]));
        // The CJK font file alone is 4 MB; a subset of the glyphs used is a few tens of kB.
        Assert.True(pdf.Length < 250_000, $"{pdf.Length} bytes");
        using var doc = PdfDocument.Open(pdf);
        var fonts = doc.GetPage(1).Letters.Select(l => l.FontName ?? "").Distinct().ToList();
        Assert.Contains(fonts, f => f.Contains("Droid Sans Fallback", StringComparison.Ordinal));
        Assert.Contains(fonts, f => f.Contains("Liberation Sans", StringComparison.Ordinal));
        // Subset fonts carry a six-letter tag: ABCDEF+Name.
        Assert.All(fonts, f => Assert.Matches("^[A-Z]{6}\\+", f));
    }

    [Fact]
    public async Task Documents_render_concurrently_with_the_same_content()
    {
        // The API renders on request threads; PDFsharp's font state is process-wide.
        var invoice = Samples.Invoice([Samples.Compute(1, 144_768, 43_430), Samples.Compute(2, 1_751_717, 456_570, "lease-000002")]);
        var texts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Text(InvoicePdf.Render(invoice)), TestContext.Current.CancellationToken)));
        Assert.All(texts, t => Assert.Equal(texts[0], t));
        Assert.Contains("上海智算科技", texts[0]);
    }

    [Fact]
    public void Totals_that_differ_from_the_lines_are_refused()
    {
        var invoice = Samples.Invoice([Samples.Compute(1, 144_768, 43_430)]);
        Assert.Throws<ArgumentException>(() => InvoicePdf.Render(invoice with { DueFen = invoice.DueFen + 1 }));
    }

    [Theory]
    [InlineData(0L, "0.00")]
    [InlineData(5L, "0.05")]
    [InlineData(144_768L, "1,447.68")]
    [InlineData(-175_172L, "-1,751.72")]
    [InlineData(123_456_789_012L, "1,234,567,890.12")]
    [InlineData(long.MaxValue, "92,233,720,368,547,758.07")]
    [InlineData(long.MinValue, "-92,233,720,368,547,758.08")]
    public void Fen_are_shown_as_yuan_exactly(long fen, string expected) => Assert.Equal(expected, Yuan.Format(fen));
}
