using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using NodaTime.Text;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// The operator's pages: parties and keys (the key shown once, rotation ending the old key's sessions, revocation after a
/// confirmation), a period closed from the page with its figures, cash booked, settings refused after the first close, the
/// metering standards and pairings as the API lists them, and every operator page refused to every other role. Closing a
/// period needs time to pass, so those steps run on a host of their own (<see cref="StripeHost"/>) whose clock may move.
/// </summary>
public sealed class OperatorPageTests(PortalFixture portal, StripeHost other) : IClassFixture<StripeHost>
{
    public static readonly string[] OperatorPages =
        ["/operator/parties", "/operator/settings", "/operator/standards", "/operator/pairings", "/operator/periods", "/operator/cash", "/operator/disputes",
            "/operator/payouts", "/operator/refunds"];

    private static NodaTime.Instant At(string text) => OffsetDateTimePattern.ExtendedIso.Parse(text).GetValueOrThrow().ToInstant();

    [Fact]
    public async Task A_party_is_registered_with_its_key_shown_once_then_its_key_is_rotated_and_revoked()
    {
        var (context, page) = await other.SignedInAsync(portal, StripeHost.OperatorKey);
        await using var _ = context;
        await page.GotoAsync("/operator/parties");
        var listed = (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/parties"))["items"]!.AsArray();
        Assert.Equal(listed.Count, await page.Locator("#parties tbody tr").CountAsync());

        // Registration: a refusal next to its field, then the party and its key, shown once.
        await page.FillAsync("#id", "Not A Slug");
        await page.CheckAsync("#role-buyer");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#register")))!.Status);
        Assert.True(await page.Locator("#partyId-error").IsVisibleAsync(), await page.InnerTextAsync("#register-form"));
        await page.FillAsync("#id", "portal-new-buyer");
        await page.CheckAsync("#role-buyer");
        await page.SelectOptionAsync("#city", "shanghai");
        await page.CheckAsync("#sme");
        await page.FillAsync("#displayName", "浦东新算");
        await page.FillAsync("#displayNameEn", "Pudong New Compute");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#register")))!.Status);
        var key = (await page.InnerTextAsync("#new-key")).Trim();
        Assert.StartsWith("cnk_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Value.Contains(key, StringComparison.Ordinal));
        Assert.Equal(1, await page.Locator("#parties tr[data-party='portal-new-buyer']").CountAsync());
        await ScreenshotAsync(page, "operator-parties.png");
        // Shown once: the page read again has no key, and registering the same id again answers no key.
        await page.GotoAsync("/operator/parties");
        Assert.Equal(0, await page.Locator("#new-key").CountAsync());
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await page.FillAsync("#id", "portal-new-buyer");
        await page.CheckAsync("#role-buyer");
        await page.SelectOptionAsync("#city", "shanghai");
        await page.CheckAsync("#sme");
        await page.FillAsync("#displayName", "浦东新算");
        await page.FillAsync("#displayNameEn", "Pudong New Compute");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#register"));
        Assert.True(await page.Locator("#register-result").IsVisibleAsync(), await page.InnerTextAsync("main"));
        Assert.Equal(0, await page.Locator("#new-key").CountAsync());

        // The key signs the new party in.
        await using var buyerContext = await other.NewContextAsync(portal);
        var buyer = await buyerContext.NewPageAsync();
        await SignInAsync(buyer, key);
        Assert.Equal("/", Path(buyer));
        Assert.True(await buyer.Locator("#who [data-role='buyer']").IsVisibleAsync());

        // Rotation: a new key shown once; the old key's session ends at its next request, the new key signs in.
        await page.GotoAsync("/operator/parties/portal-new-buyer");
        Assert.Contains("浦东新算", await page.InnerTextAsync("#party-facts"), StringComparison.Ordinal);
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#rotate"));
        var rotated = (await page.InnerTextAsync("#new-key")).Trim();
        Assert.StartsWith("cnk_", rotated, StringComparison.Ordinal);
        Assert.NotEqual(key, rotated);
        await ScreenshotAsync(page, "operator-party.png");
        await buyer.GotoAsync("/buyer/orders");
        Assert.Equal("/signin", Path(buyer));
        using (var oldClient = other.ApiClient(key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await oldClient.GetAsync("/v1/parties/me")).StatusCode);
        }
        await using var rotatedContext = await other.NewContextAsync(portal);
        var rotatedPage = await rotatedContext.NewPageAsync();
        await SignInAsync(rotatedPage, rotated);
        Assert.Equal("/", Path(rotatedPage));

        // Revocation asks first; the first step changes nothing.
        await page.GotoAsync("/operator/parties/portal-new-buyer");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#revoke"));
        Assert.True(await page.Locator("#revoke-confirm").IsVisibleAsync());
        using var rotatedClient = other.ApiClient(rotated);
        Assert.Equal(HttpStatusCode.OK, (await rotatedClient.GetAsync("/v1/parties/me")).StatusCode);
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#revoke-confirm"));
        Assert.True(await page.Locator("#revoke-result").IsVisibleAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await rotatedClient.GetAsync("/v1/parties/me")).StatusCode);
        await rotatedPage.GotoAsync("/buyer/orders");
        Assert.Equal("/signin", Path(rotatedPage));
    }

