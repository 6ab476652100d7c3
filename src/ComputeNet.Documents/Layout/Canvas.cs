using System.Globalization;
using System.Text;
using ComputeNet.Documents.Fonts;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace ComputeNet.Documents.Layout;

internal enum Align
{
    Left,
    Right,
    Center,
}

/// <summary>
/// An A4 document written top to bottom: pages with a running header and a footer carrying "page n of N", and text in
/// mixed scripts. PDFsharp draws a string in one font and does not fall back per glyph, so every string is cut into
/// runs: characters the Latin font has are drawn with it, everything else with the CJK font, on one baseline.
/// Units are PDF points (1/72 inch); y grows downwards.
/// </summary>
internal sealed class Canvas : IDisposable
{
    public const double PageWidth = 595.28;
    public const double PageHeight = 841.89;
    public const double Left = 40;
    public const double Right = PageWidth - 40;
    public const double Top = 36;
    public const double Bottom = PageHeight - 48;
    public const double Width = Right - Left;

    public static readonly XColor Ink = XColor.FromArgb(0x1F, 0x29, 0x33);
    public static readonly XColor Muted = XColor.FromArgb(0x5F, 0x6B, 0x7A);
    public static readonly XColor Accent = XColor.FromArgb(0x0B, 0x4F, 0x8A);
    public static readonly XColor Rule = XColor.FromArgb(0xC9, 0xD1, 0xDA);
    public static readonly XColor Shade = XColor.FromArgb(0xEE, 0xF2, 0xF6);

    private readonly PdfDocument _document = new();
    private readonly Dictionary<(string Family, double Size, bool Bold), XFont> _fonts = new();
    private readonly Action<Canvas, bool> _header;
    private readonly List<XGraphics> _pages = [];
    private XFont? _probe;

    /// <param name="header">Draws the running header of a page (true: the first page) and leaves <see cref="Y"/> below it.</param>
    public Canvas(string title, string subject, DateTime created, Action<Canvas, bool> header)
    {
        DocumentFonts.EnsureInstalled();
        _header = header;
        _document.Info.Title = title;
        _document.Info.Subject = subject;
        _document.Info.Author = "ComputeNet";
        _document.Info.Creator = "ComputeNet";
        _document.Info.CreationDate = created;
        _document.Info.ModificationDate = created;
        NewPage();
    }

    public double Y { get; set; }

    public XGraphics G => _pages[^1];

    public int PageCount => _pages.Count;

    public void NewPage()
    {
        var page = _document.AddPage();
        page.Size = PageSize.A4;
        _pages.Add(XGraphics.FromPdfPage(page));
        Y = Top;
        _header(this, _pages.Count == 1);
    }

    /// <summary>Starts a new page unless <paramref name="height"/> points still fit above the footer; true when it did.</summary>
    public bool Ensure(double height)
    {
        if (Y + height <= Bottom)
        {
            return false;
        }
        NewPage();
        return true;
    }

    public XFont Font(double size, bool bold = false, string family = DocumentFonts.Latin)
    {
        if (!_fonts.TryGetValue((family, size, bold), out var font))
        {
            font = new XFont(family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular,
                new XPdfFontOptions(PdfFontEncoding.Unicode, PdfFontEmbedding.TryComputeSubset));
            _fonts[(family, size, bold)] = font;
        }
        return font;
    }

    private bool LatinHas(int codePoint)
    {
        _probe ??= Font(10);
        return codePoint is ' ' or '\u00A0' || GlyphHelper.GlyphIndexFromCodePoint(codePoint, _probe) != 0;
    }

    /// <summary>The string cut into runs of one font each.</summary>
    private List<(string Text, XFont Font)> Runs(string text, double size, bool bold)
    {
        var runs = new List<(string, XFont)>();
        var current = new StringBuilder();
        bool? latin = null;
        foreach (var rune in text.EnumerateRunes())
        {
            var isLatin = LatinHas(rune.Value);
            if (latin is { } l && l != isLatin)
            {
                runs.Add((current.ToString(), Font(size, bold, l ? DocumentFonts.Latin : DocumentFonts.Cjk)));
                current.Clear();
            }
            latin = isLatin;
            current.Append(rune.ToString());
        }
        if (latin is { } last)
        {
            runs.Add((current.ToString(), Font(size, bold, last ? DocumentFonts.Latin : DocumentFonts.Cjk)));
        }
        return runs;
    }

