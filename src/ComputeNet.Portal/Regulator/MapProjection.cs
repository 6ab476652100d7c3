using System.Globalization;

namespace ComputeNet.Portal.Regulator;

/// <summary>
/// The regulator's map: an Albers equal-area conic projection of China (standard parallels 25°N and 47°N, central meridian
/// 105°E, the usual choice for maps of China), fitted into a <see cref="Width"/> × <see cref="Height"/> SVG box around the
/// reference data's points with a margin of whole degrees. x grows to the east, y to the south (SVG), with one scale for both
/// axes, so shapes and distances keep their proportions. Pure: no rendering. The map draws no boundary line: see
/// docs/portal.md ("The regulator's map").
/// </summary>
public sealed class MapProjection
{
    public const double Width = 800;
    public const double Height = 560;
    public const double Margin = 28;
    public const double Parallel1 = 25;
    public const double Parallel2 = 47;
    public const double CentralMeridian = 105;
    public const double OriginLatitude = 36;

    private static readonly double N = (Sin(Parallel1) + Sin(Parallel2)) / 2;
    private static readonly double C = Cos(Parallel1) * Cos(Parallel1) + 2 * N * Sin(Parallel1);
    private static readonly double Rho0 = Math.Sqrt(C - 2 * N * Sin(OriginLatitude)) / N;

    private readonly double _scale;
    private readonly double _offsetX;
    private readonly double _offsetY;

    /// <summary>The box [west, east] × [south, north] (degrees) the map shows, fitted into the SVG box with its margin.</summary>
    public MapProjection(double west, double east, double south, double north)
    {
        if (!(west < east) || !(south < north) || south < -80 || north > 80)
        {
            throw new ArgumentOutOfRangeException(nameof(west), "the map's box must have west < east and south < north, within ±80° latitude");
        }
        (West, East, South, North) = (west, east, south, north);
        var edge = Edge().Select(p => Albers(p.Lat, p.Lon)).ToList();
        var (minX, maxX) = (edge.Min(p => p.X), edge.Max(p => p.X));
        var (minY, maxY) = (edge.Min(p => p.Y), edge.Max(p => p.Y));
        _scale = Math.Min((Width - 2 * Margin) / (maxX - minX), (Height - 2 * Margin) / (maxY - minY));
        // Centred: the unused width or height is shared on both sides.
        _offsetX = (Width - _scale * (maxX - minX)) / 2 - _scale * minX;
        _offsetY = (Height - _scale * (maxY - minY)) / 2 + _scale * maxY;
    }

    public double West { get; }
    public double East { get; }
    public double South { get; }
    public double North { get; }

    /// <summary>SVG units per unit of the unscaled projection (the same on both axes).</summary>
    public double Scale => _scale;

    /// <summary>
    /// The box around points, widened by <paramref name="padDegrees"/> and rounded out to whole multiples of it, so the map
    /// frames what it shows (the whole of China's east and the western hubs for the reference data).
    /// </summary>
    public static MapProjection Around(IEnumerable<(double Lat, double Lon)> points, double padDegrees = 5)
    {
        var list = points.ToList();
        if (list.Count == 0)
        {
            return new MapProjection(73, 135, 18, 54); // China's extent
        }
        double Down(double v) => Math.Floor((v - padDegrees) / padDegrees) * padDegrees;
        double Up(double v) => Math.Ceiling((v + padDegrees) / padDegrees) * padDegrees;
        return new MapProjection(Down(list.Min(p => p.Lon)), Up(list.Max(p => p.Lon)), Math.Max(-80, Down(list.Min(p => p.Lat))),
            Math.Min(80, Up(list.Max(p => p.Lat))));
    }

    /// <summary>The unscaled projection: x east, y north, in units of the sphere's radius.</summary>
    public static (double X, double Y) Albers(double lat, double lon)
    {
        var rho = Math.Sqrt(C - 2 * N * Sin(lat)) / N;
        var theta = N * (lon - CentralMeridian) * Math.PI / 180;
        return (rho * Math.Sin(theta), Rho0 - rho * Math.Cos(theta));
    }

    /// <summary>A point's position in the SVG box (x east, y south).</summary>
    public (double X, double Y) Project(double lat, double lon)
    {
        var (x, y) = Albers(lat, lon);
        return (_offsetX + _scale * x, _offsetY - _scale * y);
    }

