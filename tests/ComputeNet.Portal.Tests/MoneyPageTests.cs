using System.Text;
using System.Text.Json.Nodes;
using ComputeNet.Api.Tests;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// The money pages left from issues 14 and 15, in a browser against a host with Stripe (<see cref="StripeHost"/>, the fake
/// Stripe): a provider's payout account set from its party page (a bad id refused next to its field, nothing changed), a
/// failed Stripe payout retried from the payouts page, a region's account refused for an unknown region, a buyer's card
/// payment given back — its charge reversed from the party page's ledger lines with a reason, then a refund through Stripe —
/// and that refund listed with its Stripe part for the operator and on the buyer's balance page.
/// </summary>
public sealed class MoneyPageTests(PortalFixture portal, StripeHost host) : IClassFixture<StripeHost>
{
    private const string Buyer = "sme-sh-ai";
    private const string Provider = "prov-nx";

    [Fact]
    public async Task Payout_accounts_a_retried_payout_a_reversal_and_a_refund_through_Stripe_are_done_from_the_pages()
    {
        var (context, page) = await host.SignedInAsync(portal, StripeHost.OperatorKey);
        await using var _ = context;
        using var api = host.ApiClient(StripeHost.OperatorKey);

        // The provider's payout account: a bad id is refused next to its field and changes nothing; a good one is set.
        await page.GotoAsync($"/operator/parties/{Provider}");
        Assert.True(await page.Locator("#payout-account").IsVisibleAsync());
        await page.FillAsync("#connectedAccountId", "DE89 3704 0044");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#set-payout-account")))!.Status);
        Assert.True(await page.Locator("#connectedAccountId-error").IsVisibleAsync(), await page.InnerTextAsync("#payout-account"));
        Assert.Equal("connectedAccountId-error", await page.GetAttributeAsync("#connectedAccountId", "aria-describedby"));
        Assert.Equal(404, (int)(await api.GetAsync($"/v1/parties/{Provider}/payout-account")).StatusCode);
        await page.FillAsync("#connectedAccountId", "acct_portal_nx");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#set-payout-account")))!.Status);
        Assert.Contains("acct_portal_nx", await page.InnerTextAsync("#current-account"), StringComparison.Ordinal);
        Assert.Equal("acct_portal_nx", (await host.GetJsonAsync(StripeHost.OperatorKey, $"/v1/parties/{Provider}/payout-account"))["connectedAccountId"]!.GetValue<string>());

        // The demo's bank payout to prov-nx bounced: the operator reverses it, so prov-nx is owed it again.
        await page.GotoAsync("/operator/reversals?txId=cash/bank-payout-prov-nx");
        Assert.Equal("cash/bank-payout-prov-nx", await page.InputValueAsync("#txId"));
        await page.FillAsync("#reason", "the bank transfer bounced");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reverse")))!.Status);
        Assert.Contains("cash/bank-payout-prov-nx", await page.InnerTextAsync("#reverse-result"), StringComparison.Ordinal);

        // A payout through Stripe from the payouts page: a malformed amount is refused beside its field and pays nothing; one
        // Stripe refuses is recorded failed, with a retry button; the retry transfers it under the same key.
        await page.GotoAsync("/operator/payouts");
        await page.FillAsync("#payId", "po-portal-1");
        await page.FillAsync("#payParty", Provider);
        await page.FillAsync("#payAmount", "1.234");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#pay")))!.Status);
        Assert.True(await page.Locator("#amount-error").IsVisibleAsync(), await page.InnerTextAsync("#pay-form"));
        Assert.Empty((await host.GetJsonAsync(StripeHost.OperatorKey, $"/v1/payouts?party={Provider}"))["items"]!.AsArray());
        host.Stripe.FailNextTransfers(1);
        await page.FillAsync("#payId", "po-portal-1");
        await page.FillAsync("#payAmount", "1.00");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#pay"));
        Assert.True(await page.Locator("#pay-result").IsVisibleAsync(), await page.InnerTextAsync("#pay-form"));
        Assert.Contains("po-portal-1", await page.InnerTextAsync("#pay-result"), StringComparison.Ordinal);
        await page.GotoAsync("/operator/payouts?status=failed");
        Assert.Equal("failed", await page.GetAttributeAsync("#payouts tr[data-payout='po-portal-1']", "data-status"));
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#retry-po-portal-1")))!.Status);
        Assert.True(await page.Locator("#retry-result").IsVisibleAsync(), await page.InnerTextAsync("main"));
        var paid = (await host.GetJsonAsync(StripeHost.OperatorKey, $"/v1/payouts?party={Provider}"))["items"]!.AsArray()
            .Single(p => p!["id"]!.GetValue<string>() == "po-portal-1")!;
        Assert.Equal(("paid", 2), (paid["status"]!.GetValue<string>(), paid["attempts"]!.GetValue<int>()));
        await page.GotoAsync("/operator/payouts");
        Assert.Equal("paid", await page.GetAttributeAsync("#payouts tr[data-payout='po-portal-1']", "data-status"));
        Assert.Equal(0, await page.Locator("#retry-po-portal-1").CountAsync());

        // A region's payout account: an unknown region is refused next to its field, nothing set.
        await page.FillAsync("#region", "no-such-region");
        await page.FillAsync("#regionConnectedAccountId", "acct_region_x");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#set-region-account")))!.Status);
        Assert.True(await page.Locator("#region-error").IsVisibleAsync(), await page.InnerTextAsync("#region-account-form"));
        Assert.Equal(404, (int)(await api.GetAsync("/v1/regions/no-such-region/payout-account")).StatusCode);
        await ScreenshotAsync(page, "operator-payouts.png");

        // The demo's bank payment by the buyer bounced: reversed from the buyer's party page, whose ledger lines link each
        // transaction to the reversal form; without a reason it is refused beside the field and nothing changes.
        var before = await BalanceAsync();
        await page.GotoAsync($"/operator/parties/{Buyer}");
        Assert.False(await page.Locator("#payout-account").IsVisibleAsync()); // a buyer is not paid out
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync($"#ledger-lines a[data-reverse='cash/bank-pay-{Buyer}']"));
        Assert.Equal("/operator/reversals", Path(page));
        Assert.Equal($"cash/bank-pay-{Buyer}", await page.InputValueAsync("#txId"));
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reverse")))!.Status);
        Assert.True(await page.Locator("#reason-error").IsVisibleAsync(), await page.InnerTextAsync("#reverse-form"));
        Assert.Equal("reason-error", await page.GetAttributeAsync("#reason", "aria-describedby"));
        Assert.Equal(before, await BalanceAsync());
        await page.FillAsync("#reason", "the bank transfer bounced");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reverse")))!.Status);
        var unpaid = await BalanceAsync();
        Assert.True(unpaid > before, $"the buyer owes its invoice again: {before} → {unpaid} fen");

