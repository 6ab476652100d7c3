namespace ComputeNet.Documents.Layout;

/// <summary>
/// A table column: English and Chinese heading, width in points, alignment, and the cell's two text lines. A column
/// with <see cref="Fen"/> is summed, and its running subtotal is carried from page to page.
/// </summary>
internal sealed record Column(string Heading, string HeadingZh, double Width, Align Align, Func<DocumentLine, (string Main, string? Sub)> Cell,
    Func<DocumentLine, long>? Fen = null);

/// <summary>The pieces invoices and statements share: header, party and facts blocks, the line table, totals, the hash.</summary>
internal static class Blocks
{
    public const string Platform = "ComputeNet";
    public const string PlatformZh = "全国一体化算力网 · 算力交易结算平台";
    public const string PlatformEn = "Compute trading and settlement marketplace";

    private const double RowHeight = 22;
    private const double HeadingHeight = 22;
    private const double SubtotalHeight = 16;

    public static void Header(Canvas c, string title, string titleZh, string number, bool first)
    {
        var y = c.Y;
        c.Fill(Canvas.Left, y, Canvas.Width, 3, Canvas.Accent);
        y += 22;
        c.Text(Platform, Canvas.Left, y, 17, bold: true, color: Canvas.Accent);
        c.Text($"{titleZh}  {title}", Canvas.Right, y, 14, bold: true, align: Align.Right);
        y += 12;
        c.Text(PlatformZh, Canvas.Left, y, 7.5, color: Canvas.Muted);
        c.Text($"No. {number}{(first ? "" : "  (continued 续)")}", Canvas.Right, y, 8, color: Canvas.Muted, align: Align.Right);
        y += 9;
        c.Text(PlatformEn, Canvas.Left, y, 7.5, color: Canvas.Muted);
        y += 8;
        c.Line(Canvas.Left, y, Canvas.Right, y, Canvas.Rule, 0.8);
        c.Y = y + 14;
    }

    /// <summary>The addressee on the left, the document's facts on the right; leaves Y below the taller of the two.</summary>
    public static void PartyAndFacts(Canvas c, string partyHeading, PartyBlock party, IReadOnlyList<(string Label, string Value, bool Strong)> facts)
    {
        var top = c.Y;
        var y = top;
        c.Text(partyHeading, Canvas.Left, y, 7, bold: true, color: Canvas.Muted);
        y += 15;
        c.Text(c.Fit(party.Name.Primary, 250, 12, bold: true), Canvas.Left, y, 12, bold: true);
        if (party.Name.Secondary is { } second)
        {
            y += 13;
            c.Text(c.Fit(second, 250, 9.5), Canvas.Left, y, 9.5);
        }
        y += 13;
        c.Text($"Party ID 参与方编号: {party.Name.Id}", Canvas.Left, y, 8, color: Canvas.Muted);
        y += 11;
        c.Text($"Role 角色: {string.Join(", ", party.Roles)}", Canvas.Left, y, 8, color: Canvas.Muted);
        if (party.City is { } city)
        {
            y += 11;
            c.Text($"City 城市: {city.Both}{(party.Sme ? "  ·  SME 中小企业" : "")}", Canvas.Left, y, 8, color: Canvas.Muted);
        }

        const double labelX = 318;
        var fy = top;
        c.Text("DOCUMENT 单据信息", labelX, fy, 7, bold: true, color: Canvas.Muted);
        fy += 4;
        foreach (var (label, value, strong) in facts)
        {
            fy += 13;
            if (strong)
            {
                c.Fill(labelX - 4, fy - 9.5, Canvas.Right - labelX + 4, 13.5, Canvas.Shade);
            }
            c.Text(label, labelX, fy, 8, bold: strong, color: strong ? Canvas.Ink : Canvas.Muted);
            c.Text(value, Canvas.Right - 2, fy, strong ? 9 : 8, bold: strong, align: Align.Right);
        }
        c.Y = Math.Max(y, fy) + 20;
    }

    public static void SectionTitle(Canvas c, string title)
    {
        c.Ensure(40);
        c.Text(title, Canvas.Left, c.Y, 8, bold: true, color: Canvas.Accent);
        c.Y += 6;
    }

