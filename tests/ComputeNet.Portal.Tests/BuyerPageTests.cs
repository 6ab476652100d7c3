using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>The buyer's pages on the demo day: the book and bids, orders (reduce, cancel), leases, invoices and their PDF, vouchers.</summary>
public sealed class BuyerPageTests(PortalFixture portal)
{
    /// <summary>Tomorrow 00:00–02:00 Shanghai. Offers of the demo rest there, so the tests' bids are priced below every one of them (≤ 7.77) to rest.</summary>
    private const string From = "2026-12-03T00:00";
    private const string To = "2026-12-03T02:00";

    private static async Task FillBidAsync(IPage page, string devices, string price)
    {
        await page.SelectOptionAsync("#bid-family", "intelligent");
        await page.FillAsync("#devices", devices);
        await page.FillAsync("#price", price);
        await page.FillAsync("#from", From);
        await page.FillAsync("#to", To);
        await page.SelectOptionAsync("#tier", "cross-hub");
    }

    [Fact]
    public async Task A_bid_placed_in_the_form_is_seen_in_the_book_and_the_chart_stays_live()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-sh-ai"]);
        await using var _ = context;
        await page.GotoAsync("/buyer/market?family=intelligent");
        Assert.True(await page.Locator("#depth figure").IsVisibleAsync());
        var bidId = await page.InputValueAsync("#id");

        // The rules' validation next to the field it names.
        await FillBidAsync(page, "0", "7.77");
        var refused = await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#place-bid"));
        Assert.Equal(422, refused!.Status);
        Assert.True(await page.Locator("#devices-error").IsVisibleAsync(), await page.InnerTextAsync("#bid-form"));
        await FillBidAsync(page, "3", "seventy");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#place-bid"));
        Assert.True(await page.Locator("#price-error").IsVisibleAsync());