        // The buyer pays by card instead (the webhook posts it).
        using (var buyerApi = host.ApiClient(host.Keys[Buyer]))
        using (var created = await buyerApi.PostAsync($"/v1/invoices/2026-12-01.{Buyer}/payment-intent", null))
        {
            var intent = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            Assert.True(created.IsSuccessStatusCode, intent.ToJsonString());
            await DeliverAsync(FakeStripe.Event("evt_portal_paid", "payment_intent.succeeded", host.Stripe.Succeed(intent["intentId"]!.GetValue<string>())));
        }
        var settled = await BalanceAsync();
        Assert.True(settled < unpaid, $"the card payment is posted: {unpaid} → {settled} fen");

        // One of its charges was wrong: reversed with a reason, the platform owes the buyer.
        var charge = (await host.GetJsonAsync(StripeHost.OperatorKey, $"/v1/balance/lines?party={Buyer}&limit=1000"))["items"]!.AsArray()
            .First(l => l!["kind"]!.GetValue<string>() == "charge" && l["txId"]!.GetValue<string>().EndsWith("/compute", StringComparison.Ordinal))!;
        var txId = charge["txId"]!.GetValue<string>();
        var chargeFen = charge["amountFen"]!.GetValue<long>();
        await page.GotoAsync($"/operator/reversals?txId={Uri.EscapeDataString(txId)}");
        await page.FillAsync("#reason", "usage reported twice");
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reverse")))!.Status);
        Assert.Contains(txId, await page.InnerTextAsync("#reverse-result"), StringComparison.Ordinal);
        var owed = -await BalanceAsync();
        Assert.Equal(chargeFen - settled, owed);
        Assert.True(owed > 0, $"the platform owes the buyer {owed} fen");
        // Reversed once: the same transaction again is refused next to its field.
        await page.FillAsync("#txId", txId);
        await page.FillAsync("#reason", "again");
        Assert.Equal(422, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#reverse")))!.Status);
        Assert.True(await page.Locator("#txId-error").IsVisibleAsync());
        Assert.Equal(-owed, await BalanceAsync());

        // The refund, recorded on the cash page, goes back onto the card payment through Stripe.
        await page.GotoAsync("/operator/cash");
        await page.SelectOptionAsync("#type", "refund");
        await page.FillAsync("#id", "rf-portal-1");
        await page.FillAsync("#party", Buyer);
        await page.FillAsync("#amount", Shared.Fmt.Yuan(owed).TrimStart('¥'));
        Assert.Equal(200, (await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#record-cash")))!.Status);
        Assert.Equal(0, await BalanceAsync());
        var refund = await host.GetJsonAsync(StripeHost.OperatorKey, "/v1/refunds/rf-portal-1");
        var part = refund["parts"]![0]!;

        // The operator's refunds: listed as the API lists them, the detail with its Stripe part.
        await page.ClickAsync("#money-links a[href='/operator/refunds']");
        await page.WaitForURLAsync("**/operator/refunds");
        Assert.Equal((await host.GetJsonAsync(StripeHost.OperatorKey, "/v1/refunds"))["items"]!.AsArray().Count, await page.Locator("#refunds tbody tr").CountAsync());
        Assert.Equal(refund["status"]!.GetValue<string>(), await page.GetAttributeAsync("#refunds tr[data-refund='rf-portal-1']", "data-status"));
        await ScreenshotAsync(page, "operator-refunds.png");
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#refunds a[href='/operator/refunds/rf-portal-1']"));
        Assert.Equal(Shared.Fmt.Yuan(owed), (await page.InnerTextAsync("#refund-amount")).Trim());
        var row = page.Locator("#refund-parts tr[data-part='1']");
        Assert.Contains("computenet-refund-rf-portal-1-1", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(part["providerRefundId"]!.GetValue<string>(), await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(part["intentId"]!.GetValue<string>(), await row.InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "operator-refund.png");
        Assert.Equal(404, (await page.GotoAsync("/operator/refunds/no-such-refund"))!.Status);
        Assert.Equal(400, (await page.GotoAsync("/operator/refunds?status=lost"))!.Status);
        Assert.True(await page.Locator("#status-error").IsVisibleAsync());

        // The buyer sees its refund on its balance page; another buyer sees none.
        var (buyerContext, buyerPage) = await host.SignedInAsync(portal, host.Keys[Buyer]);
        await using (buyerContext)
        {
            await buyerPage.GotoAsync("/buyer/balance");
            Assert.Equal(1, await buyerPage.Locator("#refunds tr[data-refund='rf-portal-1']").CountAsync());
            Assert.Equal(0, await buyerPage.Locator("#refunds a").CountAsync()); // no link to the operator's pages
        }
        var (otherContext, otherPage) = await host.SignedInAsync(portal, host.Keys["sme-cd-edu"]);
        await using (otherContext)
        {
            await otherPage.GotoAsync("/buyer/balance");
            Assert.True(await otherPage.Locator("#no-refunds").IsVisibleAsync());
            Assert.Equal(403, (await otherPage.GotoAsync("/operator/refunds"))!.Status);
        }
    }

    private async Task<long> BalanceAsync() =>
        (await host.GetJsonAsync(StripeHost.OperatorKey, $"/v1/balance?party={Buyer}"))["accounts"]!.AsArray()
            .Single(a => a!["account"]!.GetValue<string>() == $"buyer:{Buyer}")!["balanceFen"]!.GetValue<long>();

    private async Task DeliverAsync(string body)
    {
        using var client = new HttpClient { BaseAddress = host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", FakeStripe.Sign(body, FakeStripe.WebhookSecret));
        using var answer = await client.SendAsync(request);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }
}
