using Bunit;
using ComputeNet.Application.Market.GetBookDepth;
using ComputeNet.Portal.Buyer;
using ComputeNet.Portal.Sessions;
using ComputeNet.Portal.Shared;
using Microsoft.AspNetCore.Authentication;
using NodaTime;

namespace ComputeNet.Portal.Tests;

/// <summary>Component and formatting logic without a browser (bUnit renders the components).</summary>
public sealed class ComponentTests
{
    private static readonly Fmt Shanghai = new(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]);

    private static BookDepthView Book(DepthLevelView[] bids, DepthLevelView[] offers) =>
        new("intelligent", null, Instant.FromUtc(2026, 12, 2, 2, 30), bids, offers);

    [Fact]
    public void The_depth_chart_cumulates_each_side_from_its_best_price()
    {
        using var bunit = new BunitContext();
        var chart = bunit.Render<DepthChart>(p => p
            .Add(c => c.Book, Book([new(60.00m, 1, 8), new(55.50m, 2, 2)], [new(58.00m, 1, 5), new(61.25m, 3, 7)]))
            .Add(c => c.T, Texts.En)
            .Add(c => c.F, Shanghai));
        var bidRows = chart.FindAll("#bids-table tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()).ToList();
        Assert.Equal([["¥60.00", "8", "1", "8"], ["¥55.50", "2", "2", "10"]], bidRows);
        var offerRows = chart.FindAll("#offers-table tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()).ToList();
        Assert.Equal([["¥58.00", "5", "1", "5"], ["¥61.25", "7", "3", "12"]], offerRows);
        Assert.Single(chart.FindAll("polygon.bids"));
        Assert.Single(chart.FindAll("polygon.offers"));
        Assert.Contains("As of 2026-12-02 10:30", chart.Find("figcaption").TextContent, StringComparison.Ordinal);
        Assert.Equal("Depth chart of intelligent: bids cumulated in green, offers in red", chart.Find("svg title").TextContent);
    }

    [Fact]
    public void The_depth_geometry_steps_from_the_best_price_outwards()
    {
        var g = DepthGeometry.Of(Book([new(60m, 1, 8), new(50m, 1, 2)], [new(70m, 1, 10)]))!;
        Assert.Equal(50m, g.MinPrice);
        Assert.Equal(70m, g.MaxPrice);
        Assert.Equal(10, g.MaxDevices);
        // Bids: from the best (60, x = 336) up to 8 devices, left to 50 (x = 48), up to 10, to the left edge, down.
        Assert.Equal("336,224 336,54.4 48,54.4 48,12 48,12 48,224", g.BidPoints);
        Assert.Equal("624,224 624,12 624,12 624,224", g.OfferPoints);
        Assert.Null(DepthGeometry.Of(Book([], [])));
    }

    [Fact]
    public void An_empty_book_says_so_in_both_languages()
    {
        using var bunit = new BunitContext();
        foreach (var (t, text) in new[] { (Texts.Zh, "暂无挂单"), (Texts.En, "No orders resting") })
        {
            var chart = bunit.Render<DepthChart>(p => p.Add(c => c.Book, Book([], [])).Add(c => c.T, t).Add(c => c.F, Shanghai));
            Assert.Equal(text, chart.Find("#depth-empty").TextContent);
            Assert.Empty(chart.FindAll("svg"));
        }
    }

    [Fact]
    public void A_rejection_is_shown_next_to_the_field_it_names_only()
    {
        using var bunit = new BunitContext();
        var rejection = new Domain.Rejection("invalid", "devices must be at least 1", "devices");
        var devices = bunit.Render<FieldError>(p => p.Add(c => c.Field, "devices").Add(c => c.Rejection, rejection).Add(c => c.T, Texts.Zh));
        Assert.Equal("输入无效: devices must be at least 1", devices.Find("#devices-error").TextContent);
        var price = bunit.Render<FieldError>(p => p.Add(c => c.Field, "price").Add(c => c.Rejection, rejection).Add(c => c.T, Texts.Zh));
        Assert.Empty(price.Markup.Trim());
    }

    [Fact]
    public void Every_string_exists_in_Chinese_and_in_English()
    {
        var zh = Texts.Zh.AllPlain().ToDictionary(p => p.Name, p => p.Value);
        var en = Texts.En.AllPlain().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(zh.Keys.Order(), en.Keys.Order());
        Assert.True(zh.Count > 80, $"{zh.Count} strings");
        foreach (var (name, value) in zh)
        {
            Assert.False(string.IsNullOrWhiteSpace(value), name);
            Assert.False(string.IsNullOrWhiteSpace(en[name]), name);
            Assert.True(value != en[name], $"{name} is the same in both languages: {value}");
        }
        Assert.Equal("算力券", Texts.Zh.VoucherKind("compute"));
        Assert.Equal("Transport voucher", Texts.En.VoucherKind("transport"));
    }

    [Theory]
    [InlineData(1751717L, "¥17,517.17")]
    [InlineData(-175172L, "-¥1,751.72")]
    [InlineData(0L, "¥0.00")]
    [InlineData(5L, "¥0.05")]
    [InlineData(long.MinValue, "-¥92,233,720,368,547,758.08")]
    public void Amounts_are_yuan_with_the_fen_exact(long fen, string shown) => Assert.Equal(shown, Fmt.Yuan(fen));

    [Fact]
    public void Prices_and_times_follow_the_platform()
    {
        Assert.Equal("¥58.00", Fmt.Price(58m));
        Assert.Equal("¥0.4945", Fmt.Price(0.4945m));
        Assert.Equal("30%", Fmt.Percent(3000));
        Assert.Equal(Instant.FromUtc(2026, 12, 2, 16, 0), Shanghai.ParseLocal("2026-12-03T00:00"));
        Assert.Null(Shanghai.ParseLocal("tomorrow"));
        Assert.Equal("2026-12-03 00:00", Shanghai.Time(Instant.FromUtc(2026, 12, 2, 16, 0)));
        Assert.Equal("2026-12-03T00:00", Shanghai.LocalInput(Instant.FromUtc(2026, 12, 2, 16, 0)));
    }

    [Theory]
    [InlineData("/buyer/orders?offset=50", "/buyer/orders?offset=50")]
    [InlineData("/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void Redirects_after_sign_in_stay_on_this_site(string? returnUrl, string expected) =>
        Assert.Equal(expected, PortalSessions.LocalOr(returnUrl, "/"));
}
