using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// The voucher issuer's pages on the demo day, signed in as 上海市经信委 (sh-gov): programmes with their budget per programme
/// and per period, a programme opened and closed early, a grant, claims with their CSV evidence; and what an issuer may not open.
/// </summary>
public sealed class IssuerPageTests(PortalFixture portal)
{
    private const string Issuer = "sh-gov";
    private const string Programme = "sh-compute-2026";

    private string Key => portal.Keys[Issuer];

    private static async Task<string> CellAsync(ILocator row, string css) => (await row.Locator(css).InnerTextAsync()).Trim();

    [Fact]
    public async Task The_programmes_show_the_demo_days_budget_per_programme_and_per_period()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        Assert.Equal(200, (await page.GotoAsync("/issuer/programmes"))!.Status);

        // Every programme of the issuer, with the figures GET /v1/programmes gives it; none of another issuer's.
        var programmes = (await portal.GetJsonAsync(Key, "/v1/programmes"))["items"]!.AsArray();
        Assert.Contains(programmes, p => p!["programme"]!["id"]!.GetValue<string>() == Programme);
        foreach (var item in programmes)
        {
            var p = item!["programme"]!;
            var row = page.Locator($"#programmes tr[data-programme='{p["id"]}']");
            Assert.Equal(Shared.Fmt.Yuan(p["budgetFen"]!.GetValue<long>()), await CellAsync(row, ".budget"));
            Assert.Equal(Shared.Fmt.Yuan(p["grantedFen"]!.GetValue<long>()), await CellAsync(row, ".granted"));
            Assert.Equal(Shared.Fmt.Yuan(p["redeemedFen"]!.GetValue<long>()), await CellAsync(row, ".redeemed"));
            Assert.Equal(Shared.Fmt.Yuan(p["lapsedFen"]!.GetValue<long>()), await CellAsync(row, ".lapsed"));
            Assert.Equal(Shared.Fmt.Yuan(p["remainingBudgetFen"]!.GetValue<long>()), await CellAsync(row, ".remaining"));
        }
        Assert.Equal(0, await page.Locator("tr[data-programme='west-transport-2026']").CountAsync());
        // The demo's figures: a 500,000-yuan budget; the close of 2026-12-01 redeemed 5,000.00 yuan of it (the issuers owe
        // 5,082.02 yuan in all, 82.02 of them Ningxia's transport vouchers).
        var demo = page.Locator($"#programmes tr[data-programme='{Programme}']");
        Assert.Equal("¥500,000.00", await CellAsync(demo, ".budget"));
        Assert.Equal("¥5,000.00", await CellAsync(demo, ".redeemed"));
        // The chart: one bar per programme, its segments the same fen.
        var bar = page.Locator($"#programmes-chart g.bar[data-step='{Programme}']");
        Assert.Equal("500000", await bar.Locator("rect.redeemed").GetAttributeAsync("data-fen"));
        await ScreenshotAsync(page, "issuer-programmes.png");

