using System.Globalization;

namespace ComputeNet.Portal.Provider;

/// <summary>One bar of a grouped bar chart: series <see cref="Series"/> in step <see cref="Step"/>, in SVG user units.</summary>
public sealed record SeriesBar(int Series, int Step, double X, double Y, double Width, double Height, decimal Value);

/// <summary>A label under the steps' axis, centred on its step.</summary>
public sealed record SeriesTick(double X, string Label);

/// <summary>
/// The shapes of a grouped bar chart over steps (hours or settlement periods): one bar per series and step, heights
/// proportional to the largest value (the top of the axis), at most <see cref="MaxTicks"/> step labels. Used by the provider's
/// utilisation and the carrier's transport charts. Pure: no rendering; negative values are drawn as 0.
/// </summary>
public sealed record SeriesGeometry(IReadOnlyList<SeriesBar> Bars, decimal Max, IReadOnlyList<SeriesTick> Ticks)
{
    public const double Width = 640;
    public const double Height = 220;
    public const double Left = 56;
    public const double Right = 12;
    public const double Top = 12;
    public const double Bottom = 36;
    public const int MaxTicks = 8;

    public static double Baseline => Height - Bottom;

    /// <summary>
    /// Null when there is nothing to draw: no step, no series, or every value 0. <paramref name="series"/>[s][i] is series s in
    /// step i; a series shorter than the steps counts as 0 where it has no value.
    /// </summary>
    public static SeriesGeometry? Of(IReadOnlyList<string> steps, IReadOnlyList<IReadOnlyList<decimal>> series)
    {
        if (steps.Count == 0 || series.Count == 0)
        {
            return null;
        }
        var max = series.SelectMany(v => v).DefaultIfEmpty(0).Max();
        if (max <= 0)
        {
            return null;
        }
        var slot = (Width - Left - Right) / steps.Count;
        var group = slot * 0.8;
        var barWidth = group / series.Count;
        var plot = Height - Bottom - Top;
        var bars = new List<SeriesBar>(steps.Count * series.Count);
        for (var step = 0; step < steps.Count; step++)
        {
            for (var s = 0; s < series.Count; s++)
            {
                var value = step < series[s].Count ? series[s][step] : 0;
                var height = value <= 0 ? 0 : (double)(value / max) * plot;
                bars.Add(new SeriesBar(s, step, Left + step * slot + slot * 0.1 + s * barWidth, Baseline - height, barWidth, height, value));
            }
        }
        var every = (steps.Count + MaxTicks - 1) / MaxTicks;
        var ticks = Enumerable.Range(0, steps.Count).Where(i => i % every == 0).Select(i => new SeriesTick(Left + i * slot + slot / 2, steps[i])).ToList();
        return new SeriesGeometry(bars, max, ticks);
    }

    public static string Num(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