    [Fact]
    public async Task A_period_is_closed_from_the_page_with_its_figures_and_cash_is_booked()
    {
        // A lease and its usage today (2026-12-02), through the API; then the day ends.
        using (var buyerApi = other.ApiClient(other.Keys["sme-cd-edu"]))
        {
            using var bid = await buyerApi.PostAsync("/v1/bids", JsonContent.Create(new JsonObject
            {
                ["id"] = "portal-op-bid", ["family"] = "intelligent", ["devices"] = 2, ["minScuPerDevice"] = 0, ["minMemoryGb"] = 0,
                ["from"] = "2026-12-02T11:00:00+08:00", ["to"] = "2026-12-02T12:00:00+08:00", ["tier"] = "cross-hub", ["minGreen"] = 0,
                ["price"] = 60, ["commitment"] = "on-demand", ["split"] = true, ["tif"] = "GTC",
            }));
            var placed = JsonNode.Parse(await bid.Content.ReadAsStringAsync())!;
            Assert.True(bid.IsSuccessStatusCode, placed.ToJsonString());
            var lease = placed["leases"]![0]!.GetValue<string>();
            other.Clock.Set(At("2026-12-02T12:10:00+08:00"));
            using var providerApi = other.ApiClient(other.Keys["prov-nx"]);
            using var usage = await providerApi.PostAsync("/v1/usage", JsonContent.Create(new JsonObject
            {
                ["id"] = "portal-op-usage", ["lease"] = lease, ["from"] = "2026-12-02T11:00:00+08:00", ["to"] = "2026-12-02T12:00:00+08:00",
                ["deviceSeconds"] = 7200, ["energyKwh"] = 10, ["greenKwh"] = 6, ["transferGb"] = 0,
            }));
            Assert.True(usage.IsSuccessStatusCode, await usage.Content.ReadAsStringAsync());
        }
        other.Clock.Set(At("2026-12-03T00:30:00+08:00"));

        var (context, page) = await other.SignedInAsync(portal, StripeHost.OperatorKey);
        await using var _ = context;
        await page.GotoAsync("/operator/periods");
        Assert.Equal("ended", await page.GetAttributeAsync("#periods tr[data-period='2026-12-02']", "data-state"));
        Assert.Equal("closed", await page.GetAttributeAsync("#periods tr[data-period='2026-12-01']", "data-state"));
        var closed = await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#close-2026-12-02"));
        Assert.Equal(200, closed!.Status);
        var status = (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/periods?from=2026-12-02&to=2026-12-02")).AsArray().Single()!;
        Assert.Equal("closed", status["state"]!.GetValue<string>());
        Assert.True(status["invoices"]!.GetValue<int>() >= 1, status.ToJsonString()); // sme-cd-edu's
        Assert.Equal(status["invoices"]!.GetValue<int>().ToString(), (await page.InnerTextAsync("#close-invoices")).Trim());
        Assert.Equal(status["lines"]!.GetValue<int>().ToString(), (await page.InnerTextAsync("#close-lines")).Trim());
        Assert.Equal(Shared.Fmt.Yuan(status["platformFeeFen"]!.GetValue<long>()), (await page.InnerTextAsync("#close-fee")).Trim());
        Assert.Equal(status["checkpointHash"]!.GetValue<string>(), (await page.InnerTextAsync("#close-checkpoint")).Trim());
        Assert.Equal("closed", await page.GetAttributeAsync("#periods tr[data-period='2026-12-02']", "data-state"));
        await ScreenshotAsync(page, "operator-periods.png");
        // Closing again changes nothing and says so; a period not ended yet is refused next to the field.
        await page.FillAsync("#period", "2026-12-02");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#close-period"));
        Assert.True(await page.Locator("#close-result").IsVisibleAsync());
        Assert.Equal(status["checkpointHash"]!.GetValue<string>(), (await page.InnerTextAsync("#close-checkpoint")).Trim());
        await page.FillAsync("#period", "2026-12-03");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#close-period")))!.Status);
        Assert.True(await page.Locator("#period-error").IsVisibleAsync());

        // Cash: the buyer's payment, in yuan, booked exactly; above the open balance it is refused and changes nothing.
        static long BuyerBalance(JsonNode balance) =>
            balance["accounts"]!.AsArray().Single(a => a!["account"]!.GetValue<string>() == "buyer:sme-cd-edu")!["balanceFen"]!.GetValue<long>();
        var before = BuyerBalance(await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/balance?party=sme-cd-edu"));
        Assert.True(before > 123, $"the buyer owes {before} fen after the close");
        await page.GotoAsync("/operator/cash");
        await page.SelectOptionAsync("#type", "payment");
        await page.FillAsync("#party", "sme-cd-edu");
        await page.FillAsync("#amount", Shared.Fmt.Yuan(before + 1).TrimStart('¥'));
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#record-cash")))!.Status);
        Assert.True(await page.Locator("#cash-error, #amountFen-error").First.IsVisibleAsync(), await page.InnerTextAsync("#cash-form"));
        Assert.Equal(before, BuyerBalance(await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/balance?party=sme-cd-edu")));
        await page.FillAsync("#amount", "1.23");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#record-cash")))!.Status);
        Assert.Contains("¥1.23", await page.InnerTextAsync("#cash-result"), StringComparison.Ordinal);
        Assert.Equal(before - 123, BuyerBalance(await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/balance?party=sme-cd-edu")));
        // The form offers refunds and region payouts (market-rules §14); a buyer that still owes is refunded nothing.
        Assert.Equal(1, await page.Locator("#type option[value=refund]").CountAsync());
        Assert.Equal(1, await page.Locator("#account option[value=region]").CountAsync());
        await page.SelectOptionAsync("#type", "refund");
        await page.FillAsync("#party", "sme-cd-edu");
        await page.FillAsync("#amount", "0.01");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#record-cash")))!.Status);
        Assert.True(await page.Locator("#cash-error, #amountFen-error").First.IsVisibleAsync(), await page.InnerTextAsync("#cash-form"));
        Assert.Equal(before - 123, BuyerBalance(await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/balance?party=sme-cd-edu")));
        // Stripe is configured on this host: the reconciliation is one click away.
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reconcile"));
        Assert.True(await page.Locator("#reconcile-outcome").IsVisibleAsync(), await page.InnerTextAsync("#reconciliation"));
        await ScreenshotAsync(page, "operator-cash.png");
    }

    [Fact]
    public async Task Settings_refuse_a_calendar_change_after_the_first_close_and_standards_and_pairings_are_listed_as_the_API_lists_them()
    {
        var (context, page) = await SignedInAsync(portal, PortalFixture.OperatorKey);
        await using var _ = context;
        await page.GotoAsync("/operator/settings");
        Assert.Contains("Asia/Shanghai", await page.InnerTextAsync("#settings-current"), StringComparison.Ordinal);
        await page.SelectOptionAsync("#period", "month");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#save-settings")))!.Status);
        Assert.True(await page.Locator("#period-error").IsVisibleAsync(), await page.InnerTextAsync("#settings-form"));
        Assert.Equal("period-error", await page.GetAttributeAsync("#period", "aria-describedby"));
        await page.GotoAsync("/operator/settings");
        Assert.Contains("按日", await page.InnerTextAsync("#settings-current"), StringComparison.Ordinal); // nothing changed
        await ScreenshotAsync(page, "operator-settings.png");

        await page.GotoAsync("/operator/standards");
        var standards = (await portal.GetJsonAsync(PortalFixture.OperatorKey, "/v1/metering-standards")).AsArray();
        Assert.Equal(standards.Count, await page.Locator("#standards tbody tr").CountAsync());
        Assert.Equal(1, await page.Locator($"#standards tr[data-version='{standards[^1]!["version"]}']").CountAsync());
        Assert.Contains("\"id\"", await page.InputValueAsync("#resourceClasses"), StringComparison.Ordinal); // prefilled with the standard in force
        await ScreenshotAsync(page, "operator-standards.png");

        await page.GotoAsync("/operator/pairings");
        var pairings = (await portal.GetJsonAsync(PortalFixture.OperatorKey, "/v1/pairings")).AsArray();
        Assert.Equal(pairings.Count, await page.Locator("#pairings tbody tr").CountAsync());
        await page.FillAsync("#demandRegion", "");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#agree")))!.Status);
        Assert.Equal(pairings.Count, (await portal.GetJsonAsync(PortalFixture.OperatorKey, "/v1/pairings")).AsArray().Count);
        await ScreenshotAsync(page, "operator-pairings.png");
    }

    [Fact]
    public async Task A_pairing_is_agreed_and_ended_and_a_metering_standard_is_published_from_the_pages()
    {
        var (context, page) = await other.SignedInAsync(portal, StripeHost.OperatorKey);
        await using var _ = context;
        await page.GotoAsync("/operator/pairings");
        var pairingId = await page.InputValueAsync("#id");
        await page.FillAsync("#demandRegion", "portal-east");
        await page.FillAsync("#demandCities", "shanghai, hangzhou");
        var hub = await page.Locator("#supplyHub option").First.GetAttributeAsync("value");
        await page.SelectOptionAsync("#supplyHub", hub!);
        await page.FillAsync("#platformWeight", "0");
        await page.FillAsync("#demandWeight", "0");
        await page.FillAsync("#supplyWeight", "0");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#agree")))!.Status);
        Assert.True(await page.Locator("#weights-error").IsVisibleAsync(), await page.InnerTextAsync("#pairing-form"));
        await page.FillAsync("#platformWeight", "2");
        await page.FillAsync("#demandWeight", "1");
        await page.FillAsync("#supplyWeight", "1");
        await page.FillAsync("#validFrom", "2026-12-05T00:00");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#agree")))!.Status);
        Assert.Contains(pairingId, await page.InnerTextAsync("#pairing-result"), StringComparison.Ordinal);
        var agreed = (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/pairings")).AsArray()
            .Single(p => p!["pairingId"]!.GetValue<string>() == pairingId)!;
        Assert.Equal(hub, agreed["supplyHub"]!.GetValue<string>());
        Assert.Equal(2, agreed["platformWeight"]!.GetValue<int>());
        Assert.Equal(At("2026-12-05T00:00:00+08:00"), NodaTime.Instant.FromDateTimeOffset(agreed["validFrom"]!.GetValue<DateTimeOffset>()));
        await page.FillAsync($"#endAt-{pairingId}", "2026-12-10T00:00");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync($"#end-{pairingId}"));
        Assert.True(await page.Locator("#pairing-ended").IsVisibleAsync(), await page.InnerTextAsync("main"));
        var ended = (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/pairings")).AsArray()
            .Single(p => p!["pairingId"]!.GetValue<string>() == pairingId)!;
        Assert.Equal(At("2026-12-10T00:00:00+08:00"), NodaTime.Instant.FromDateTimeOffset(ended["validTo"]!.GetValue<DateTimeOffset>()));

        await page.GotoAsync("/operator/standards");
        var before = (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/metering-standards")).AsArray();
        await page.FillAsync("#version", "portal-test-v2");
        await page.FillAsync("#precisionFactors", "{ not json");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#publish")))!.Status);
        Assert.True(await page.Locator("#precisionFactors-error").IsVisibleAsync());
        Assert.Equal(before.Count, (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/metering-standards")).AsArray().Count);
        await page.GotoAsync("/operator/standards"); // the form prefilled again with the version in force
        await page.FillAsync("#version", "portal-test-v2");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#publish")))!.Status);
        Assert.True(await page.Locator("#publish-result").IsVisibleAsync(), await page.InnerTextAsync("main"));
        var after = (await other.GetJsonAsync(StripeHost.OperatorKey, "/v1/metering-standards")).AsArray();
        Assert.Equal(before.Count + 1, after.Count);
        Assert.Equal("portal-test-v2", after[^1]!["version"]!.GetValue<string>());
        static string[] Ids(JsonNode standard) => standard["resourceClasses"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToArray();
        Assert.Equal(Ids(before[^1]!), Ids(after[^1]!)); // the classes in force, carried over from the prefilled form
        Assert.Equal("portal-test-v2", await page.GetAttributeAsync("#standards tbody tr:last-child", "data-version"));
    }

    [Fact]
    public async Task Every_operator_page_fits_a_phones_width()
    {
        var context = await portal.NewContextAsync(390, 844);
        await using var _ = context;
        var page = await context.NewPageAsync();
        await SignInAsync(page, PortalFixture.OperatorKey);
        foreach (var path in OperatorPages.Append("/operator/parties/sme-sh-ai").Append("/operator/parties/prov-nx").Append("/operator/reversals"))
        {
            Assert.Equal(200, (await page.GotoAsync(path))!.Status);
            Assert.True(await FitsWidthAsync(page), $"{path} scrolls sideways at 390 px");
        }
    }

    /// <summary>URL guessing: every operator page (and a party's) is 403 for every other role, as the API's operator endpoints are.</summary>
    [Theory]
    [InlineData("sme-sh-ai")]
    [InlineData("prov-nx")]
    [InlineData("carrier-west")]
    [InlineData("sh-gov")]
    [InlineData("regulator-ndrc")]
    public async Task A_non_operator_is_refused_every_operator_page(string party)
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys[party]);
        await using var _ = context;
        Assert.Empty(await page.Locator("nav.roles a[href^='/operator']").AllAsync());
        foreach (var path in OperatorPages.Append("/operator/parties/sme-sh-ai").Append("/operator/periods?from=2026-12-01&to=2026-12-01")
                     .Append("/operator/reversals").Append("/operator/refunds/rf-1"))
        {
            var answer = await page.GotoAsync(path);
            Assert.Equal(403, answer!.Status);
            Assert.Equal("/denied", Path(page));
        }
    }
}