    /// <summary>
    /// The graticule: meridians and parallels every <paramref name="step"/> degrees inside the box, each as SVG polyline
    /// points (parallels are arcs in this projection, so they are drawn in one-degree pieces), with its label.
    /// </summary>
    public IReadOnlyList<(string Points, string Label, double LabelX, double LabelY, bool Meridian)> Graticule(double step = 5)
    {
        var lines = new List<(string, string, double, double, bool)>();
        for (var lon = Math.Ceiling(West / step) * step; lon <= East; lon += step)
        {
            var points = Steps(South, North).Select(lat => Project(lat, lon)).ToList();
            var bottom = points[0];
            lines.Add((Points(points), $"{Num(lon)}°E", bottom.X, bottom.Y + 14, true));
        }
        for (var lat = Math.Ceiling(South / step) * step; lat <= North; lat += step)
        {
            var points = Steps(West, East).Select(lon => Project(lat, lon)).ToList();
            var left = points[0];
            lines.Add((Points(points), $"{Num(lat)}°N", left.X + 4, left.Y - 4, false));
        }
        return lines;
    }

    /// <summary>The box's outline (its four edges sampled every degree), as SVG polygon points.</summary>
    public string Frame() => Points(Edge().Select(p => Project(p.Lat, p.Lon)));

    private IEnumerable<(double Lat, double Lon)> Edge()
    {
        foreach (var lon in Steps(West, East)) yield return (South, lon);
        foreach (var lat in Steps(South, North)) yield return (lat, East);
        foreach (var lon in Steps(West, East).Reverse()) yield return (North, lon);
        foreach (var lat in Steps(South, North).Reverse()) yield return (lat, West);
    }

    private static IEnumerable<double> Steps(double from, double to)
    {
        for (var v = from; v < to; v += 1)
        {
            yield return v;
        }
        yield return to;
    }

    private static string Points(IEnumerable<(double X, double Y)> points) =>
        string.Join(' ', points.Select(p => $"{Num(p.X)},{Num(p.Y)}"));

    public static string Num(double v) => Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static double Sin(double degrees) => Math.Sin(degrees * Math.PI / 180);

    private static double Cos(double degrees) => Math.Cos(degrees * Math.PI / 180);
}

/// <summary>How the map encodes the figures: a cluster's circle by its utilisation, its colour by its green share, a flow's arrow by its SCU-hours.</summary>
public static class MapMarks
{
    public const double MinRadius = 5;
    public const double MaxRadius = 22;
    public const double MinArrow = 1.5;
    public const double MaxArrow = 9;

    /// <summary>
    /// The circle's radius: its area grows with the utilisation (0 → <see cref="MinRadius"/>, 1 → <see cref="MaxRadius"/>);
    /// a cluster with nothing offered (null) has the smallest.
    /// </summary>
    public static double Radius(decimal? utilisation)
    {
        var u = Math.Clamp((double)(utilisation ?? 0), 0, 1);
        return Math.Sqrt(MinRadius * MinRadius + u * (MaxRadius * MaxRadius - MinRadius * MinRadius));
    }

    /// <summary>
    /// The fill: from brown-grey (no green power) to green (all green), interpolated in RGB; grey when no energy was
    /// measured (null).
    /// </summary>
    public static string GreenColour(decimal? greenShare)
    {
        if (greenShare is not { } g)
        {
            return "#b8bec9";
        }
        var t = Math.Clamp((double)g, 0, 1);
        (int R, int G, int B) none = (0x9c, 0x6b, 0x4e), all = (0x1b, 0x8a, 0x3a);
        int Mix(int a, int b) => (int)Math.Round(a + (b - a) * t, MidpointRounding.AwayFromZero);
        return $"#{Mix(none.R, all.R):x2}{Mix(none.G, all.G):x2}{Mix(none.B, all.B):x2}";
    }

    /// <summary>A flow's stroke width: its SCU-hours against the largest flow shown (0 when nothing flows).</summary>
    public static double ArrowWidth(decimal scuHours, decimal largest) =>
        largest <= 0 || scuHours <= 0 ? MinArrow : MinArrow + (MaxArrow - MinArrow) * (double)(scuHours / largest);

    /// <summary>
    /// The arrow's line from a city to a hub, shortened at both ends (by <paramref name="startGap"/> and
    /// <paramref name="endGap"/>) so that it starts beside the city's mark and its head stops at the hub's; null when the
    /// two are too close to draw one.
    /// </summary>
    public static (double X1, double Y1, double X2, double Y2)? Arrow((double X, double Y) from, (double X, double Y) to, double startGap, double endGap)
    {
        var (dx, dy) = (to.X - from.X, to.Y - from.Y);
        var length = Math.Sqrt(dx * dx + dy * dy);
        if (length <= startGap + endGap + 1)
        {
            return null;
        }
        var (ux, uy) = (dx / length, dy / length);
        return (from.X + ux * startGap, from.Y + uy * startGap, to.X - ux * endGap, to.Y - uy * endGap);
    }
}