    public double Measure(string text, double size, bool bold = false) =>
        Runs(text, size, bold).Sum(r => G.MeasureString(r.Text, r.Font).Width);

    /// <summary>The text shortened with "…" until it fits <paramref name="width"/>.</summary>
    public string Fit(string text, double width, double size, bool bold = false)
    {
        if (Measure(text, size, bold) <= width)
        {
            return text;
        }
        var info = new StringInfo(text);
        for (var n = info.LengthInTextElements - 1; n > 0; n--)
        {
            var shorter = info.SubstringByTextElements(0, n).TrimEnd() + "…";
            if (Measure(shorter, size, bold) <= width)
            {
                return shorter;
            }
        }
        return "…";
    }

    /// <summary>Draws text with its baseline at <paramref name="baseline"/>; x is the left edge, right edge or centre by <paramref name="align"/>. Returns the width drawn.</summary>
    public double Text(string text, double x, double baseline, double size, bool bold = false, XColor? color = null, Align align = Align.Left)
    {
        var runs = Runs(text, size, bold);
        var width = runs.Sum(r => G.MeasureString(r.Text, r.Font).Width);
        var start = align switch
        {
            Align.Right => x - width,
            Align.Center => x - width / 2,
            _ => x,
        };
        var brush = new XSolidBrush(color ?? Ink);
        foreach (var (run, font) in runs)
        {
            G.DrawString(run, font, brush, start, baseline, XStringFormats.BaseLineLeft);
            start += G.MeasureString(run, font).Width;
        }
        return width;
    }

    /// <summary>Wraps text at spaces (and between CJK characters) into lines no wider than <paramref name="width"/>.</summary>
    public IReadOnlyList<string> Wrap(string text, double width, double size, bool bold = false)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in Words(text))
        {
            var candidate = line + word;
            if (line.Length > 0 && Measure(candidate.TrimEnd(), size, bold) > width)
            {
                lines.Add(line.TrimEnd());
                line = word.TrimStart();
            }
            else
            {
                line = candidate;
            }
        }
        if (line.Trim().Length > 0)
        {
            lines.Add(line.TrimEnd());
        }
        return lines;
    }

    /// <summary>Break opportunities: after a space, and after each CJK character.</summary>
    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            word.Append(rune.ToString());
            if (rune.Value == ' ' || rune.Value >= 0x2E80)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    public void Line(double x1, double y1, double x2, double y2, XColor color, double width = 0.5) =>
        G.DrawLine(new XPen(color, width), x1, y1, x2, y2);

    public void Fill(double x, double y, double width, double height, XColor color) =>
        G.DrawRectangle(new XSolidBrush(color), x, y, width, height);

    public void Box(double x, double y, double width, double height, XColor color, double lineWidth = 0.6) =>
        G.DrawRectangle(new XPen(color, lineWidth), x, y, width, height);

    /// <summary>Draws every page's footer (which needs the page count), then returns the document as PDF bytes.</summary>
    public byte[] Finish(string footer)
    {
        for (var i = 0; i < _pages.Count; i++)
        {
            var g = _pages[i];
            var font = Font(7);
            var brush = new XSolidBrush(Muted);
            g.DrawLine(new XPen(Rule, 0.5), Left, Bottom + 14, Right, Bottom + 14);
            // The footer is Latin only, so one font suffices.
            g.DrawString(footer, font, brush, Left, Bottom + 26, XStringFormats.BaseLineLeft);
            g.DrawString($"Page {i + 1} of {_pages.Count}", font, brush, Right, Bottom + 26, XStringFormats.BaseLineRight);
        }
        foreach (var g in _pages)
        {
            g.Dispose();
        }
        _pages.Clear();
        using var stream = new MemoryStream();
        _document.Save(stream, false);
        return stream.ToArray();
    }

    public void Dispose()
    {
        foreach (var g in _pages)
        {
            g.Dispose();
        }
        _document.Dispose();
    }
}
