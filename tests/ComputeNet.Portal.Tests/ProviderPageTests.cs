using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// The provider's pages on the demo day (prov-nx): offers (a new one placed, reduced and cancelled), utilisation, a usage
/// upload with a good and a bad record, statements with their PDF, payouts and the balance; and what a provider may not open.
/// </summary>
public sealed class ProviderPageTests(PortalFixture portal)
{
    public static readonly string[] ProviderPages =
        ["/provider/offers", "/provider/utilisation", "/provider/usage", "/provider/statements", "/provider/payouts", "/provider/balance", "/provider/credit-notes"];

    private string Key => portal.Keys["prov-nx"];

    private static string Yuan(JsonNode? fen) => Shared.Fmt.Yuan(fen!.GetValue<long>());

    [Fact]
    public async Task The_offers_list_the_demo_offers_and_a_new_offer_is_placed_reduced_and_cancelled()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        var nav = await page.Locator("nav.roles a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(ProviderPages, nav);

        await page.GotoAsync("/provider/offers");
        var own = (await portal.GetJsonAsync(Key, "/v1/orders"))["items"]!.AsArray();
        Assert.Contains(own, o => o!["id"]!.GetValue<string>() == "of-nx-a");
        foreach (var o in own)
        {
            var row = page.Locator($"#offers tr[data-offer='{o!["id"]}']");
            Assert.Equal(o["devices"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture), (await row.Locator("td").Nth(2).InnerTextAsync()).Trim());
        }
        // of-nx-a: 64 devices, 8 of them leased to the Shanghai SME's training bid.
        Assert.Equal("64", (await page.Locator("#offers tr[data-offer='of-nx-a'] td").Nth(2).InnerTextAsync()).Trim());
        Assert.Equal(0, await page.Locator("#offers tr[data-offer='of-gy-hi']").CountAsync()); // another provider's
        await ScreenshotAsync(page, "provider-offers.png");

        // A new offer: the rules' validation next to the field, then accepted (resting: no bid pays 99.00 then).
        await page.GotoAsync("/provider/new-offer");
        var offerId = await page.InputValueAsync("#id");
        async Task Fill(string devices, string price)
        {
            await page.SelectOptionAsync("#cluster", "zhongwei");
            await page.SelectOptionAsync("#resourceClass", "ai-fp16-80g");
            await page.FillAsync("#devices", devices);
            await page.FillAsync("#price", price);
            await page.FillAsync("#from", "2026-12-04T00:00");
            await page.FillAsync("#to", "2026-12-04T06:00");
        }
        await Fill("0", "99.00");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#place-offer")))!.Status);
        Assert.True(await page.Locator("#devices-error").IsVisibleAsync(), await page.InnerTextAsync("#offer-form"));
        await Fill("4", "ninety-nine");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#place-offer")))!.Status);
        Assert.True(await page.Locator("#price-error").IsVisibleAsync());
        await Fill("4", "99.00");
        await page.FillAsync("#id", offerId);
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#place-offer")))!.Status);
        var result = await page.InnerTextAsync("#offer-result");
        Assert.Contains(offerId, result, StringComparison.Ordinal);
        Assert.Contains("挂单中", result, StringComparison.Ordinal);
        await ScreenshotAsync(page, "provider-new-offer.png");
        Assert.Equal("resting", (await portal.GetJsonAsync(Key, $"/v1/orders/{offerId}"))["state"]!.GetValue<string>());

        // Reduce (a refused reduction next to its field), then cancel.
        await page.GotoAsync($"/provider/offers/{offerId}");
        Assert.Equal("4", (await page.InnerTextAsync("#order-devices")).Trim());
        await page.FillAsync("#devices", "9");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reduce")))!.Status);
        Assert.True(await page.Locator("#devices-error").IsVisibleAsync(), await page.InnerTextAsync("main"));
        await page.FillAsync("#devices", "2");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reduce"));
        Assert.Equal("2", (await page.InnerTextAsync("#order-devices")).Trim());
        Assert.Equal(2, (await portal.GetJsonAsync(Key, $"/v1/orders/{offerId}"))["devices"]!.GetValue<int>());
        await ScreenshotAsync(page, "provider-offer.png");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#cancel"));
        Assert.Equal("已撤销", (await page.InnerTextAsync("#order-state")).Trim());
        Assert.Equal("cancelled", (await portal.GetJsonAsync(Key, $"/v1/orders/{offerId}"))["state"]!.GetValue<string>());

        // Another provider's offer is 404, as over the API.
        var theirs = await page.GotoAsync("/provider/offers/of-gy-hi");
        Assert.Equal(404, theirs!.Status);
        Assert.True(await page.Locator("#not-found").IsVisibleAsync());
    }

