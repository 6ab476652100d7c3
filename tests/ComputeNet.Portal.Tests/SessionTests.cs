using Microsoft.Playwright;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>Sign-in per role, refused keys, sessions that end (sign-out, a rotated key), CSRF, language, security headers.</summary>
public sealed class SessionTests(PortalFixture portal)
{
    private static readonly string[] BuyerPages = ["/buyer/market", "/buyer/orders", "/buyer/leases", "/buyer/invoices", "/buyer/vouchers", "/buyer/balance", "/buyer/disputes"];

    /// <summary>
    /// The role matrix through the portal: each role signs in with its key and sees its role in the header and only its own
    /// navigation; the buyer's pages open for the buyer and are refused (403) to every other role, as the API refuses them.
    /// </summary>
    [Theory]
    [InlineData("sme-sh-ai", "buyer")]
    [InlineData("prov-nx", "provider")]
    [InlineData("carrier-west", "carrier")]
    [InlineData("sh-gov", "issuer")]
    [InlineData("regulator-ndrc", "regulator")]
    [InlineData("operator", "operator")]
    public async Task Each_role_signs_in_and_sees_only_its_pages(string party, string role)
    {
        var key = party == "operator" ? PortalFixture.OperatorKey : portal.Keys[party];
        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        Assert.Equal("/", Path(page));
        Assert.True(await page.Locator($"#who [data-role='{role}']").IsVisibleAsync(), $"{party}: the header names the role {role}");
        Assert.Contains(party == "operator" ? "operator" : party, await page.Locator("#who").InnerTextAsync(), StringComparison.Ordinal);
        var nav = await page.Locator("nav.roles a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(role switch
        {
            "buyer" => BuyerPages,
            "operator" => OperatorPageTests.OperatorPages,
            _ => Shared.PortalNav.For([role]).Select(e => e.Path).ToArray(),
        }, nav);
        foreach (var path in BuyerPages)
        {
            var answer = await page.GotoAsync(path);
            if (role == "buyer")
            {
                Assert.Equal(200, answer!.Status);
                Assert.Equal(path, Path(page));
            }
            else
            {
                Assert.Equal(403, answer!.Status);
                Assert.Equal("/denied", Path(page));
                Assert.True(await page.Locator("#denied").IsVisibleAsync());
            }
        }
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_starts_no_session()
    {
        await using var context = await portal.NewContextAsync();
        var page = await context.NewPageAsync();
        var answer = await SignInAsync(page, "cnk_this-key-was-never-issued-to-anyone-at-all");
        Assert.Equal(401, answer!.Status);
        Assert.Equal("/signin", Path(page));
        Assert.True(await page.Locator("#key-error").IsVisibleAsync());
        Assert.Equal("", await page.InputValueAsync("#key")); // the key is not sent back to the browser
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "cn_session");
        await page.GotoAsync("/buyer/orders");
        Assert.Equal("/signin", Path(page));
    }

    [Fact]
    public async Task The_session_cookie_is_HttpOnly_and_SameSite_Strict_and_never_holds_the_key()
    {
        var key = portal.Keys["sme-gz-bio"];
        var (context, page) = await SignedInAsync(portal, key);
        await using var _ = context;
        var session = Assert.Single(await context.CookiesAsync(), c => c.Name == "cn_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(key, session.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<string?>("() => document.cookie.includes('cn_session') ? 'visible' : null"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.localStorage.length + window.sessionStorage.length"));
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-gz-bio"]);
        await using var _ = context;
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#sign-out"));
        Assert.Equal("/signin", Path(page));
        await page.GotoAsync("/buyer/invoices");
        Assert.Equal("/signin", Path(page));
        Assert.Contains("returnUrl=%2Fbuyer%2Finvoices", new Uri(page.Url).Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_key_ends_the_session_on_its_next_request()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-cd-edu"]);
        await using var _ = context;
        Assert.Equal(200, (await page.GotoAsync("/buyer/orders"))!.Status);
        portal.Keys["sme-cd-edu"] = await portal.RotateKeyAsync("sme-cd-edu");
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // the party directory's cache holds a key for at most a second
        await page.GotoAsync("/buyer/orders");
        Assert.Equal("/signin", Path(page));
        await SignInAsync(page, portal.Keys["sme-cd-edu"]);
        Assert.Equal("/", Path(page));
    }

