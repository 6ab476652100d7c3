using System.Globalization;
using ComputeNet.Portal.Issuer;
using ComputeNet.Portal.Shared;
using ComputeNet.Portal.Regulator;

namespace ComputeNet.Portal.Tests;

/// <summary>The regulator's map projection and marks, the issuer's budget bars and yuan input: pure geometry and parsing, no browser.</summary>
public sealed class MapGeometryTests
{
    private static readonly (double Lat, double Lon) Shanghai = (31.23, 121.47), Chengdu = (30.57, 104.07), Beijing = (39.9, 116.41),
        Guangzhou = (23.13, 113.26), Zhongwei = (37.51, 105.19);

    private static readonly MapProjection Map = MapProjection.Around([Shanghai, Chengdu, Beijing, Guangzhou, Zhongwei]);

    [Fact]
    public void The_box_frames_the_points_with_a_margin_of_whole_steps()
    {
        // 104.07–121.47°E, 23.13–39.9°N, padded by 5° and rounded out to multiples of 5.
        Assert.Equal((95, 130, 15, 45), (Map.West, Map.East, Map.South, Map.North));
        var empty = MapProjection.Around([]);
        Assert.Equal((73, 135, 18, 54), (empty.West, empty.East, empty.South, empty.North)); // China's extent when there is nothing to show
        Assert.Throws<ArgumentOutOfRangeException>(() => new MapProjection(120, 100, 20, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MapProjection(100, 120, 40, 20));
    }

    [Fact]
    public void Every_point_of_the_box_lands_inside_the_svg_within_its_margin_and_the_box_is_centred()
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var lat = Map.South; lat <= Map.North; lat += 0.5)
        {
            for (var lon = Map.West; lon <= Map.East; lon += 0.5)
            {
                var (x, y) = Map.Project(lat, lon);
                xs.Add(x);
                ys.Add(y);
            }
        }
        const double tolerance = 1e-6;
        Assert.InRange(xs.Min(), MapProjection.Margin - tolerance, MapProjection.Width - MapProjection.Margin);
        Assert.InRange(xs.Max(), MapProjection.Margin, MapProjection.Width - MapProjection.Margin + tolerance);
        Assert.InRange(ys.Min(), MapProjection.Margin - tolerance, MapProjection.Height - MapProjection.Margin);
        Assert.InRange(ys.Max(), MapProjection.Margin, MapProjection.Height - MapProjection.Margin + tolerance);
        // One axis fills the box up to its margins; the other is centred.
        var fillsWidth = Math.Abs(xs.Min() - MapProjection.Margin) < 1e-6 && Math.Abs(xs.Max() - (MapProjection.Width - MapProjection.Margin)) < 1e-6;
        var fillsHeight = Math.Abs(ys.Min() - MapProjection.Margin) < 1e-6 && Math.Abs(ys.Max() - (MapProjection.Height - MapProjection.Margin)) < 1e-6;
        Assert.True(fillsWidth || fillsHeight);
        Assert.Equal(MapProjection.Width / 2, (xs.Min() + xs.Max()) / 2, 6);
        Assert.Equal(MapProjection.Height / 2, (ys.Min() + ys.Max()) / 2, 6);
    }

    [Fact]
    public void East_is_right_north_is_up_and_the_central_meridian_is_vertical()
    {
        Assert.True(Map.Project(Shanghai.Lat, Shanghai.Lon).X > Map.Project(Chengdu.Lat, Chengdu.Lon).X);
        Assert.True(Map.Project(Beijing.Lat, Beijing.Lon).Y < Map.Project(Guangzhou.Lat, Guangzhou.Lon).Y);
        // 105°E is a straight vertical line; other meridians lean towards the cone's apex (north), symmetrically.
        Assert.Equal(Map.Project(20, 105).X, Map.Project(45, 105).X, 9);
        var eastLean = Map.Project(45, 125).X - Map.Project(20, 125).X;
        var westLean = Map.Project(45, 85).X - Map.Project(20, 85).X;
        Assert.True(eastLean < 0 && westLean > 0);
        Assert.Equal(-eastLean, westLean, 9);
        // A parallel is an arc bulging south at the central meridian (y grows downward in SVG).
        Assert.True(Map.Project(30, 105).Y > Map.Project(30, 120).Y);
    }

    [Fact]
    public void The_projection_is_equal_area_and_conformal_on_its_standard_parallels()
    {
        // Equal area: two cells of 1° × 1° at the same latitude, 20° of longitude apart, have the same area; and an area
        // ratio between latitudes equals the sphere's (cos φ).
        static double Cell(double lat, double lon)
        {
            var (x0, y0) = MapProjection.Albers(lat, lon);
            var (x1, y1) = MapProjection.Albers(lat, lon + 0.001);
            var (x2, y2) = MapProjection.Albers(lat + 0.001, lon);
            return Math.Abs((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0));
        }
        Assert.Equal(1, Cell(30, 95) / Cell(30, 115), 6);
        Assert.Equal(Math.Cos(50 * Math.PI / 180) / Math.Cos(20 * Math.PI / 180), Cell(50, 105) / Cell(20, 105), tolerance: 1e-3);
        // On a standard parallel the east–west and north–south scales are equal (no distortion there).
        foreach (var lat in new[] { MapProjection.Parallel1, MapProjection.Parallel2 })
        {
            var d = 1e-4;
            var (x0, y0) = MapProjection.Albers(lat, 105);
            var (x1, y1) = MapProjection.Albers(lat, 105 + d);
            var (x2, y2) = MapProjection.Albers(lat + d, 105);
            var eastWest = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)) / (Math.Cos(lat * Math.PI / 180) * d * Math.PI / 180);
            var northSouth = Math.Sqrt((x2 - x0) * (x2 - x0) + (y2 - y0) * (y2 - y0)) / (d * Math.PI / 180);
            Assert.Equal(1, eastWest, 4);
            Assert.Equal(1, northSouth, 4);
        }
    }

    [Fact]
    public void The_graticule_has_a_line_per_five_degrees_labelled_in_degrees()
    {
        var lines = Map.Graticule();
        Assert.Equal(["95°E", "100°E", "105°E", "110°E", "115°E", "120°E", "125°E", "130°E"], lines.Where(l => l.Meridian).Select(l => l.Label));
        Assert.Equal(["15°N", "20°N", "25°N", "30°N", "35°N", "40°N", "45°N"], lines.Where(l => !l.Meridian).Select(l => l.Label));
        // Parallels are drawn in one-degree pieces: 35 degrees of longitude → 36 points.
        Assert.Equal(36, lines.First(l => !l.Meridian).Points.Split(' ').Length);
        foreach (var point in lines.SelectMany(l => l.Points.Split(' ')))
        {
            var xy = point.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.InRange(xy[0], 0, MapProjection.Width);
            Assert.InRange(xy[1], 0, MapProjection.Height);
        }
    }

    [Fact]
    public void A_clusters_circle_grows_in_area_with_utilisation_and_its_colour_with_green_share()
    {
        Assert.Equal(MapMarks.MinRadius, MapMarks.Radius(null), 9);
        Assert.Equal(MapMarks.MinRadius, MapMarks.Radius(0m), 9);
        Assert.Equal(MapMarks.MaxRadius, MapMarks.Radius(1m), 9);
        Assert.Equal(MapMarks.MaxRadius, MapMarks.Radius(1.7m), 9); // clamped
        // Area is linear in utilisation: r² at 0.5 is half-way between the smallest and largest r².
        var half = MapMarks.Radius(0.5m);
        Assert.Equal((MapMarks.MinRadius * MapMarks.MinRadius + MapMarks.MaxRadius * MapMarks.MaxRadius) / 2, half * half, 9);

        Assert.Equal("#9c6b4e", MapMarks.GreenColour(0m));
        Assert.Equal("#1b8a3a", MapMarks.GreenColour(1m));
        Assert.Equal("#5c7b44", MapMarks.GreenColour(0.5m)); // (0x9c+0x1b)/2 = 0x5c (91.5 → 92), (0x6b+0x8a)/2 = 0x7b (122.5 → 123), (0x4e+0x3a)/2 = 0x44
        Assert.Equal("#b8bec9", MapMarks.GreenColour(null));
    }

    [Fact]
    public void A_flows_arrow_is_scaled_by_its_scu_hours_and_stops_short_of_both_ends()
    {
        Assert.Equal(MapMarks.MaxArrow, MapMarks.ArrowWidth(40m, 40m), 9);
        Assert.Equal(MapMarks.MinArrow + (MapMarks.MaxArrow - MapMarks.MinArrow) / 4, MapMarks.ArrowWidth(10m, 40m), 9);
        Assert.Equal(MapMarks.MinArrow, MapMarks.ArrowWidth(0m, 0m), 9);

        var line = MapMarks.Arrow((0, 0), (30, 40), 5, 10)!.Value; // length 50, direction (0.6, 0.8)
        Assert.Equal(3, line.X1, 9);
        Assert.Equal(4, line.Y1, 9);
        Assert.Equal(24, line.X2, 9);
        Assert.Equal(32, line.Y2, 9);
        Assert.Null(MapMarks.Arrow((0, 0), (3, 4), 2, 2)); // too short to draw
    }

    [Fact]
    public void Budget_bars_stack_granted_redeemed_and_lapsed_on_one_scale()
    {
        var g = BudgetGeometry.Of([new("2026-11-30", 700_000, 0, 0), new("2026-12-01", 0, 489_302, 10_698), new("2026-12-02", 0, 0, 0)])!;
        Assert.Equal(700_000, g.MaxFen);
        var height = BudgetGeometry.Baseline - BudgetGeometry.Top;
        Assert.Single(g.Bars[0].Segments);
        Assert.Equal(height, g.Bars[0].Segments[0].Height, 9); // the tallest bar fills the plot
        var (redeemed, lapsed) = (g.Bars[1].Segments[0], g.Bars[1].Segments[1]);
        Assert.Equal(("redeemed", "lapsed"), (redeemed.Series, lapsed.Series));
        Assert.Equal(BudgetGeometry.Baseline, redeemed.Y + redeemed.Height, 9); // stacked from the baseline up
        Assert.Equal(redeemed.Y, lapsed.Y + lapsed.Height, 9);
        Assert.Equal(height * 500_000 / 700_000, redeemed.Height + lapsed.Height, 9);
        Assert.Empty(g.Bars[2].Segments);
        Assert.True(g.Bars[0].X + g.Bars[0].Width < g.Bars[1].X);
        Assert.True(g.Bars[2].X + g.Bars[2].Width <= BudgetGeometry.Width - BudgetGeometry.Right);
        Assert.Null(BudgetGeometry.Of([]));
        Assert.Null(BudgetGeometry.Of([new("p", 0, 0, 0)]));
    }

    [Theory]
    [InlineData("5000", 500_000L)]
    [InlineData("5,000.50", 500_050L)]
    [InlineData("¥0.01", 1L)]
    [InlineData(" 12.3 ", 1_230L)]
    [InlineData("90071992547409.91", 9_007_199_254_740_991L)]
    [InlineData("0.001", null)]
    [InlineData("-5", null)]
    [InlineData("1e3", null)]
    [InlineData("", null)]
    [InlineData("90071992547409.92", null)]
    public void Yuan_typed_in_a_form_become_exact_fen(string text, long? fen) => Assert.Equal(fen, YuanInput.ToFen(text));
}
