using Bunit;
using ComputeNet.Portal.Provider;
using NodaTime;

namespace ComputeNet.Portal.Tests;

/// <summary>The provider's and carrier's logic without a browser: the usage CSV reader, the bar chart's geometry and rendering.</summary>
public sealed class PayeeComponentTests
{
    private const string Header = "id,lease,from,to,deviceSeconds,energyKwh,greenKwh,transferGb";

    [Fact]
    public void A_usage_CSV_becomes_the_batchs_lines_with_their_file_line_numbers()
    {
        var parsed = UsageCsv.Parse("\uFEFF" + Header + "\r\n"
            + "u1,lease-1,2026-12-01T00:00:00+08:00,2026-12-02T00:00:00+08:00,576000,420.5,380,1250.5\r\n"
            + "\r\n"
            + "\"u,2\",lease-2,2026-11-30T16:00:00Z,2026-11-30T17:00:00Z,3600,,,\n");
        Assert.Null(parsed.Error);
        Assert.Equal([2, 4], parsed.LineNumbers);
        var first = parsed.Lines[0];
        Assert.Equal("u1", first.Id);
        Assert.Equal("lease-1", first.Lease);
        Assert.Equal(Instant.FromUtc(2026, 11, 30, 16, 0), first.From);
        Assert.Equal(Instant.FromUtc(2026, 12, 1, 16, 0), first.To);
        Assert.Equal(576_000, first.DeviceSeconds);
        Assert.Equal(420.5m, first.EnergyKwh);
        Assert.Equal(380m, first.GreenKwh);
        Assert.Equal(1250.5m, first.TransferGb);
        Assert.Null(first.Malformed);
        var second = parsed.Lines[1];
        Assert.Equal("u,2", second.Id); // a quoted field keeps its comma
        Assert.Equal(Instant.FromUtc(2026, 11, 30, 16, 0), second.From);
        Assert.Equal((0m, 0m, 0m), (second.EnergyKwh, second.GreenKwh, second.TransferGb)); // empty optional columns are 0
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_optional_ones_may_be_left_out()
    {
        var parsed = UsageCsv.Parse("deviceSeconds,to,from,lease,ID\n7200,2026-12-01T02:00:00+08:00,2026-12-01T00:00:00+08:00,l,u\n");
        Assert.Null(parsed.Error);
        var line = Assert.Single(parsed.Lines);
        Assert.Equal(("u", "l", 7200L), (line.Id, line.Lease, line.DeviceSeconds!.Value));
        Assert.Equal(0m, line.TransferGb);
    }

    [Theory]
    [InlineData("u1,l,2026-12-01 00:00,2026-12-02T00:00:00+08:00,1,0,0,0", "from: '2026-12-01 00:00' is not an ISO 8601 time with an offset")]
    [InlineData("u1,l,2026-12-01T00:00:00+08:00,2026-12-02T00:00:00+08:00,lots,0,0,0", "deviceSeconds: 'lots' is not a whole number")]
    [InlineData("u1,l,2026-12-01T00:00:00+08:00,2026-12-02T00:00:00+08:00,1,4,2,1;5", "transferGb: '1;5' is not a number")]
    [InlineData("u1,l,2026-12-01T00:00:00+08:00", "the line has 3 fields, the header 8")]
    public void A_row_that_cannot_be_read_is_a_malformed_line_and_the_others_go_on(string row, string why)
    {
        var parsed = UsageCsv.Parse($"{Header}\n{row}\nu2,l,2026-12-01T00:00:00+08:00,2026-12-02T00:00:00+08:00,1,0,0,0\n");
        Assert.Null(parsed.Error);
        Assert.Equal(2, parsed.Lines.Count);
        Assert.Equal("u1", parsed.Lines[0].Id);
        Assert.StartsWith(why, parsed.Lines[0].Malformed, StringComparison.Ordinal);
        Assert.Null(parsed.Lines[1].Malformed);
    }

    [Fact]
    public void A_missing_device_seconds_is_left_to_the_batch_which_names_the_field()
    {
        var line = Assert.Single(UsageCsv.Parse($"{Header}\nu1,l,2026-12-01T00:00:00+08:00,2026-12-02T00:00:00+08:00,,0,0,0\n").Lines);
        Assert.Null(line.DeviceSeconds);
        Assert.Null(line.Malformed);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("id,lease,from,to\nu,l,a,b\n", "column 'deviceSeconds' is missing")]
    [InlineData("id,lease,from,to,deviceSeconds,colour\n", "unknown column 'colour'")]
    [InlineData("id,id,lease,from,to,deviceSeconds\n", "column 'id' is named twice")]
    [InlineData(Header + "\n", "the file holds no record")]
    public void A_file_that_cannot_be_a_batch_is_refused_whole(string text, string why)
    {
        var parsed = UsageCsv.Parse(text);
        Assert.StartsWith(why, parsed.Error, StringComparison.Ordinal);
        Assert.Empty(parsed.Lines);
    }

    [Fact]
    public void More_records_than_one_batch_holds_are_refused_whole()
    {
        var row = "u,l,2026-12-01T00:00:00+08:00,2026-12-02T00:00:00+08:00,1,0,0,0\n";
        Assert.Null(UsageCsv.Parse(Header + "\n" + string.Concat(Enumerable.Repeat(row, 3)), maxRecords: 3).Error);
        Assert.StartsWith("the file holds more than 3 records", UsageCsv.Parse(Header + "\n" + string.Concat(Enumerable.Repeat(row, 4)), maxRecords: 3).Error,
            StringComparison.Ordinal);
        Assert.Equal(10_000, UsageFiles.MaxRecords);
    }

    [Fact]
    public void The_upload_limit_is_the_APIs_usage_body_limit() =>
        Assert.Equal(Api.Endpoints.MeteringEndpoints.MaxBatchBodyBytes, UsageFiles.MaxBytes);

    [Fact]
    public void Bars_are_grouped_per_step_and_scaled_to_the_largest_value()
    {
        var g = SeriesGeometry.Of(["d1", "d2"], [[100m, 50m], [25m, 0m]])!;
        Assert.Equal(100m, g.Max);
        Assert.Equal(4, g.Bars.Count);
        var plot = SeriesGeometry.Baseline - SeriesGeometry.Top;
        var slot = (SeriesGeometry.Width - SeriesGeometry.Left - SeriesGeometry.Right) / 2;
        var width = slot * 0.8 / 2;
        var tallest = g.Bars.Single(b => b.Series == 0 && b.Step == 0);
        Assert.Equal(plot, tallest.Height, 6);
        Assert.Equal(SeriesGeometry.Top, tallest.Y, 6);
        Assert.Equal(SeriesGeometry.Left + slot * 0.1, tallest.X, 6);
        Assert.Equal(width, tallest.Width, 6);
        var half = g.Bars.Single(b => b.Series == 0 && b.Step == 1);
        Assert.Equal(plot / 2, half.Height, 6);
        Assert.Equal(SeriesGeometry.Left + slot + slot * 0.1, half.X, 6);
        var quarter = g.Bars.Single(b => b.Series == 1 && b.Step == 0);
        Assert.Equal(plot / 4, quarter.Height, 6);
        Assert.Equal(tallest.X + width, quarter.X, 6); // beside the first series in the same step
        Assert.Equal(0, g.Bars.Single(b => b.Series == 1 && b.Step == 1).Height);
        Assert.Equal(["d1", "d2"], g.Ticks.Select(t => t.Label));
        Assert.Equal(SeriesGeometry.Left + slot / 2, g.Ticks[0].X, 6);
    }

    [Fact]
    public void Nothing_to_draw_gives_no_geometry_and_long_ranges_get_at_most_eight_labels()
    {
        Assert.Null(SeriesGeometry.Of([], [[1m]]));
        Assert.Null(SeriesGeometry.Of(["d1"], []));
        Assert.Null(SeriesGeometry.Of(["d1", "d2"], [[0m, 0m]]));
        var hours = Enumerable.Range(0, 24).Select(h => $"{h:00}:00").ToList();
        var g = SeriesGeometry.Of(hours, [hours.Select((_, i) => (decimal)i).ToList()])!;
        Assert.Equal(8, g.Ticks.Count);
        Assert.Equal(["00:00", "03:00", "06:00"], g.Ticks.Take(3).Select(t => t.Label));
        Assert.All(g.Bars, b => Assert.InRange(b.Y + b.Height, SeriesGeometry.Baseline - 1e-9, SeriesGeometry.Baseline + 1e-9));
    }

    [Fact]
    public void The_chart_renders_one_bar_per_nonzero_value_with_its_figure_and_a_key()
    {
        using var bunit = new BunitContext();
        var chart = bunit.Render<SeriesChart>(p => p
            .Add(c => c.Id, "c")
            .Add(c => c.Label, "GB per period")
            .Add(c => c.Empty, "nothing")
            .Add(c => c.Steps, ["2026-12-01", "2026-12-02"])
            .Add(c => c.Series, [new SeriesChart.Line("shanghai → zhongwei", [1250.5m, 0m]), new SeriesChart.Line("shanghai → guian", [800m, 0m])]));
        var bars = chart.FindAll("rect.bar");
        Assert.Equal(2, bars.Count);
        Assert.Equal("shanghai → zhongwei · 2026-12-01: 1,250.5", bars[0].QuerySelector("title")!.TextContent);
        Assert.Contains("s1", bars[1].ClassList);
        Assert.Equal("GB per period", chart.Find("svg title").TextContent);
        Assert.Equal(2, chart.FindAll("figcaption .key").Count);

        var empty = bunit.Render<SeriesChart>(p => p.Add(c => c.Id, "e").Add(c => c.Label, "x").Add(c => c.Empty, "nothing")
            .Add(c => c.Steps, ["2026-12-01"]).Add(c => c.Series, [new SeriesChart.Line("a", [0m])]));
        Assert.Equal("nothing", empty.Find("#e-empty").TextContent);
        Assert.Empty(empty.FindAll("svg"));
    }
}