        await FillBidAsync(page, "3", "7.77");
        await page.FillAsync("#id", bidId);
        var placed = await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#place-bid"));
        Assert.Equal(200, placed!.Status);
        var result = await page.InnerTextAsync("#bid-result");
        Assert.Contains(bidId, result, StringComparison.Ordinal);
        Assert.Contains("挂单中", result, StringComparison.Ordinal); // resting: nothing on offer for tomorrow night
        // In the book at once or, at the latest, at the chart's next refresh (the depth view is published after the writer's block).
        var level = page.Locator("#bids-table tbody tr", new PageLocatorOptions { HasText = "¥7.77" });
        await level.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.Equal(1, await level.CountAsync());
        Assert.Contains("3", await level.Locator("td").Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        // The API sees the same book.
        var book = await portal.GetJsonAsync(portal.Keys["sme-sh-ai"], "/v1/book/intelligent");
        Assert.Contains(book["bids"]!.AsArray(), l => l!["price"]!.GetValue<decimal>() == 7.77m && l["devices"]!.GetValue<long>() >= 3);
        await ScreenshotAsync(page, "buyer-market.png");

        // Another buyer's bid, placed over the API, appears in the chart without a reload.
        using (var other = portal.ApiClient(portal.Keys["sme-gz-bio"]))
        {
            using var answer = await other.PostAsync("/v1/bids", JsonContent(new JsonObject
            {
                ["id"] = "portal-live-bid", ["family"] = "intelligent", ["devices"] = 4, ["minScuPerDevice"] = 0, ["minMemoryGb"] = 0,
                ["from"] = "2026-12-03T00:00:00+08:00", ["to"] = "2026-12-03T02:00:00+08:00", ["tier"] = "cross-hub", ["minGreen"] = 0,
                ["price"] = 6.66, ["commitment"] = "on-demand", ["split"] = true, ["tif"] = "GTC",
            }));
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }
        await page.Locator("#bids-table tbody tr", new PageLocatorOptions { HasText = "¥6.66" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.Equal("/buyer/market", Path(page));

        // The order page: reduce (a refused reduction shown next to its field), then cancel.
        await page.GotoAsync($"/buyer/orders/{bidId}");
        Assert.Contains("3", await page.InnerTextAsync("#order-devices"), StringComparison.Ordinal);
        await page.FillAsync("#devices", "9");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reduce")))!.Status);
        Assert.True(await page.Locator("#devices-error").IsVisibleAsync(), await page.InnerTextAsync("main"));
        await page.FillAsync("#devices", "2");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reduce"));
        Assert.Equal("2", (await page.InnerTextAsync("#order-devices")).Trim());
        await ScreenshotAsync(page, "buyer-order.png");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#cancel"));
        Assert.Equal("已撤销", (await page.InnerTextAsync("#order-state")).Trim());
        var order = await portal.GetJsonAsync(portal.Keys["sme-sh-ai"], $"/v1/orders/{bidId}");
        Assert.Equal("cancelled", order["state"]!.GetValue<string>());

        await page.GotoAsync("/buyer/orders");
        Assert.Equal(1, await page.Locator($"#orders tr[data-order='{bidId}']").CountAsync());
        await ScreenshotAsync(page, "buyer-orders.png");
    }

    [Fact]
    public async Task Invoices_show_the_lines_in_exact_yuan_and_the_PDF_downloads()
    {
        var key = portal.Keys["sme-sh-ai"];
        var invoices = (await portal.GetJsonAsync(key, "/v1/invoices"))["items"]!.AsArray();
        var invoice = Assert.Single(invoices);
        var id = $"{invoice!["period"]}.{invoice["buyer"]}";
        Assert.Equal("2026-12-01.sme-sh-ai", id);

        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        await page.GotoAsync("/buyer/invoices");
        Assert.Equal(Shared.Fmt.Yuan(invoice["dueFen"]!.GetValue<long>()), (await page.Locator($"tr[data-invoice='{id}'] td").Nth(4).InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "buyer-invoices.png");

        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync($"tr[data-invoice='{id}'] td:first-child a"));
        Assert.Equal($"/buyer/invoices/{id}", Path(page));
        Assert.Equal(Shared.Fmt.Yuan(invoice["amountFen"]!.GetValue<long>()), (await page.InnerTextAsync("#invoice-amount")).Trim());
        var lines = invoice["lines"]!.AsArray();
        Assert.Equal(lines.Count, await page.Locator("#invoice-lines tbody tr").CountAsync());
        foreach (var line in lines)
        {
            var row = page.Locator($"#invoice-lines tr[data-line='{line!["lineNo"]}']");
            Assert.Equal(Shared.Fmt.Yuan(line["amountFen"]!.GetValue<long>()), (await row.Locator("td").Nth(5).InnerTextAsync()).Trim());
        }
        Assert.Contains("¥17,517.17", await page.InnerTextAsync("#invoice-lines"), StringComparison.Ordinal);
        // Stripe is not configured here: bank-transfer details, the invoice id as the reference.
        Assert.Contains(id, await page.InnerTextAsync("#bank-transfer"), StringComparison.Ordinal);
        await ScreenshotAsync(page, "buyer-invoice.png");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#invoice-pdf"));
        var path = await download.PathAsync();
        var head = new byte[5];
        await using (var file = File.OpenRead(path))
        {
            Assert.Equal(5, await file.ReadAsync(head));
        }
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(head));
    }

    /// <summary>URL guessing: another buyer's invoice, its PDF and its orders are 404, exactly as over the API.</summary>
    [Fact]
    public async Task A_buyer_cannot_open_another_buyers_pages()
    {
        var ownOrders = (await portal.GetJsonAsync(portal.Keys["sme-bj-render"], "/v1/orders"))["items"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()).ToHashSet();
        var theirs = (await portal.GetJsonAsync(portal.Keys["sme-sh-ai"], "/v1/orders"))["items"]!.AsArray().Select(o => o!["id"]!.GetValue<string>())
            .First(id => !ownOrders.Contains(id));

        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-bj-render"]);
        await using var _ = context;
        var invoice = await page.GotoAsync("/buyer/invoices/2026-12-01.sme-sh-ai");
        Assert.Equal(404, invoice!.Status);
        Assert.True(await page.Locator("#not-found").IsVisibleAsync());
        Assert.DoesNotContain("¥", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        var pdf = await page.APIRequest.GetAsync("/buyer/invoices/2026-12-01.sme-sh-ai/pdf");
        Assert.Equal(404, pdf.Status);
        var order = await page.GotoAsync($"/buyer/orders/{Uri.EscapeDataString(theirs)}");
        Assert.Equal(404, order!.Status);
        Assert.True(await page.Locator("#not-found").IsVisibleAsync());
        // Its own invoice list holds only its own.
        await page.GotoAsync("/buyer/invoices");
        Assert.Equal(0, await page.Locator("tr[data-invoice='2026-12-01.sme-sh-ai']").CountAsync());
    }

    [Fact]
    public async Task Leases_and_vouchers_show_the_demo_day()
    {
        var key = portal.Keys["sme-sh-ai"];
        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        await page.GotoAsync("/buyer/leases");
        var trades = (await portal.GetJsonAsync(key, "/v1/trades"))["items"]!.AsArray();
        Assert.Equal(trades.Count, await page.Locator("#leases tbody tr").CountAsync());
        await ScreenshotAsync(page, "buyer-leases.png");

        await page.GotoAsync("/buyer/vouchers");
        var vouchers = (await portal.GetJsonAsync(key, "/v1/vouchers"))["items"]!.AsArray();
        Assert.NotEmpty(vouchers);
        foreach (var v in vouchers)
        {
            var row = page.Locator($"#vouchers tr[data-voucher='{v!["id"]}']");
            Assert.Equal(Shared.Fmt.Yuan(v["balanceFen"]!.GetValue<long>()), (await row.Locator(".voucher-left").InnerTextAsync()).Trim());
            Assert.Equal(Shared.Fmt.Yuan(v["faceFen"]!.GetValue<long>()), (await row.Locator("td").Nth(5).InnerTextAsync()).Trim());
        }
        await ScreenshotAsync(page, "buyer-vouchers.png");
    }

    /// <summary>A phone's width: every buyer page fits without sideways scrolling (tables scroll inside their own box).</summary>
    [Fact]
    public async Task The_buyer_pages_fit_a_phone()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-sh-ai"], width: 390);
        await using var _ = context;
        foreach (var path in new[] { "/", "/buyer/market", "/buyer/orders", "/buyer/leases", "/buyer/invoices", "/buyer/invoices/2026-12-01.sme-sh-ai", "/buyer/vouchers" })
        {
            await page.GotoAsync(path);
            Assert.True(await FitsWidthAsync(page), $"{path} is wider than 390 px");
        }
        await page.GotoAsync("/buyer/market");
        await ScreenshotAsync(page, "buyer-market-phone.png");
    }

    /// <summary>Keyboard only: Tab reaches the skip link first, then the language toggle; every input of the bid form has a label.</summary>
    [Fact]
    public async Task The_bid_form_is_labelled_and_keyboard_usable()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-sh-ai"]);
        await using var _ = context;
        await page.GotoAsync("/buyer/market");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        var unlabelled = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)");
        Assert.Empty(unlabelled);
        await page.FocusAsync("#price");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("from", await page.EvaluateAsync<string>("() => document.activeElement.id"));
    }

    private static StringContent JsonContent(JsonNode body) =>
        new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