    [Fact]
    public async Task Utilisation_shows_the_demo_days_offered_leased_and_delivered_device_hours()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        var view = await portal.GetJsonAsync(Key, "/v1/utilisation?by=period&from=2026-11-30&to=2026-12-02");
        var series = view["offers"]!.AsArray().Single(s => s!["offer"]!.GetValue<string>() == "of-nx-a")!;
        var day = series["points"]!.AsArray().Single(p => p!["bucket"]!.GetValue<string>() == "2026-12-01")!;
        // 64 devices offered for the 24 hours of the demo day, 8 of them leased (b-sh-train) and 576,000 device-seconds delivered.
        Assert.Equal(64 * 24, day["offeredDeviceHours"]!.GetValue<long>());
        Assert.Equal(8 * 24, day["leasedDeviceHours"]!.GetValue<long>());
        Assert.Equal(576_000, day["deliveredDeviceSeconds"]!.GetValue<long>());

        await page.GotoAsync("/provider/utilisation?by=period&from=2026-11-30&to=2026-12-02&offer=of-nx-a");
        var row = page.Locator("#offer-points tr[data-offer='of-nx-a'][data-step='2026-12-01'] td");
        Assert.Equal("1,536", (await row.Nth(3).InnerTextAsync()).Trim());
        Assert.Equal("192", (await row.Nth(4).InnerTextAsync()).Trim());
        Assert.Equal("12.5%", (await row.Nth(5).InnerTextAsync()).Trim());
        Assert.Equal("160", (await row.Nth(6).InnerTextAsync()).Trim()); // 576,000 s = 160 device-hours
        // The cluster's chart, with its figures in the table beside it (both offers of 中卫 summed).
        var cluster = view["clusters"]!.AsArray().Single(s => s!["cluster"]!.GetValue<string>() == "zhongwei")!;
        var clusterDay = cluster["points"]!.AsArray().Single(p => p!["bucket"]!.GetValue<string>() == "2026-12-01")!;
        Assert.Equal(Shared.Fmt.Number(clusterDay["offeredDeviceHours"]!.GetValue<long>()),
            (await page.Locator("#cluster-zhongwei tr[data-step='2026-12-01'] td").Nth(1).InnerTextAsync()).Trim());
        Assert.True(await page.Locator("#chart-cluster-zhongwei svg rect.bar").CountAsync() >= 3);
        Assert.True(await page.Locator("#chart-offer svg rect.bar").CountAsync() >= 3);
        await ScreenshotAsync(page, "provider-utilisation.png");

        // Per hour: the demo day's morning, four steps entered in the platform's time zone.
        await page.GotoAsync("/provider/utilisation?by=hour&from=2026-12-01T08:00&to=2026-12-01T12:00&offer=of-nx-a");
        Assert.Equal(4, await page.Locator("#offer-points tr[data-offer='of-nx-a']").CountAsync());
        Assert.Equal("64", (await page.Locator("#offer-points tr[data-offer='of-nx-a'] td").Nth(3).InnerTextAsync()).Trim());

