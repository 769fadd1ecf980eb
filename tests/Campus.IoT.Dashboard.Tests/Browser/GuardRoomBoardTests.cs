using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The guard-room board in a real browser (Debian's chromium driven by Playwright, no browser download): it connects live,
/// shows a smoke alarm published over MQTT, and a guard acknowledges it with name and note.
/// </summary>
public sealed class GuardRoomBoardTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private RunningPlatform _platform = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "chromium is not installed: run the README's test command, or `apt-get install -y chromium`");
        _platform = await RunningPlatform.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _platform.DisposeAsync();
    }

    [Fact]
    public async Task A_guard_sees_a_smoke_alarm_live_and_acknowledges_it_with_name_and_note()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => consoleErrors.Add(error);

        await page.GotoAsync(_platform.BaseAddress.ToString());
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(page.GetByTestId("all-clear")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("sound-arm")).ToBeVisibleAsync();

        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-01/gw-1/events", Scenarios.SmokeEvent(1, "smoke-3f-lab"));
        }

        var row = page.GetByTestId("alarm-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "active_unack");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-severity", "critical");
        await Assertions.Expect(page.GetByTestId("hero-alarm")).ToContainTextAsync("烟感");
        await Assertions.Expect(page.GetByTestId("alarm-count")).ToContainTextAsync("1");

        await row.GetByTestId("ack-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ack-dialog")).ToBeVisibleAsync();
        await page.GetByTestId("ack-by").FillAsync("王保安");
        await page.GetByTestId("ack-note").FillAsync("已到现场，实验室无烟");
        await page.GetByTestId("ack-submit").ClickAsync();

        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "active_ack");
        var alarm = await Eventually.Get(
            async () => (await _platform.GetAlarmsAsync()).FirstOrDefault(a => (string?)a!["state"] == "active_ack") as JsonObject,
            "the acknowledgement stored");
        Assert.Equal("王保安", (string?)alarm["ackedBy"]);
        Assert.Equal("已到现场，实验室无烟", (string?)alarm["ackNote"]);

        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("hero-alarm").Or(row).First).ToContainTextAsync("Smoke");

        Directory.CreateDirectory("screenshots");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine("screenshots", "guard-room-board.png") });
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("AudioContext", StringComparison.Ordinal));
    }
}
