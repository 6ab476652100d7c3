using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// Disputes and credit notes in the portal (market-rules §14, docs/disputes.md), on a host of their own (the demo day,
/// the morning after its close): the buyer disputes a line from its invoice, the operator accepts an amount, and the
/// buyer, the provider and the issuer each see the credit note as it concerns them, with its PDF; other parties and
/// roles get nothing by guessing URLs.
/// </summary>
public sealed class DisputePageTests(PortalFixture portal, StripeHost host) : IClassFixture<StripeHost>
{
    private const string Invoice = "2026-12-01.sme-sh-ai";

    [Fact]
    public async Task A_buyer_disputes_a_line_the_operator_accepts_and_each_party_sees_the_credit_note()
    {
        var (buyerContext, buyer) = await host.SignedInAsync(portal, host.Keys["sme-sh-ai"]);
        await using var _ = buyerContext;
        await buyer.GotoAsync($"/buyer/invoices/{Invoice}");
        await buyer.RunAndWaitForNavigationAsync(() => buyer.ClickAsync("#invoice-dispute"));
        Assert.Equal($"/buyer/invoices/{Invoice}/dispute", Path(buyer));

        // Line 1 is the §13 compute line (1,447.68 yuan, 30 % voucher of sh-gov). A malformed amount is refused beside its field.
        await buyer.SelectOptionAsync("#line", "1");
        await buyer.FillAsync("#id", "portal-d1");
        await buyer.FillAsync("#amount", "12.345");
        await buyer.FillAsync("#reason", "8 GPU 小时重复计费");
        Assert.Equal(422, await PostStatusAsync(buyer, "#open-dispute"));
        Assert.True(await buyer.Locator("#amount-error").IsVisibleAsync(), await buyer.InnerTextAsync("main"));
        await buyer.SelectOptionAsync("#line", "1");
        await buyer.FillAsync("#id", "portal-d1");
        await buyer.FillAsync("#amount", "361.92");
        await buyer.FillAsync("#reason", "8 GPU 小时重复计费");
        Assert.Equal(200, await PostStatusAsync(buyer, "#open-dispute"));
        Assert.True(await buyer.Locator("#dispute-result").IsVisibleAsync(), await buyer.InnerTextAsync("main"));
        await buyer.GotoAsync("/buyer/disputes");
        Assert.Equal("open", await buyer.GetAttributeAsync("tr[data-dispute='portal-d1'] td[data-state]", "data-state"));

        // The operator accepts the whole claim.
        var (opContext, op) = await host.SignedInAsync(portal, StripeHost.OperatorKey);
        await using var __ = opContext;
        await op.GotoAsync("/operator/disputes?state=open");
        Assert.Equal(1, await op.Locator("tr[data-dispute='portal-d1']").CountAsync());
        await op.FillAsync("#dispute", "portal-d1");
        await op.SelectOptionAsync("#outcome", "accept");
        await op.FillAsync("#amount", "361.93");
        Assert.Equal(422, await PostStatusAsync(op, "#decide"));
        Assert.True(await op.Locator("#amountFen-error").IsVisibleAsync(), await op.InnerTextAsync("main"));
        await op.FillAsync("#dispute", "portal-d1");
        await op.SelectOptionAsync("#outcome", "accept");
        await op.FillAsync("#amount", "361.92");
        Assert.Equal(200, await PostStatusAsync(op, "#decide"));
        Assert.Contains("cn-portal-d1", await op.InnerTextAsync("#decide-result"), StringComparison.Ordinal);
        // The page was opened on the open ones, which it lists again after the decision: the dispute has left that list.
        Assert.Equal(0, await op.Locator("tr[data-dispute='portal-d1']").CountAsync());
        await op.GotoAsync("/operator/disputes?state=accepted");
        Assert.Equal("accepted", await op.GetAttributeAsync("tr[data-dispute='portal-d1'] td[data-state]", "data-state"));

        // The buyer: its credit note, −361.92 of which −108.57 the voucher's part, and the PDF.
        await buyer.GotoAsync("/buyer/disputes");
        var row = await buyer.InnerTextAsync("tr[data-credit-note='cn-portal-d1']");
        Assert.Contains("-¥361.92", row, StringComparison.Ordinal);
        Assert.Contains("-¥108.57", row, StringComparison.Ordinal);
        Assert.Contains("-¥253.35", row, StringComparison.Ordinal);
        var pdf = await buyer.APIRequest.GetAsync("/buyer/credit-notes/cn-portal-d1/pdf");
        Assert.Equal(200, pdf.Status);
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);

        // The provider gives back 351.06, the issuer owes 108.57 less.
        var (pvContext, provider) = await host.SignedInAsync(portal, host.Keys["prov-nx"]);
        await using var ___ = pvContext;
        await provider.GotoAsync("/provider/credit-notes");
        Assert.Equal("¥351.06", (await provider.InnerTextAsync("td[data-mine='cn-portal-d1']")).Trim());
        Assert.Equal(200, (await provider.APIRequest.GetAsync("/provider/credit-notes/cn-portal-d1/pdf")).Status);
        var issuerKey = await ApiCalls.RotateKeyAsync(host.Address, StripeHost.OperatorKey, "sh-gov");
        var (issContext, issuer) = await host.SignedInAsync(portal, issuerKey);
        await using var ____ = issContext;
        await issuer.GotoAsync("/issuer/credit-notes");
        Assert.Equal("¥108.57", (await issuer.InnerTextAsync("td[data-mine='cn-portal-d1']")).Trim());
        await ScreenshotAsync(buyer, "buyer-disputes.png");
    }

    [Fact]
    public async Task Guessed_urls_show_nothing_of_others()
    {
        var (context, other) = await host.SignedInAsync(portal, host.Keys["sme-cd-edu"]);
        await using var _ = context;
        // Another buyer's invoice has no dispute page for it, and its credit notes no PDF.
        Assert.Equal(404, (await other.GotoAsync($"/buyer/invoices/{Invoice}/dispute"))!.Status);
        Assert.Equal(404, (await other.APIRequest.GetAsync("/buyer/credit-notes/cn-portal-d1/pdf")).Status);
        // A buyer is not the operator, a provider or an issuer.
        foreach (var path in new[] { "/operator/disputes", "/provider/credit-notes", "/issuer/credit-notes", "/carrier/credit-notes" })
        {
            Assert.Equal(403, (await other.GotoAsync(path))!.Status);
            Assert.Equal("/denied", Path(other));
        }
        var (pvContext, provider) = await host.SignedInAsync(portal, host.Keys["prov-nx"]);
        await using var __ = pvContext;
        foreach (var path in new[] { "/buyer/disputes", $"/buyer/invoices/{Invoice}/dispute", "/operator/disputes" })
        {
            Assert.Equal(403, (await provider.GotoAsync(path))!.Status);
        }
        Assert.NotEqual(200, (await provider.APIRequest.GetAsync("/buyer/credit-notes/cn-portal-d1/pdf")).Status);
    }
}
