using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// The regulator's pages on the demo day, signed in as the regulator (regulator-ndrc): the map with utilisation, green share and
/// the east→west flow; periods with a verification run from the page; checkpoints and an inclusion proof downloaded; the trial
/// balance. Every figure is checked against the API's answer to the same request.
/// </summary>
public sealed class RegulatorPageTests(PortalFixture portal)
{
    private const string Period = "2026-12-01";

    private string Key => portal.Keys["regulator-ndrc"];

    private static async Task<string> CellAsync(ILocator row, string css) => (await row.Locator(css).InnerTextAsync()).Trim();

    private static string Share(JsonNode? ratio) => ratio is null ? "–" : Shared.Fmt.Number(Math.Round(ratio.GetValue<decimal>() * 100, 2)) + "%";

    [Fact]
    public async Task The_map_shows_the_demo_days_clusters_green_share_and_east_west_flow()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        Assert.Equal(200, (await page.GotoAsync("/regulator/map"))!.Status);
        // The latest closed period by default.
        Assert.Equal(Period, await page.InputValueAsync("#period"));

        var regional = await portal.GetJsonAsync(Key, $"/v1/reports/regional?from={Period}&to={Period}");
        var period = regional["periods"]!.AsArray().Single()!;
        var clusters = period["clusters"]!.AsArray();
        Assert.Equal(regional["clusters"]!.AsArray().Count, await page.Locator("#regional-map circle.cluster").CountAsync());
        Assert.Equal(clusters.Count, await page.Locator("#map-clusters tbody tr").CountAsync());
        foreach (var c in clusters)
        {
            var row = page.Locator($"#map-clusters tr[data-cluster='{c!["cluster"]}']");
            Assert.Equal(Share(c["utilisation"]), await CellAsync(row, ".utilisation"));
            Assert.Equal(Shared.Fmt.Number(c["scuHours"]!.GetValue<decimal>()), await CellAsync(row, ".scu"));
            Assert.Equal(Share(c["greenShare"]), await CellAsync(row, ".green"));
            // The circle: its size by utilisation, its colour by the measured green share.
            var circle = page.Locator($"#regional-map circle[data-cluster='{c["cluster"]}']");
            Assert.Equal(Regulator.MapMarks.GreenColour(c["greenShare"]?.GetValue<decimal>()), await circle.GetAttributeAsync("fill"));
            Assert.Equal(Regulator.MapProjection.Num(Regulator.MapMarks.Radius(c["utilisation"]?.GetValue<decimal>())), await circle.GetAttributeAsync("r"));
        }
        // The demo day delivered compute: some clusters were used, and the east→west figures are the API's.
        Assert.Contains(clusters, c => c!["scuHours"]!.GetValue<decimal>() > 0);
        Assert.Equal($"{Shared.Fmt.Number(period["eastToWestScuHours"]!.GetValue<decimal>())} SCU·h", (await page.InnerTextAsync("#east-west-scu")).Trim());
        Assert.Equal(Share(period["eastToWestShare"]), (await page.InnerTextAsync("#east-west-share")).Trim());
        Assert.True(period["eastToWestScuHours"]!.GetValue<decimal>() > 0);
        // One arrow per flow; the east→west ones marked.
        var flows = period["flows"]!.AsArray().Where(f => f!["scuHours"]!.GetValue<decimal>() > 0 || f["transferGb"]!.GetValue<decimal>() > 0).ToList();
        Assert.Equal(flows.Count, await page.Locator("#regional-map line.flow").CountAsync());
        var eastWest = flows.Count(f => f!["side"]!.GetValue<string>() == "east" && f["hubKind"]!.GetValue<string>() == "resource");
        Assert.True(eastWest > 0);
        Assert.Equal(eastWest, await page.Locator("#regional-map line.flow.east-west").CountAsync());
        Assert.Equal(period["flows"]!.AsArray().Count, await page.Locator("#map-flows tbody tr").CountAsync());
        await ScreenshotAsync(page, "regulator-map.png");
    }

    [Fact]
    public async Task A_period_is_verified_from_the_page_with_its_result_shown()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        await page.GotoAsync("/regulator/periods");
        var periods = (await portal.GetJsonAsync(Key, "/v1/periods")).AsArray();
        Assert.Equal(periods.Count, await page.Locator("#periods tbody tr").CountAsync());
        foreach (var p in periods)
        {
            Assert.Equal(p!["state"]!.GetValue<string>(), await page.Locator($"#periods tr[data-period='{p["period"]}']").GetAttributeAsync("data-state"));
        }
        var closed = page.Locator($"#periods tr[data-period='{Period}']");
        Assert.Equal("已结算", await CellAsync(closed, ".state"));
        // Its region shares (GET /v1/statements?period=), each linked to its PDF.
        var regions = (await portal.GetJsonAsync(Key, $"/v1/statements?period={Period}")).AsArray().Single()!["regions"]!.AsArray();
        Assert.Equal(regions.Count, await closed.Locator("td.region-shares a.region-pdf").CountAsync());
        Assert.Equal("进行中", await CellAsync(page.Locator("#periods tr[data-period='2026-12-02']"), ".state")); // the fixture's today
        Assert.Equal(0, await page.Locator("#periods tr[data-period='2026-12-02'] button.verify").CountAsync());

        // While a verification runs, the button and the status line say so: seen here by keeping the post from leaving (a
        // listener after the page's own stops it, so the page stays as a person sees it while waiting), then afresh.
        await page.EvaluateAsync("() => document.addEventListener('submit', e => e.preventDefault())");
        var button = closed.Locator("button.verify");
        await button.ClickAsync();
        await page.Locator("#verify-progress").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        Assert.Contains("正在核验", await page.InnerTextAsync("#verify-progress"), StringComparison.Ordinal);
        Assert.Equal("true", await page.GetAttributeAsync("#verify-progress", "aria-busy"));
        await page.WaitForFunctionAsync("() => document.querySelector('#verify-all').disabled");
        Assert.True(await button.IsDisabledAsync());
        await page.GotoAsync("/regulator/periods");
        Assert.False(await page.Locator("#verify-progress").IsVisibleAsync());

        // Verify now: the request behind GET /v1/verify/periods/{period}, its checks and outcome on the page.
        var answer = await page.RunAndWaitForNavigationAsync(() => closed.Locator("button.verify").ClickAsync());
        Assert.Equal(200, answer!.Status);
        var expected = await portal.GetJsonAsync(Key, $"/v1/verify/periods/{Period}");
        Assert.True(expected["ok"]!.GetValue<bool>());
        var result = page.Locator("#verify-result");
        Assert.Contains("verified", await result.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        var text = await result.InnerTextAsync();
        Assert.Contains($"{Period} 核验通过", text, StringComparison.Ordinal);
        Assert.Contains(expected["recomputedRoot"]!.GetValue<string>(), text, StringComparison.Ordinal);
        Assert.Contains($"{expected["transactions"]!.GetValue<int>()} 笔交易", text, StringComparison.Ordinal);
        Assert.Equal(3, await result.Locator("ol.checks li.pass").CountAsync());
        Assert.Equal("通过", await CellAsync(page.Locator($"#periods tr[data-period='{Period}']"), ".verdict"));
        await ScreenshotAsync(page, "regulator-periods.png");

        // All history (GET /v1/verify's request).
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#verify-all")))!.Status);
        var all = await portal.GetJsonAsync(Key, "/v1/verify");
        Assert.True(all["ok"]!.GetValue<bool>());
        Assert.Contains("verified", await page.Locator("#verify-all-result").GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        Assert.Equal(all["periodResults"]!.AsArray().Count, await page.Locator("#verify-all-result ol.checks li.pass").CountAsync());

        // Verification posts carry the antiforgery token like every form: without it, 400 and nothing runs.
        var forged = await page.APIRequest.PostAsync("/regulator/periods", new APIRequestContextOptions
        {
            Form = page.APIRequest.CreateFormData().Set("_handler", $"verify-{Period}"),
        });
        Assert.Equal(400, forged.Status);
    }

    [Fact]
    public async Task Checkpoints_and_an_inclusion_proof_download_as_the_API_gives_them()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        await page.GotoAsync("/regulator/checkpoints");
        var checkpoints = (await portal.GetJsonAsync(Key, "/v1/checkpoints")).AsArray();
        var checkpoint = checkpoints.Single(c => c!["period"]!.GetValue<string>() == Period)!;
        var row = page.Locator($"#checkpoints tr[data-period='{Period}']");
        Assert.Contains(checkpoint["merkleRoot"]!.GetValue<string>(), await row.InnerTextAsync(), StringComparison.Ordinal);

        // Every checkpoint (what POST /v1/verify/checkpoints takes back) and one of them: the API's JSON.
        var all = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#checkpoints-download"));
        Assert.Equal("checkpoints.json", all.SuggestedFilename);
        Assert.True(JsonNode.DeepEquals(checkpoints, JsonNode.Parse(await File.ReadAllTextAsync(await all.PathAsync()))));
        var one = await page.RunAndWaitForDownloadAsync(() => row.Locator("a.checkpoint-download").ClickAsync());
        Assert.Equal($"checkpoint-{Period}.json", one.SuggestedFilename);
        Assert.True(JsonNode.DeepEquals(checkpoint, JsonNode.Parse(await File.ReadAllTextAsync(await one.PathAsync()))));
        var key = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#public-key-download"));
        Assert.Equal((await portal.GetJsonAsync(Key, "/v1/public-key"))["publicKeyPem"]!.GetValue<string>(), await File.ReadAllTextAsync(await key.PathAsync()));

        // An inclusion proof: a transaction of the demo day's close (from the ledger lines the regulator may read).
        var lines = (await portal.GetJsonAsync(Key, "/v1/balance/lines?party=sme-sh-ai"))["items"]!.AsArray();
        var txId = lines.First(l => l!["period"]!.GetValue<string>() == Period)!["txId"]!.GetValue<string>();
        await page.FillAsync("#txId", txId);
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#find-proof")))!.Status);
        using var api = portal.ApiClient(Key);
        var proof = JsonNode.Parse(await api.GetStringAsync($"/v1/proofs?txId={Uri.EscapeDataString(txId)}"))!;
        Assert.Equal(proof["root"]!.GetValue<string>(), (await page.InnerTextAsync("#proof-root")).Trim());
        Assert.Equal(checkpoint["merkleRoot"]!.GetValue<string>(), proof["root"]!.GetValue<string>());
        await ScreenshotAsync(page, "regulator-checkpoints.png");
        var file = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#proof-download"));
        Assert.True(JsonNode.DeepEquals(proof, JsonNode.Parse(await File.ReadAllTextAsync(await file.PathAsync()))));

        // An unknown transaction (404 not-found over the API): the reason next to the field.
        await page.FillAsync("#txId", "2026-12-01/no-such-lease/compute");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#find-proof")))!.Status);
        Assert.True(await page.Locator("#txId-error").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("#proof").CountAsync());
    }

    [Fact]
    public async Task The_trial_balance_lists_every_account_and_nets_to_zero()
    {
        var (context, page) = await SignedInAsync(portal, Key);
        await using var _ = context;
        await page.GotoAsync("/regulator/ledger");
        var ledger = await portal.GetJsonAsync(Key, "/v1/ledger");
        Assert.Equal(0, ledger["trialBalanceFen"]!.GetValue<long>());
        Assert.Equal("¥0.00 （平衡）", (await page.InnerTextAsync("#trial-balance-fen")).Trim());
        var balances = ledger["balances"]!.AsObject();
        Assert.Equal(balances.Count, await page.Locator("#accounts tbody tr").CountAsync());
        long debits = 0, credits = 0;
        foreach (var (account, value) in balances)
        {
            var fen = value!.GetValue<long>();
            var row = page.Locator($"#accounts tr[data-account='{account}']");
            Assert.Equal(fen > 0 ? Shared.Fmt.Yuan(fen) : "", await CellAsync(row, ".debit"));
            Assert.Equal(fen < 0 ? Shared.Fmt.Yuan(-fen) : "", await CellAsync(row, ".credit"));
            debits += Math.Max(0, fen);
            credits += Math.Max(0, -fen);
        }
        Assert.Equal(debits, credits);
        Assert.Equal(Shared.Fmt.Yuan(debits), (await page.InnerTextAsync("#total-debits")).Trim());
        Assert.Equal(Shared.Fmt.Yuan(credits), (await page.InnerTextAsync("#total-credits")).Trim());
        // The demo: after the day's cash only the platform's fees (978.34 yuan, a credit) and cash clearing remain.
        Assert.Equal("¥978.34", await CellAsync(page.Locator("#accounts tr[data-account='platform:fees']"), ".credit"));
        Assert.Equal(Shared.Fmt.Number(ledger["transactions"]!.GetValue<long>()), (await page.InnerTextAsync("#transactions")).Trim());
        await ScreenshotAsync(page, "regulator-ledger.png");

        // As it stood before the day's cash (09:00 on 2 December): the close's receivables and payables, still netting to 0.
        await page.FillAsync("#asOf", "2026-12-02T09:00");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#show-ledger"));
        using var api = portal.ApiClient(Key);
        var before = JsonNode.Parse(await api.GetStringAsync("/v1/ledger?asOf=2026-12-02T09:00:00%2B08:00"))!;
        Assert.Equal(0, before["trialBalanceFen"]!.GetValue<long>());
        Assert.Equal("¥0.00 （平衡）", (await page.InnerTextAsync("#trial-balance-fen")).Trim());
        Assert.Equal(before["balances"]!.AsObject().Count, await page.Locator("#accounts tbody tr").CountAsync());
        Assert.Equal(Shared.Fmt.Yuan(before["balances"]!["buyer:sme-sh-ai"]!.GetValue<long>()),
            await CellAsync(page.Locator("#accounts tr[data-account='buyer:sme-sh-ai']"), ".debit"));
    }

    /// <summary>The regulator reads, it does not act as an issuer: the issuer's pages are 403; and the regulator's pages fit a phone.</summary>
    [Fact]
    public async Task The_regulator_is_refused_the_issuers_pages_and_its_own_fit_a_phone()
    {
        var (context, page) = await SignedInAsync(portal, Key, width: 390);
        await using var _ = context;
        foreach (var path in new[] { "/issuer/programmes", "/issuer/grants", "/issuer/claims", "/issuer/programmes/sh-compute-2026" })
        {
            Assert.Equal(403, (await page.GotoAsync(path))!.Status);
        }
        Assert.Equal(403, (await page.APIRequest.GetAsync("/issuer/claims/2026-12-01/csv")).Status);
        foreach (var path in new[] { "/regulator/map", "/regulator/periods", "/regulator/checkpoints", "/regulator/ledger" })
        {
            Assert.Equal(200, (await page.GotoAsync(path))!.Status);
            Assert.True(await FitsWidthAsync(page), $"{path} is wider than 390 px");
            var unlabelled = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)");
            Assert.Empty(unlabelled);
        }
        await page.GotoAsync("/regulator/map");
        await ScreenshotAsync(page, "regulator-map-phone.png");
    }
}