    /// <summary>
    /// The line table, continued across pages: a page that the table leaves ends with the subtotals carried forward,
    /// and the next repeats the column headings and brings them forward. Numbers are right-aligned so that decimal
    /// points line up (all amounts have two decimals).
    /// </summary>
    public static void Table(Canvas c, IReadOnlyList<Column> columns, IReadOnlyList<DocumentLine> lines, string emptyText)
    {
        var scale = Canvas.Width / columns.Sum(col => col.Width);
        var widths = columns.Select(col => col.Width * scale).ToArray();

        void Headings()
        {
            var top = c.Y;
            c.Fill(Canvas.Left, top, Canvas.Width, HeadingHeight, Canvas.Shade);
            var x = Canvas.Left;
            for (var i = 0; i < columns.Count; i++)
            {
                var (cx, align) = Anchor(x, widths[i], columns[i].Align);
                c.Text(columns[i].Heading, cx, top + 9, 7, bold: true, align: align);
                c.Text(columns[i].HeadingZh, cx, top + 18, 6.5, color: Canvas.Muted, align: align);
                x += widths[i];
            }
            c.Line(Canvas.Left, top + HeadingHeight, Canvas.Right, top + HeadingHeight, Canvas.Muted, 0.6);
            c.Y = top + HeadingHeight;
        }

        c.Ensure(HeadingHeight + RowHeight);
        Headings();
        if (lines.Count == 0)
        {
            c.Text(emptyText, Canvas.Left + 4, c.Y + 14, 8, color: Canvas.Muted);
            c.Y += RowHeight;
        }
        var sums = new long[columns.Count];
        var carries = columns.Any(col => col.Fen is not null);

        void Subtotal(string label)
        {
            var top = c.Y;
            c.Fill(Canvas.Left, top, Canvas.Width, SubtotalHeight, Canvas.Shade);
            c.Text(label, Canvas.Left + 3, top + 11, 7, bold: true, color: Canvas.Muted);
            var x = Canvas.Left;
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i].Fen is not null)
                {
                    c.Text(Yuan.Format(sums[i]), x + widths[i] - 3, top + 11, 7.5, bold: true, align: Align.Right);
                }
                x += widths[i];
            }
            c.Y = top + SubtotalHeight;
        }

        for (var n = 0; n < lines.Count; n++)
        {
            var line = lines[n];
            // Room for this row, and for the carried-forward row unless this is the last line.
            var reserve = carries && n < lines.Count - 1 ? SubtotalHeight : 0;
            if (c.Y + RowHeight + reserve > Canvas.Bottom)
            {
                if (carries)
                {
                    Subtotal("Carried forward 转下页");
                }
                c.NewPage();
                Headings();
                if (carries)
                {
                    Subtotal("Brought forward 承上页");
                }
            }
            var top = c.Y;
            var x = Canvas.Left;
            for (var i = 0; i < columns.Count; i++)
            {
                var (main, sub) = columns[i].Cell(line);
                var (cx, align) = Anchor(x, widths[i], columns[i].Align);
                var room = widths[i] - 6;
                c.Text(c.Fit(main, room, 8), cx, top + 9.5, 8, align: align);
                if (sub is not null)
                {
                    c.Text(c.Fit(sub, room, 6.5), cx, top + 18, 6.5, color: Canvas.Muted, align: align);
                }
                x += widths[i];
                sums[i] += columns[i].Fen?.Invoke(line) ?? 0;
            }
            c.Y = top + RowHeight;
            c.Line(Canvas.Left, c.Y, Canvas.Right, c.Y, Canvas.Rule, 0.4);
        }
        c.Y += 12;
    }

    private static (double X, Align Align) Anchor(double x, double width, Align align) => align switch
    {
        Align.Right => (x + width - 3, Align.Right),
        Align.Center => (x + width / 2, Align.Center),
        _ => (x + 3, Align.Left),
    };

    /// <summary>Label–amount rows right-aligned under the table; the last strong row boxed.</summary>
    public static void Totals(Canvas c, IReadOnlyList<(string Label, string Amount, bool Strong)> rows)
    {
        c.Ensure(rows.Count * 15 + 16);
        const double labelX = 300;
        foreach (var (label, amount, strong) in rows)
        {
            c.Y += 14;
            if (strong)
            {
                c.Fill(labelX - 6, c.Y - 10.5, Canvas.Right - labelX + 6, 15, Canvas.Shade);
                c.Line(labelX - 6, c.Y - 10.5, Canvas.Right, c.Y - 10.5, Canvas.Ink, 0.8);
            }
            c.Text(label, labelX, c.Y, strong ? 9 : 8, bold: strong, color: strong ? Canvas.Ink : Canvas.Muted);
            c.Text(amount, Canvas.Right - 3, c.Y, strong ? 10 : 8.5, bold: strong, align: Align.Right);
        }
        c.Y += 20;
    }

    /// <summary>Paragraphs of small print, wrapped to the page width.</summary>
    public static void Notes(Canvas c, string title, IReadOnlyList<string> paragraphs)
    {
        var wrapped = paragraphs.Select(p => c.Wrap(p, Canvas.Width - 8, 7)).ToList();
        c.Ensure(14 + wrapped.Sum(w => w.Count * 9.5 + 2));
        c.Text(title, Canvas.Left, c.Y, 8, bold: true, color: Canvas.Accent);
        c.Y += 4;
        foreach (var lines in wrapped)
        {
            foreach (var line in lines)
            {
                c.Y += 9.5;
                c.Text(line, Canvas.Left + 4, c.Y, 7, color: Canvas.Muted);
            }
            c.Y += 2;
        }
        c.Y += 12;
    }

    /// <summary>The document's hash, the previous one in its chain, and how anyone can check them.</summary>
    public static void Verification(Canvas c, string documentKind, HashBlock hash)
    {
        var how = new[]
        {
            $"The hash is the SHA-256 of the RFC 8785 canonical JSON of this {documentKind} as issued (its figures, ids and the previous hash; not its own hash). " +
            $"Each {documentKind} is chained to the previous one of chain \"{hash.ChainKey}\"; the first of a chain names 64 zeros.",
            $"Verify: computenet verify --schema {hash.Schema}   or   GET /v1/verify (regulator or operator key). " +
            "Both recompute every hash, chain link and period Merkle root from stored history and name any mismatch. " +
            "Regulators compare the chain heads with the platform's signed checkpoints.",
        };
        var wrapped = how.Select(p => c.Wrap(p, Canvas.Width - 16, 7)).ToList();
        var height = 50 + wrapped.Sum(w => w.Count * 9.5 + 2) + 8;
        c.Ensure(height + 8);
        var top = c.Y;
        c.Box(Canvas.Left, top, Canvas.Width, height, Canvas.Rule);
        var y = top + 13;
        c.Text("VERIFICATION 防篡改校验", Canvas.Left + 8, y, 8, bold: true, color: Canvas.Accent);
        y += 14;
        c.Text("SHA-256 哈希", Canvas.Left + 8, y, 7.5, color: Canvas.Muted);
        c.Text(hash.Hash, Canvas.Left + 92, y, 8, bold: true);
        y += 12;
        c.Text("Previous 前一哈希", Canvas.Left + 8, y, 7.5, color: Canvas.Muted);
        c.Text(hash.PreviousHash, Canvas.Left + 92, y, 8);
        y += 4;
        foreach (var lines in wrapped)
        {
            foreach (var line in lines)
            {
                y += 9.5;
                c.Text(line, Canvas.Left + 8, y, 7, color: Canvas.Muted);
            }
            y += 2;
        }
        c.Y = top + height + 14;
    }

    public static string KindLabel(DocumentLine l) => (l.Kind, l.Late) switch
    {
        ("compute", false) => "Compute 算力",
        ("compute", true) => "Compute, late 算力(补计)",
        ("transport", false) => "Transport 运力",
        ("transport", true) => "Transport, late 运力(补计)",
        ("sla-credit", _) => "SLA credit 服务赔付",
        _ => l.Kind + (l.Late ? ", late" : ""),
    };

    public static (string, string?) Quantity(DocumentLine l) =>
        l.Kind == "sla-credit" ? ("—", null) : (Yuan.Number(l.Quantity, 2, 6), ShortUnit(l.Unit));

    public static (string, string?) Price(DocumentLine l) =>
        l.Kind == "sla-credit" ? ("—", null) : (Yuan.Number(l.UnitPriceYuan, 2, 6), $"yuan/{ShortUnit(l.Unit)}");

    private static string ShortUnit(string unit) => unit == "SCU-hour" ? "SCU-h" : unit;

    public static (string, string?) Cluster(DocumentLine l) =>
        (l.Cluster.Both, l.Hub is { } hub ? $"hub 枢纽 {hub.Both}" : null);
}
