using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// The buyer's money pages: its balance and ledger lines (as the API answers the same key), the usage records behind an invoice
/// line, and paying an invoice: bank-transfer details without Stripe, Stripe's Payment Element (and only that page's CSP
/// widened to js.stripe.com) on a host where Stripe is configured (<see cref="StripeHost"/>, Stripe being <see cref="Api.Tests.FakeStripe"/>).
/// </summary>
public sealed class BuyerMoneyPageTests(PortalFixture portal, StripeHost stripe) : IClassFixture<StripeHost>
{
    private const string Invoice = "2026-12-01.sme-sh-ai";

    [Fact]
    public async Task The_balance_and_ledger_lines_are_the_APIs_for_the_same_key()
    {
        var key = portal.Keys["sme-sh-ai"];
        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        await page.GotoAsync("/buyer/balance");
        var balance = await portal.GetJsonAsync(key, "/v1/balance");
        var accounts = balance["accounts"]!.AsArray();
        Assert.NotEmpty(accounts);
        Assert.Equal(accounts.Count, await page.Locator("#balances tbody tr").CountAsync());
        foreach (var a in accounts)
        {
            var row = page.Locator($"#balances tr[data-account='{a!["account"]}']");
            Assert.Equal(Shared.Fmt.Yuan(a["balanceFen"]!.GetValue<long>()), (await row.Locator("td").Nth(1).InnerTextAsync()).Trim());
        }
        var lines = (await portal.GetJsonAsync(key, "/v1/balance/lines?limit=50"))["items"]!.AsArray();
        Assert.NotEmpty(lines); // the close's charge and the demo's bank payment
        var rows = page.Locator("#ledger-lines tbody tr");
        Assert.Equal(lines.Count, await rows.CountAsync());
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.Equal(lines[i]!["txId"]!.GetValue<string>(), await rows.Nth(i).GetAttributeAsync("data-tx"));
            Assert.Equal(Shared.Fmt.Yuan(lines[i]!["amountFen"]!.GetValue<long>()), (await rows.Nth(i).Locator("td").Nth(6).InnerTextAsync()).Trim());
        }
        await ScreenshotAsync(page, "buyer-balance.png");
        // One account's lines, and the page at a phone's width.
        var account = accounts[0]!["account"]!.GetValue<string>();
        await page.SelectOptionAsync("#account", account);
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#lines-filter button"));
        var only = (await portal.GetJsonAsync(key, $"/v1/balance/lines?account={Uri.EscapeDataString(account)}&limit=50"))["items"]!.AsArray();
        Assert.Equal(only.Count, await page.Locator("#ledger-lines tbody tr").CountAsync());
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        Assert.True(await FitsWidthAsync(page));
    }

    [Fact]
    public async Task An_invoice_lines_usage_is_shown_and_another_buyers_is_not()
    {
        var key = portal.Keys["sme-sh-ai"];
        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        await page.GotoAsync($"/buyer/invoices/{Invoice}");
        var invoice = (await portal.GetJsonAsync(key, "/v1/invoices?period=2026-12-01"))["items"]!.AsArray().Single()!;
        var line = invoice["lines"]!.AsArray().First(l => l!["kind"]!.GetValue<string>() == "compute")!;
        var lineNo = line["lineNo"]!.GetValue<int>();
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync($"#usage-{lineNo}"));
        Assert.Equal($"/buyer/invoices/{Invoice}/usage", Path(page));
        var records = (await portal.GetJsonAsync(key, $"/v1/invoices/{Invoice}/usage?lineNo={lineNo}"))["items"]!.AsArray();
        Assert.NotEmpty(records);
        var rows = page.Locator("#usage tbody tr");
        Assert.Equal(records.Count, await rows.CountAsync());
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i]!["recordId"]!.GetValue<string>(), await rows.Nth(i).GetAttributeAsync("data-record"));
            Assert.Equal(records[i]!["leaseId"]!.GetValue<string>(), (await rows.Nth(i).Locator("td").Nth(1).InnerTextAsync()).Trim());
        }
        await ScreenshotAsync(page, "buyer-invoice-usage.png");
        // Every line's records, and URL guessing of another buyer's invoice: 404, as the API answers.
        await page.GotoAsync($"/buyer/invoices/{Invoice}/usage");
        var all = (await portal.GetJsonAsync(key, $"/v1/invoices/{Invoice}/usage"))["items"]!.AsArray();
        Assert.Equal(all.Count, await page.Locator("#usage tbody tr").CountAsync());
        var other = await page.GotoAsync("/buyer/invoices/2026-12-01.sme-gz-bio/usage");
        Assert.Equal(404, other!.Status);
        Assert.Equal(0, await page.Locator("#usage").CountAsync());
    }

    [Fact]
    public async Task Without_Stripe_the_invoice_shows_the_bank_transfer_details()
    {
        var key = portal.Keys["sme-sh-ai"];
        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        var answer = await page.GotoAsync($"/buyer/invoices/{Invoice}");
        var invoice = (await portal.GetJsonAsync(key, "/v1/invoices?period=2026-12-01"))["items"]!.AsArray().Single()!;
        var bank = await page.InnerTextAsync("#bank-transfer");
        Assert.Contains(Shared.Fmt.Yuan(invoice["dueFen"]!.GetValue<long>()), bank, StringComparison.Ordinal);
        Assert.Contains(Invoice, bank, StringComparison.Ordinal);
        Assert.Contains(PortalFixture.BankPayee, bank, StringComparison.Ordinal);
        Assert.Contains(PortalFixture.BankName, bank, StringComparison.Ordinal);
        Assert.Contains(PortalFixture.BankAccount, bank, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#pay-online, #payment-element").CountAsync());
        Assert.DoesNotContain("stripe.com", (await answer!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_Stripe_the_invoice_mounts_the_Payment_Element_with_its_client_secret_and_only_that_page_allows_js_stripe_com()
    {
        var (context, page) = await stripe.SignedInAsync(portal, stripe.Keys["sme-sh-ai"]);
        await using var _ = context;
        // Stripe.js cannot be reached from the tests: its request is answered here (and recorded), not by Stripe.
        var asked = new List<string>();
        await page.RouteAsync("https://js.stripe.com/**", async route =>
        {
            asked.Add(route.Request.Url);
            await route.AbortAsync();
        });
        var invoicePage = await page.GotoAsync($"/buyer/invoices/{Invoice}");
        Assert.DoesNotContain("stripe.com", (await invoicePage!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#bank-transfer").CountAsync());
        var paying = await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#pay-online"));
        Assert.Equal(200, paying!.Status);

        // The intent is the one POST /v1/invoices/{id}/payment-intent creates (a repeat answers the same intent).
        var intents = (await stripe.GetJsonAsync(stripe.Keys["sme-sh-ai"], "/v1/payment-intents"))["items"]!.AsArray();
        var intent = Assert.Single(intents)!;
        Assert.Equal(Invoice, intent["invoiceId"]!.GetValue<string>());
        var element = page.Locator("#payment-element");
        Assert.Equal(intent["clientSecret"]!.GetValue<string>(), await element.GetAttributeAsync("data-client-secret"));
        Assert.Equal(StripeHost.PublishableKey, await element.GetAttributeAsync("data-publishable-key"));
        Assert.Contains(intent["intentId"]!.GetValue<string>(), await page.InnerTextAsync("#payment-intent"), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("script[src='https://js.stripe.com/v3/']").CountAsync());
        Assert.Contains("https://js.stripe.com/v3/", asked);

        var csp = (await paying.AllHeadersAsync())["content-security-policy"];
        Assert.Contains("script-src 'self' https://js.stripe.com;", csp, StringComparison.Ordinal);
        Assert.Contains("frame-src https://js.stripe.com;", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("*", csp, StringComparison.Ordinal);
        // Without Stripe.js (blocked here) the page says it cannot take the payment, and the pay button stays hidden.
        Assert.True(await page.Locator("#pay-form").IsHiddenAsync());
        Assert.False(string.IsNullOrWhiteSpace(await page.InnerTextAsync("#pay-status")));

        // Every other page keeps the host's policy.
        var orders = await page.GotoAsync("/buyer/orders");
        Assert.DoesNotContain("stripe.com", (await orders!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        // Starting again answers the same intent (no second one at Stripe).
        await page.GotoAsync($"/buyer/invoices/{Invoice}");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#pay-online"));
        Assert.Equal(intent["clientSecret"]!.GetValue<string>(), await page.GetAttributeAsync("#payment-element", "data-client-secret"));
        Assert.Single((await stripe.GetJsonAsync(stripe.Keys["sme-sh-ai"], "/v1/payment-intents"))["items"]!.AsArray());
    }
}