        // A range the request refuses: the rules' reason next to the field.
        var refused = await page.GotoAsync("/provider/utilisation?by=period&from=2026-12-05&to=2026-12-01");
        Assert.Equal(400, refused!.Status);
        Assert.True(await page.Locator("#from-error").IsVisibleAsync(), await page.InnerTextAsync("main"));
    }

    [Fact]
    public async Task A_usage_file_with_a_good_and_a_bad_record_shows_each_records_result()
    {
        // The good record: the demo's u-sh-train exactly as stored (accepted as a repeat: the demo's figures do not change).
        var stored = (await portal.GetJsonAsync(Key, "/v1/usage?limit=100"))["items"]!.AsArray().First(u => u!["recordId"]!.GetValue<string>() == "u-sh-train")!;
        string Field(string name) => stored[name]!.ToJsonString().Trim('"');
        var csv = new StringBuilder()
            .Append("id,lease,from,to,deviceSeconds,energyKwh,greenKwh,transferGb\r\n")
            .Append(CultureInfo.InvariantCulture, $"u-sh-train,{Field("leaseId")},{Field("from")},{Field("to")},{Field("deviceSeconds")},{Field("energyKwh")},{Field("greenKwh")},{Field("transferGb")}\r\n")
            .Append("u-portal-bad,no-such-lease,2026-12-01T00:00:00+08:00,2026-12-01T01:00:00+08:00,3600,1,0,0\r\n")
            .ToString();

        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        await page.GotoAsync("/provider/usage");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "usage.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#upload")))!.Status);
        Assert.Equal("已保存 0 条，重复 1 条，拒绝 1 条。", (await page.InnerTextAsync("#usage-summary")).Trim());
        var good = page.Locator("#usage-results tr[data-index='0']");
        Assert.Equal("repeat", await good.GetAttributeAsync("data-status"));
        Assert.Contains("u-sh-train", await good.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("2", (await good.Locator("td").Nth(1).InnerTextAsync()).Trim()); // the file's line
        var bad = page.Locator("#usage-results tr[data-index='1']");
        Assert.Equal("rejected", await bad.GetAttributeAsync("data-status"));
        Assert.Contains("unknown-lease", await bad.Locator("td").Nth(4).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("lease", (await bad.Locator("td").Nth(5).InnerTextAsync()).Trim());
        Assert.False(string.IsNullOrWhiteSpace(await bad.Locator("td").Nth(6).InnerTextAsync()));
        await ScreenshotAsync(page, "provider-usage.png");
        // Nothing was stored for the bad record.
        Assert.DoesNotContain((await portal.GetJsonAsync(Key, "/v1/usage?limit=100"))["items"]!.AsArray(), u => u!["recordId"]!.GetValue<string>() == "u-portal-bad");

        // The same records as CloudEvents, read by the API's own code: a good event, and one whose source is another provider.
        var events = new JsonArray(
            CloudEvent("u-sh-train", "prov-nx", stored),
            CloudEvent("u-portal-ce", "prov-gy", stored));
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "usage.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(events.ToJsonString()) });
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#upload"));
        Assert.Equal("repeat", await page.Locator("#usage-results tr[data-index='0']").GetAttributeAsync("data-status"));
        var wrongSource = page.Locator("#usage-results tr[data-index='1']");
        Assert.Equal("rejected", await wrongSource.GetAttributeAsync("data-status"));
        Assert.Contains("source must be the calling provider", await wrongSource.InnerTextAsync(), StringComparison.Ordinal);

        // A file over the API's limit is refused whole, with the limit named.
        var big = new byte[Provider.UsageFiles.MaxBytes + 1];
        Array.Fill(big, (byte)'#');
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "big.csv", MimeType = "text/csv", Buffer = big });
        Assert.Equal(413, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#upload")))!.Status);
        Assert.Contains("8,388,608", await page.InnerTextAsync("#file-error"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#usage-results").CountAsync());

        // A CSV without the required columns is refused whole too.
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("id,lease\r\nx,y\r\n") });
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#upload")))!.Status);
        Assert.Contains("'from'", await page.InnerTextAsync("#file-error"), StringComparison.Ordinal);
    }

    private static JsonObject CloudEvent(string id, string source, JsonNode record) => new()
    {
        ["specversion"] = "1.0", ["type"] = "computenet.usage.v1", ["source"] = source, ["id"] = id,
        ["data"] = new JsonObject
        {
            ["lease"] = record["leaseId"]!.DeepClone(), ["from"] = record["from"]!.DeepClone(), ["to"] = record["to"]!.DeepClone(),
            ["deviceSeconds"] = record["deviceSeconds"]!.DeepClone(), ["energyKwh"] = record["energyKwh"]!.DeepClone(),
            ["greenKwh"] = record["greenKwh"]!.DeepClone(), ["transferGb"] = record["transferGb"]!.DeepClone(),
        },
    };

    [Fact]
    public async Task Statements_payouts_and_the_balance_show_the_demo_day_and_the_PDF_downloads()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        const string id = "2026-12-01.provider.prov-nx";
        var periods = (await portal.GetJsonAsync(Key, "/v1/statements")).AsArray();
        var statement = periods.Single(p => p!["period"]!.GetValue<string>() == "2026-12-01")!["providers"]!.AsArray().Single()!;
        await page.GotoAsync("/provider/statements");
        var row = page.Locator($"#statements tr[data-statement='{id}'] td");
        Assert.Equal(Yuan(statement["grossFen"]), (await row.Nth(1).InnerTextAsync()).Trim());
        Assert.Equal(Yuan(statement["feeFen"]), (await row.Nth(2).InnerTextAsync()).Trim());
        Assert.Equal(Yuan(statement["netFen"]), (await row.Nth(3).InnerTextAsync()).Trim());
        // The demo's bank payout to prov-nx paid its whole net.
        Assert.Equal("¥1,549.75", (await row.Nth(3).InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "provider-statements.png");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"a[data-pdf='{id}']"));
        var head = new byte[5];
        await using (var file = File.OpenRead(await download.PathAsync()))
        {
            Assert.Equal(5, await file.ReadAsync(head));
        }
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(head));

        // Payouts through Stripe: none on the demo day (it paid by bank transfer), the same as the API's scoped read.
        await page.GotoAsync("/provider/payouts");
        Assert.Empty((await portal.GetJsonAsync(Key, "/v1/payouts"))["items"]!.AsArray());
        Assert.True(await page.Locator("#no-payouts").IsVisibleAsync());

        // The balance and the ledger lines: the close's credit and the bank payout, settled to 0.
        await page.GotoAsync("/provider/balance");
        var balance = (await portal.GetJsonAsync(Key, "/v1/balance"))["accounts"]!.AsArray().Single()!;
        Assert.Equal("provider:prov-nx", balance["account"]!.GetValue<string>());
        Assert.Equal(Yuan(balance["balanceFen"]), (await page.Locator("#balances tr[data-account='provider:prov-nx'] td").Nth(1).InnerTextAsync()).Trim());
        var lines = (await portal.GetJsonAsync(Key, "/v1/balance/lines"))["items"]!.AsArray();
        Assert.Equal(lines.Count, await page.Locator("#ledger-lines tbody tr").CountAsync());
        var payout = page.Locator("#ledger-lines tr[data-kind='payout'] td");
        Assert.Equal("¥1,549.75", (await payout.Nth(4).InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "provider-balance.png");
    }

    /// <summary>URL guessing and the role matrix: another provider's statement and offer are 404; the carrier's pages are 403.</summary>
    [Fact]
    public async Task A_provider_cannot_open_another_providers_statement_or_the_carriers_pages()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        Assert.Equal(404, (await page.APIRequest.GetAsync("/provider/statements/2026-12-01.provider.prov-gy/pdf")).Status);
        Assert.Equal(404, (await page.APIRequest.GetAsync("/provider/statements/2026-12-01.carrier.carrier-west/pdf")).Status);
        Assert.Equal(200, (await page.APIRequest.GetAsync("/provider/statements/2026-12-01.provider.prov-nx/pdf")).Status);
        foreach (var path in CarrierPageTests.CarrierPages)
        {
            var answer = await page.GotoAsync(path);
            Assert.Equal(403, answer!.Status);
            Assert.Equal("/denied", Path(page));
        }
        await page.GotoAsync("/provider/statements");
        Assert.Equal(0, await page.Locator("tr[data-statement='2026-12-01.provider.prov-gy']").CountAsync());
    }

    [Fact]
    public async Task The_provider_pages_fit_a_phone()
    {
        var (context, page) = await SignedInAsync(portal, Key, width: 390);
        await using var _ = context;
        foreach (var path in ProviderPages.Append("/provider/new-offer").Append("/provider/offers/of-nx-a"))
        {
            Assert.Equal(200, (await page.GotoAsync(path))!.Status);
            Assert.True(await FitsWidthAsync(page), $"{path} is wider than 390 px");
        }
        await page.GotoAsync("/provider/utilisation");
        await ScreenshotAsync(page, "provider-utilisation-phone.png");
    }
}