        // Per period, as GET /v1/programmes/{id}/periods answers.
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync($"#programmes tr[data-programme='{Programme}'] a"));
        Assert.Equal($"/issuer/programmes/{Programme}", Path(page));
        var periods = await portal.GetJsonAsync(Key, $"/v1/programmes/{Programme}/periods");
        Assert.Equal(Shared.Fmt.Yuan(periods["redeemedFen"]!.GetValue<long>()), (await page.InnerTextAsync("#total-redeemed")).Trim());
        Assert.Equal(Shared.Fmt.Yuan(periods["remainingBudgetFen"]!.GetValue<long>()), (await page.InnerTextAsync("#total-remaining")).Trim());
        var list = periods["periods"]!.AsArray();
        Assert.Equal(list.Count, await page.Locator("#programme-periods tbody tr").CountAsync());
        foreach (var p in list)
        {
            var row = page.Locator($"#programme-periods tr[data-period='{p!["period"]}']");
            Assert.Equal(Shared.Fmt.Yuan(p["grantedFen"]!.GetValue<long>()), await CellAsync(row, ".granted"));
            Assert.Equal(Shared.Fmt.Yuan(p["redeemedFen"]!.GetValue<long>()), await CellAsync(row, ".redeemed"));
            Assert.Equal(Shared.Fmt.Yuan(p["lapsedFen"]!.GetValue<long>()), await CellAsync(row, ".lapsed"));
        }
        Assert.Equal("¥5,000.00", await CellAsync(page.Locator("#programme-periods tr[data-period='2026-12-01']"), ".redeemed"));
        Assert.Equal("500000", await page.Locator("#periods-chart g.bar[data-step='2026-12-01'] rect.redeemed").GetAttributeAsync("data-fen"));
        await ScreenshotAsync(page, "issuer-programme.png");
    }

    [Fact]
    public async Task A_programme_is_opened_with_its_fields_checked_granted_from_and_closed_early()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        await page.GotoAsync("/issuer/programmes");
        const string id = "sh-sme-pilot-2026";

        // The rules' and the form's rejections, next to the field they name; nothing is created.
        await page.FillAsync("#id", id);
        await page.FillAsync("#coverageBp", "0");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#create-programme")))!.Status);
        Assert.True(await page.Locator("#coverageBp-error").IsVisibleAsync(), await page.InnerTextAsync("#programme-form"));
        await page.FillAsync("#coverageBp", "5000");
        await page.FillAsync("#budgetFen", "12.345");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#create-programme")))!.Status);
        Assert.True(await page.Locator("#budgetFen-error").IsVisibleAsync());
        await page.FillAsync("#budgetFen", "2000.00");
        await page.FillAsync("#buyerCities", "atlantis");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#create-programme")))!.Status);
        Assert.Contains("atlantis", await page.InnerTextAsync("#buyerCities-error"), StringComparison.Ordinal);
        Assert.DoesNotContain((await portal.GetJsonAsync(Key, "/v1/programmes"))["items"]!.AsArray(), p => p!["programme"]!["id"]!.GetValue<string>() == id);

        // Valid: 2,000 yuan at 50 %, cap 1,000 yuan, from tomorrow to the end of the year, any city.
        await page.FillAsync("#buyerCities", "");
        await page.FillAsync("#capFen", "1000");
        await page.FillAsync("#validFrom", "2026-12-03T00:00");
        await page.FillAsync("#validTo", "2027-01-01T00:00");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#create-programme")))!.Status);
        Assert.Contains(id, await page.InnerTextAsync("#programme-result"), StringComparison.Ordinal);
        var row = page.Locator($"#programmes tr[data-programme='{id}']");
        Assert.Equal("¥2,000.00", await CellAsync(row, ".budget"));
        var created = (await portal.GetJsonAsync(Key, "/v1/programmes"))["items"]!.AsArray().Single(p => p!["programme"]!["id"]!.GetValue<string>() == id)!["programme"]!;
        Assert.Equal((5000, 100_000L, 200_000L), (created["coverageBp"]!.GetValue<int>(), created["capFen"]!.GetValue<long>(), created["budgetFen"]!.GetValue<long>()));

        // Grants: refused whole with the reason next to the field, then one granted and listed.
        await page.GotoAsync($"/issuer/grants?programme={id}");
        Assert.Equal(id, await page.InputValueAsync("#programme"));
        await page.FillAsync("#buyer", "corp-hz"); // a large company: vouchers are for SMEs
        await page.FillAsync("#faceFen", "500");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#grant")))!.Status);
        Assert.Contains("SME", await page.InnerTextAsync("#buyer-error"), StringComparison.Ordinal);
        await page.FillAsync("#buyer", "sme-cd-edu");
        await page.FillAsync("#faceFen", "1000.01"); // above the cap of 1,000 yuan
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#grant")))!.Status);
        Assert.True(await page.Locator("#faceFen-error").IsVisibleAsync());
        var grantId = await page.InputValueAsync("#id");
        await page.FillAsync("#faceFen", "1000");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#grant")))!.Status);
        Assert.Contains("sme-cd-edu", await page.InnerTextAsync("#grant-result"), StringComparison.Ordinal);
        var voucher = page.Locator($"#vouchers tr[data-voucher='{grantId}']");
        Assert.Equal("¥1,000.00", await CellAsync(voucher, ".face"));
        Assert.Equal("¥1,000.00", await CellAsync(voucher, ".voucher-left"));
        var vouchers = (await portal.GetJsonAsync(Key, "/v1/vouchers"))["items"]!.AsArray();
        var granted = vouchers.Single(v => v!["id"]!.GetValue<string>() == grantId)!;
        Assert.Equal(("sme-cd-edu", 100_000L), (granted["buyer"]!.GetValue<string>(), granted["faceFen"]!.GetValue<long>()));
        Assert.Equal(vouchers.Count, await page.Locator("#vouchers tbody tr").CountAsync());
        await ScreenshotAsync(page, "issuer-grants.png");

        // Closed early: no more grants; the list says so.
        await page.GotoAsync($"/issuer/programmes/{id}");
        Assert.Equal("¥1,000.00", (await page.InnerTextAsync("#total-granted")).Trim());
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#close-programme")))!.Status);
        Assert.Contains(id, await page.InnerTextAsync("#close-result"), StringComparison.Ordinal);
        var closed = (await portal.GetJsonAsync(Key, "/v1/programmes"))["items"]!.AsArray().Single(p => p!["programme"]!["id"]!.GetValue<string>() == id)!["programme"]!;
        Assert.True(closed["closedEarly"]!.GetValue<bool>());
        await page.GotoAsync($"/issuer/grants?programme={id}");
        await page.FillAsync("#buyer", "sme-gz-bio");
        await page.FillAsync("#faceFen", "10");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#grant")))!.Status);
        Assert.Contains("closed early", await page.InnerTextAsync("#programme-error"), StringComparison.Ordinal);
        await page.GotoAsync("/issuer/programmes");
        Assert.Equal("已提前关闭", await CellAsync(page.Locator($"#programmes tr[data-programme='{id}']"), ".state"));
    }

    [Fact]
    public async Task Claims_show_their_evidence_and_download_as_the_APIs_CSV()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        await page.GotoAsync("/issuer/claims");
        var claims = (await portal.GetJsonAsync(Key, "/v1/claims"))["items"]!.AsArray();
        var claim = Assert.Single(claims)!;
        Assert.Equal("2026-12-01", claim["period"]!.GetValue<string>());
        var section = page.Locator("section.claim[data-period='2026-12-01']");
        Assert.Equal("¥5,000.00", await CellAsync(section, ".claim-redeemed"));
        Assert.Equal(claim["items"]!.AsArray().Count, await section.Locator("table.claim-items tbody tr").CountAsync());
        await ScreenshotAsync(page, "issuer-claims.png");

        var download = await page.RunAndWaitForDownloadAsync(() => section.Locator("a.claims-csv").ClickAsync());
        Assert.Equal("claims-2026-12-01.csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("period,issuer,programme,voucher,buyer,redeemed_fen,invoice,line_no,line_kind,late,line_amount_fen,line_voucher_fen,lease,provider,cluster,hub,"
            + "resource_class,devices,lease_from,lease_to,price_yuan_per_scu_hour,record,record_from,record_to,device_seconds,scu_hours,energy_kwh,green_kwh,transfer_gb,carrier",
            lines[0]);
        Assert.True(lines.Length > 1);
        Assert.All(lines.Skip(1), l => Assert.StartsWith($"2026-12-01,{Issuer},{Programme},", l, StringComparison.Ordinal));
        // The same bytes as the API's export for this issuer.
        using var api = portal.ApiClient(Key);
        Assert.Equal(await api.GetStringAsync("/v1/exports/claims?period=2026-12-01"), csv);

        // The claim as PDF: the request of GET /v1/claims/{id}/pdf for this issuer.
        var pdf = await page.RunAndWaitForDownloadAsync(() => section.Locator("a.claim-pdf").ClickAsync());
        Assert.Equal($"claim-2026-12-01.issuer.{Issuer}.pdf", pdf.SuggestedFilename);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString((await File.ReadAllBytesAsync(await pdf.PathAsync()))[..5]), StringComparison.Ordinal);
    }

    /// <summary>URL guessing: an issuer is refused the regulator's pages and downloads (403) and another issuer's programme (404, as over the API).</summary>
    [Fact]
    public async Task An_issuer_cannot_open_the_regulators_pages_or_another_issuers_programme()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        foreach (var path in new[] { "/regulator/map", "/regulator/periods", "/regulator/checkpoints", "/regulator/ledger" })
        {
            var answer = await page.GotoAsync(path);
            Assert.Equal(403, answer!.Status);
            Assert.Equal("/denied", Path(page));
        }
        foreach (var path in new[] { "/regulator/checkpoints/json", "/regulator/checkpoints/2026-12-01/json", "/regulator/public-key/pem", "/regulator/proofs/json?txId=x" })
        {
            var answer = await page.APIRequest.GetAsync(path);
            Assert.Equal(403, answer.Status);
            Assert.DoesNotContain("merkleRoot", await answer.TextAsync(), StringComparison.Ordinal);
        }

        // Ningxia's transport programme is not Shanghai's: 404 with nothing of it shown.
        var other = await page.GotoAsync("/issuer/programmes/west-transport-2026");
        Assert.Equal(404, other!.Status);
        Assert.True(await page.Locator("#not-found").IsVisibleAsync());
        Assert.DoesNotContain("¥", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Equal(404, (await page.APIRequest.GetAsync("/issuer/programmes/west-transport-2026?from=2026-12-01&to=2026-12-01")).Status);
        // Its CSV and claims list hold only its own programmes.
        var csv = await (await page.APIRequest.GetAsync("/issuer/claims/2026-12-01/csv")).TextAsync();
        Assert.DoesNotContain("west-transport-2026", csv, StringComparison.Ordinal);
        await page.GotoAsync("/issuer/claims");
        Assert.DoesNotContain("west-transport-2026", await page.InnerTextAsync("main"), StringComparison.Ordinal);

        // And the other way round: Ningxia sees its own programme and not Shanghai's.
        portal.Keys["nx-gov"] = portal.Keys.TryGetValue("nx-gov", out var nx) ? nx : await portal.RotateKeyAsync("nx-gov");
        var (nxContext, nxPage) = await SignedInAsync(portal, portal.Keys["nx-gov"]);
        await using var __ = nxContext;
        await nxPage.GotoAsync("/issuer/programmes");
        Assert.Equal(1, await nxPage.Locator("#programmes tr[data-programme='west-transport-2026']").CountAsync());
        Assert.Equal(404, (await nxPage.GotoAsync($"/issuer/programmes/{Programme}"))!.Status);
        // The buyer's pages are not an issuer's.
        Assert.Equal(403, (await nxPage.GotoAsync("/buyer/vouchers"))!.Status);
    }

    /// <summary>A phone's width and the keyboard: the issuer's pages fit 390 px, and every field has a label.</summary>
    [Fact]
    public async Task The_issuer_pages_fit_a_phone_and_label_every_field()
    {
        var (context, page) = await SignedInAsync(portal, Key, width: 390);
        await using var _ = context;
        foreach (var path in new[] { "/issuer/programmes", $"/issuer/programmes/{Programme}", "/issuer/grants", "/issuer/claims" })
        {
            Assert.Equal(200, (await page.GotoAsync(path))!.Status);
            Assert.True(await FitsWidthAsync(page), $"{path} is wider than 390 px");
            var unlabelled = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)");
            Assert.Empty(unlabelled);
        }
    }
}