    /// <summary>A form posted without the antiforgery token (as a forged cross-site form would be) is refused and changes nothing.</summary>
    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-bj-render"]);
        await using var _ = context;
        await page.GotoAsync("/buyer/market");
        var bidId = await page.InputValueAsync("#id");
        await page.FillAsync("#devices", "2");
        await page.FillAsync("#price", "12.34");
        await page.Locator("#bid-form input[name='__RequestVerificationToken']").EvaluateAsync("e => e.remove()");
        Assert.Equal(400, await PostStatusAsync(page, "#place-bid"));
        using var api = portal.ApiClient(portal.Keys["sme-bj-render"]);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await api.GetAsync($"/v1/orders/{bidId}")).StatusCode);

        // The header's sign-out and language forms too: refused without the token, and the session goes on. (Each refusal in a
        // page of its own: the browser shows an error page for a bodiless 400, which would race the next navigation.)
        page = await context.NewPageAsync();
        await page.GotoAsync("/buyer/orders");
        await page.Locator("form[action='/signout'] input[name='__RequestVerificationToken']").EvaluateAsync("e => e.remove()");
        Assert.Equal(400, await PostStatusAsync(page, "#sign-out"));
        page = await context.NewPageAsync();
        await page.GotoAsync("/buyer/orders");
        await page.Locator("form[action='/language'] input[name='__RequestVerificationToken']").EvaluateAsync("e => e.remove()");
        Assert.Equal(400, await PostStatusAsync(page, "#lang-toggle"));
        page = await context.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync("/buyer/orders"))!.Status);
        Assert.Equal("/buyer/orders", Path(page));
        Assert.Equal("我的订单", await page.InnerTextAsync("h1")); // the language did not change either
    }

    [Fact]
    public async Task Chinese_by_default_and_English_by_the_toggle()
    {
        await using var context = await portal.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("登录算力网", await page.InnerTextAsync("h1"));
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#lang-toggle"));
        Assert.Equal("/signin", Path(page));
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Sign in to ComputeNet", await page.InnerTextAsync("h1"));
        await SignInAsync(page, portal.Keys["sme-sh-ai"]);
        Assert.Equal("Sign out", await page.InnerTextAsync("#sign-out"));
        await page.GotoAsync("/buyer/invoices");
        Assert.Equal("Invoices", await page.InnerTextAsync("h1"));
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#lang-toggle"));
        Assert.Equal("/buyer/invoices", Path(page));
        Assert.Equal("账单", await page.InnerTextAsync("h1"));
        Assert.Equal("退出", await page.InnerTextAsync("#sign-out"));
    }

    [Fact]
    public async Task Portal_pages_carry_a_CSP_without_inline_scripts_and_the_API_keeps_its_own()
    {
        using var http = new HttpClient { BaseAddress = portal.Address };
        using var signIn = await http.GetAsync("/signin");
        var csp = string.Join(";", signIn.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", signIn.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", signIn.Headers.GetValues("X-Content-Type-Options").Single());
        using var api = await http.GetAsync("/v1/parties/me");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(Api.Hosting.HttpHardening.ContentSecurityPolicy, string.Join(";", api.Headers.GetValues("Content-Security-Policy")));
    }

    /// <summary>The portal's session never authenticates the API: a browser holding a session gets 401 from /v1 (no cross-site API calls).</summary>
    [Fact]
    public async Task A_portal_session_does_not_authenticate_the_API()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-sh-ai"]);
        await using var _ = context;
        var answer = await page.GotoAsync("/v1/orders");
        Assert.Equal(401, answer!.Status);
    }
}
