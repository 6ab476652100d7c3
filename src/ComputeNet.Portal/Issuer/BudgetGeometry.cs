using System.Globalization;

namespace ComputeNet.Portal.Issuer;

/// <summary>
/// The budget chart's shapes: one stacked bar per step (a period, or a programme), its segments the fen granted, redeemed
/// and lapsed in that step, bottom to top, against one scale (the tallest bar fills the plot). Pure: no rendering.
/// </summary>
public sealed record BudgetGeometry(IReadOnlyList<BudgetGeometry.Bar> Bars, long MaxFen)
{
    public const double Width = 640;
    public const double Height = 260;
    public const double Left = 72;
    public const double Right = 12;
    public const double Top = 14;
    public const double Bottom = 40;

    public static double Baseline => Height - Bottom;

    /// <summary>A step's figures in fen.</summary>
    public sealed record Step(string Label, long GrantedFen, long RedeemedFen, long LapsedFen)
    {
        public long TotalFen => GrantedFen + RedeemedFen + LapsedFen;
    }

    /// <summary>A segment: its series (granted, redeemed, lapsed), its rectangle and its fen.</summary>
    public sealed record Segment(string Series, double X, double Y, double Width, double Height, long Fen);

    public sealed record Bar(Step Step, double X, double Width, double LabelX, IReadOnlyList<Segment> Segments);

    public static readonly IReadOnlyList<string> Series = ["granted", "redeemed", "lapsed"];

    /// <summary>The bars of the steps, in order; segments of 0 fen are left out. Null when there is no step or every figure is 0.</summary>
    public static BudgetGeometry? Of(IReadOnlyList<Step> steps)
    {
        if (steps.Count == 0 || steps.Any(s => s.GrantedFen < 0 || s.RedeemedFen < 0 || s.LapsedFen < 0))
        {
            return steps.Count == 0 ? null : throw new ArgumentOutOfRangeException(nameof(steps), "budget figures are never negative");
        }
        var max = steps.Max(s => s.TotalFen);
        if (max == 0)
        {
            return null;
        }
        var plot = Width - Left - Right;
        var slot = plot / steps.Count;
        var barWidth = Math.Min(56, slot * 0.7);
        var height = Baseline - Top;
        var bars = new List<Bar>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            var x = Left + slot * i + (slot - barWidth) / 2;
            var y = Baseline;
            var segments = new List<Segment>(3);
            foreach (var (series, fen) in new[] { ("granted", s.GrantedFen), ("redeemed", s.RedeemedFen), ("lapsed", s.LapsedFen) })
            {
                if (fen == 0)
                {
                    continue;
                }
                var h = height * fen / max;
                y -= h;
                segments.Add(new Segment(series, x, y, barWidth, h, fen));
            }
            bars.Add(new Bar(s, x, barWidth, x + barWidth / 2, segments));
        }
        return new BudgetGeometry(bars, max);
    }

    public static string Num(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
