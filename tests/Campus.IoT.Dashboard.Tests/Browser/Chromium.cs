using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// Debian's chromium driven by Playwright (no browser download), and what every page test needs: a page with zh-CN locale
/// that records console errors, sign-in through the sign-in page, and screenshots under the test output
/// (<c>bin/…/screenshots</c>) to look at.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        Assert.True(File.Exists(Executable), "chromium is not installed: run the README's test command, or `apt-get install -y chromium`");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A fresh page (its own cookies) whose console errors and page errors go into <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPageAsync(List<string> errors, int width = 1600, int height = 900)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return page;
    }

    /// <summary>Signs in through <c>/login.html</c> (the user's password already chosen), then opens <paramref name="path"/>.</summary>
    public static async Task SignInAsync(IPage page, Uri baseAddress, string username, string password, string path = "/")
    {
        await page.GotoAsync(new Uri(baseAddress, "/login.html?return=" + Uri.EscapeDataString(path)).ToString());
        await page.GetByTestId("login-username").FillAsync(username);
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        // The page's own scripts have run at DOMContentLoaded; what a test looks for next it waits for itself. Waiting for
        // "load" (every image and script fetched) once took over 30 s with the other test assemblies busy on two cores.
        await page.WaitForURLAsync(new Uri(baseAddress, path).ToString(), new PageWaitForURLOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60_000 });
    }

    /// <param name="fullPage">The whole page (default), or what the viewport shows (a modal dialog over the page).</param>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        Directory.CreateDirectory("screenshots");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine("screenshots", name), FullPage = fullPage });
    }

    /// <summary>The links between the pages, in the order every page shows them.</summary>
    public static readonly string[] PageLinks = ["/", "/rooms.html", "/health.html", "/history.html", "/hazards.html"];

    /// <summary>
    /// What a user must never see on a page: <c>undefined</c>, <c>NaN</c>, <c>null</c>, <c>[object …]</c>, or an i18n key
    /// shown as text instead of its translation (<c>nav.health</c>, <c>rule.freezer</c>).
    /// </summary>
    public static async Task AssertNoRawTextAsync(IPage page)
    {
        var text = await page.Locator("body").InnerTextAsync();
        var raw = Regex.Match(text, @"\b(undefined|NaN|null)\b|\[object ");
        Assert.False(raw.Success, $"the page shows '{raw.Value}': {Around(text, raw.Index)}");
        var key = Regex.Match(text, @"\b(?:nav|app|health|history|rt|list|audit|col|state|severity|rule|type|card|rooms?|sound|banner|conn|ack|period|filter|status|total|field|place|escalation|count|lang|title|range|step|today|band|legend|reason|recipient|transition|deliveries|metric|profile)\.[a-zA-Z][\w.-]*");
        Assert.False(key.Success, $"the page shows the untranslated key '{key.Value}': {Around(text, key.Index)}");
    }

    /// <summary>
    /// The top bar's links to the other pages: board, rooms, sensor health, history, in the page's language, with the page
    /// itself marked as the current one.
    /// </summary>
    public static async Task AssertPageNavAsync(IPage page, string current)
    {
        var links = page.GetByTestId("page-nav").Locator("a");
        await Assertions.Expect(links).ToHaveCountAsync(PageLinks.Length);
        Assert.Equal(PageLinks, await links.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));
        Assert.Equal([current], await links.EvaluateAllAsync<string[]>("links => links.filter(a => a.getAttribute('aria-current') === 'page').map(a => a.getAttribute('href'))"));
        var english = await page.Locator("html").GetAttributeAsync("lang") == "en";
        string[] words = english ? ["Alarm board", "Cold storage & labs", "Sensor health", "Alarm history", "Hazard register"] : ["报警监控台", "冷库与实验室温度", "传感器健康", "报警历史", "隐患台账"];
        await Assertions.Expect(links).ToHaveTextAsync(words);
        await Assertions.Expect(page.GetByTestId("page-nav")).ToHaveAttributeAsync("aria-label", english ? "Pages" : "页面");
    }

    private static string Around(string text, int index) => text[Math.Max(0, index - 60)..Math.Min(text.Length, index + 60)].ReplaceLineEndings(" ");

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
