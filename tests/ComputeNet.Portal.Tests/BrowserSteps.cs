using Microsoft.Playwright;

namespace ComputeNet.Portal.Tests;

/// <summary>What a person does in the browser, as steps the tests share.</summary>
public static class BrowserSteps
{
    /// <summary>Opens the sign-in page, enters the key, submits and waits for the page after it.</summary>
    public static async Task<IResponse?> SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#key", key);
        return await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("#sign-in"));
    }

    public static async Task<(IBrowserContext Context, IPage Page)> SignedInAsync(PortalFixture portal, string key, int width = 1280)
    {
        var context = await portal.NewContextAsync(width);
        var page = await context.NewPageAsync();
        await SignInAsync(page, key);
        Assert.DoesNotContain("/signin", page.Url, StringComparison.Ordinal);
        return (context, page);
    }

    /// <summary>Clicks a submit button and answers the status of the form's POST (whatever page, or none, the browser shows for it).</summary>
    public static async Task<int> PostStatusAsync(IPage page, string selector)
    {
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync(selector), r => r.Request.Method == "POST");
        return response.Status;
    }

    public static string Path(IPage page) => new Uri(page.Url).AbsolutePath;

    /// <summary>A full-page screenshot under docs/portal/ (committed: the README and docs/portal.md show them).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => document.fonts.ready.then(() => true)"); // the CJK web font, where the machine has none
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(PortalFixture.ScreenshotFolder, name), FullPage = true });
    }

    /// <summary>True when nothing on the page is wider than the viewport (no sideways scrolling on a phone).</summary>
    public static async Task<bool> FitsWidthAsync(IPage page) =>
        await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");
}
