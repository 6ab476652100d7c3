using System.Text;
using System.Text.Json.Nodes;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>The carrier's pages on the demo day (carrier-west): routes, GB and revenue per route and period, statements with their PDF, balance.</summary>
public sealed class CarrierPageTests(PortalFixture portal)
{
    public static readonly string[] CarrierPages = ["/carrier/routes", "/carrier/transport", "/carrier/statements", "/carrier/balance", "/carrier/credit-notes", "/carrier/payouts"];

    private string Key => portal.Keys["carrier-west"];

    private static string Yuan(JsonNode? fen) => Shared.Fmt.Yuan(fen!.GetValue<long>());

    [Fact]
    public async Task Routes_and_transport_show_the_demo_days_GB_and_revenue_per_route()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        var nav = await page.Locator("nav.roles a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(CarrierPages, nav);

        await page.GotoAsync("/carrier/routes");
        var routes = (await portal.GetJsonAsync(Key, "/v1/routes?limit=1000"))["items"]!.AsArray();
        Assert.NotEmpty(routes);
        Assert.Equal(routes.Count, await page.Locator("#routes tbody tr").CountAsync());
        foreach (var r in routes)
        {
            Assert.Equal(1, await page.Locator($"#routes tr[data-route='{r!["city"]}-{r["cluster"]}']").CountAsync());
        }
        Assert.Equal(1, await page.Locator("#routes tr[data-route='shanghai-zhongwei']").CountAsync());
        await ScreenshotAsync(page, "carrier-routes.png");

        // Shanghai→中卫 carried 1,250.5 GB on the demo day, billed at 0.08 yuan/GB: 100.04 yuan; Shanghai→贵安 800 GB: 64.00 yuan.
        await page.GotoAsync("/carrier/transport?from=2026-11-30&to=2026-12-02");
        var traffic = (await portal.GetJsonAsync(Key, "/v1/transport?from=2026-11-30&to=2026-12-02"))["routes"]!.AsArray();
        Assert.Equal(traffic.Count, await page.Locator("#transport tbody tr").CountAsync());
        foreach (var t in traffic)
        {
            var cells = page.Locator($"#transport tr[data-route='{t!["city"]}-{t["cluster"]}'][data-period='{t["period"]}'] td");
            Assert.Equal(Shared.Fmt.Number(t["transferredGb"]!.GetValue<decimal>()), (await cells.Nth(2).InnerTextAsync()).Trim());
            Assert.Equal(Yuan(t["revenueFen"]), (await cells.Nth(5).InnerTextAsync()).Trim());
            Assert.Equal(Yuan(t["netFen"]), (await cells.Nth(7).InnerTextAsync()).Trim());
        }
        var zhongwei = page.Locator("#transport tr[data-route='shanghai-zhongwei'][data-period='2026-12-01'] td");
        Assert.Equal("1,250.5", (await zhongwei.Nth(2).InnerTextAsync()).Trim());
        Assert.Equal("¥100.04", (await zhongwei.Nth(5).InnerTextAsync()).Trim());
        var guian = page.Locator("#transport tr[data-route='shanghai-guian'][data-period='2026-12-01'] td");
        Assert.Equal("800", (await guian.Nth(2).InnerTextAsync()).Trim());
        Assert.Equal("¥64.00", (await guian.Nth(5).InnerTextAsync()).Trim());
        Assert.Equal("¥164.04", (await page.Locator("#transport-total td").Nth(3).InnerTextAsync()).Trim());
        Assert.Equal(2, await page.Locator("#chart-transport svg rect.bar").CountAsync()); // one bar per route with traffic, on the one day
        await ScreenshotAsync(page, "carrier-transport.png");

        // A period key the request refuses: its reason next to the field.
        var refused = await page.GotoAsync("/carrier/transport?from=yesterday");
        Assert.Equal(400, refused!.Status);
        Assert.True(await page.Locator("#from-error").IsVisibleAsync(), await page.InnerTextAsync("main"));
    }

    [Fact]
    public async Task Statements_and_the_balance_show_the_demo_day_and_the_PDF_downloads()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        const string id = "2026-12-01.carrier.carrier-west";
        var periods = (await portal.GetJsonAsync(Key, "/v1/statements")).AsArray();
        var statement = periods.Single(p => p!["period"]!.GetValue<string>() == "2026-12-01")!["carriers"]!.AsArray().Single()!;
        await page.GotoAsync("/carrier/statements");
        var row = page.Locator($"#statements tr[data-statement='{id}'] td");
        Assert.Equal(Yuan(statement["grossFen"]), (await row.Nth(1).InnerTextAsync()).Trim());
        Assert.Equal(Yuan(statement["netFen"]), (await row.Nth(3).InnerTextAsync()).Trim());
        Assert.Equal("¥162.40", (await row.Nth(3).InnerTextAsync()).Trim()); // 164.04 less the 100 bp fee
        await ScreenshotAsync(page, "carrier-statements.png");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"a[data-pdf='{id}']"));
        var head = new byte[5];
        await using (var file = File.OpenRead(await download.PathAsync()))
        {
            Assert.Equal(5, await file.ReadAsync(head));
        }
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(head));

        await page.GotoAsync("/carrier/balance");
        var balance = (await portal.GetJsonAsync(Key, "/v1/balance"))["accounts"]!.AsArray().Single()!;
        Assert.Equal(Yuan(balance["balanceFen"]), (await page.Locator("#balances tr[data-account='carrier:carrier-west'] td").Nth(1).InnerTextAsync()).Trim());
        var lines = (await portal.GetJsonAsync(Key, "/v1/balance/lines"))["items"]!.AsArray();
        Assert.Equal(lines.Count, await page.Locator("#ledger-lines tbody tr").CountAsync());
        Assert.Equal("¥162.40", (await page.Locator("#ledger-lines tr[data-kind='payout'] td").Nth(4).InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "carrier-balance.png");
    }

    /// <summary>The role matrix and URL guessing: the provider's pages are 403, a provider's statement PDF is 404.</summary>
    [Fact]
    public async Task A_carrier_cannot_open_the_providers_pages_or_their_statements()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        foreach (var path in ProviderPageTests.ProviderPages)
        {
            var answer = await page.GotoAsync(path);
            Assert.Equal(403, answer!.Status);
            Assert.Equal("/denied", Path(page));
        }
        Assert.Equal(404, (await page.APIRequest.GetAsync("/carrier/statements/2026-12-01.provider.prov-nx/pdf")).Status);
    }

    [Fact]
    public async Task The_carrier_pages_fit_a_phone()
    {
        var (context, page) = await SignedInAsync(portal, Key, width: 390);
        await using var _ = context;
        foreach (var path in CarrierPages)
        {
            Assert.Equal(200, (await page.GotoAsync(path))!.Status);
            Assert.True(await FitsWidthAsync(page), $"{path} is wider than 390 px");
        }
    }
}
