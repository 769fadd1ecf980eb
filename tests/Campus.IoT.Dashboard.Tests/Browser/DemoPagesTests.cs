using Campus.IoT.Gateway.Simulation;
using Campus.IoT.Tests.Common;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// Every page over the demo school (<c>--demo</c>: the simulated school publishing over MQTT, visitors signed in as a demo
/// guard), as its users see it: on the guard room's screen (1920×1080) and on a laptop (1366×768), in Chinese and in
/// English. The room page shows the demo's cold stores, freezer, lab fridge and chemical store by place and school name;
/// no page shows a raw key, "undefined" or "NaN", or scrolls sideways; each links the others. Screenshots
/// <c>demo-{page}-{language}-{size}.png</c> (docs/dashboards.md, "What the pages look like").
/// </summary>
public sealed class DemoPagesTests : IAsyncLifetime
{
    private static readonly string[] DemoRooms = ["canteen-freezer-1", "canteen-fridge-1", "canteen-fridge-2", "chem-store-1", "lab3-fridge-1"];

    private RunningPlatform _platform = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
        _platform = await RunningPlatform.StartAsync(null, null, "--demo");
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _platform.DisposeAsync();
    }

    [Fact]
    public async Task Every_page_over_the_demo_school_reads_well_in_both_languages_on_a_guard_room_screen_and_a_laptop()
    {
        // The demo's smoke alarm arrives about 15 s after the start.
        await Eventually.Get(
            async () => (await _platform.GetAlarmsAsync("?site=" + DemoSchool.Site)).FirstOrDefault(a => (string?)a!["device"] == "smoke-3f-lab"),
            "the demo's smoke alarm",
            TimeSpan.FromSeconds(90));

        foreach (var (width, height) in new[] { (1920, 1080), (1366, 768) })
        {
            foreach (var language in new[] { "zh-CN", "en" })
            {
                var errors = new List<string>();
                var page = await _chromium.NewPageAsync(errors, width, height);
                await page.AddInitScriptAsync($"try {{ localStorage.setItem('campusIoT.board.lang', '{language}'); }} catch (e) {{ }}");
                var english = language == "en";
                var suffix = $"{language}-{width}x{height}.png";

                // The guard-room board: the demo's alarms, newest critical first.
                await page.GotoAsync(_platform.BaseAddress.ToString());
                await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
                await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
                await Assertions.Expect(page.GetByTestId("alarm-row").First).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByTestId("alarm-list")).ToContainTextAsync(english ? "Demo School" : "演示学校");
                // The countdown stays on one line ("escalates in 0:50", never the time alone under the words).
                var countdown = page.GetByTestId("alarm-row").First.GetByTestId("escalation-countdown");
                if (await countdown.CountAsync() > 0)
                {
                    Assert.True(await countdown.EvaluateAsync<bool>("e => e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize)"), "the countdown wraps");
                }

                await CheckAsync(page, "/", "demo-board-" + suffix);

                // The rooms: the demo's cold stores, freezer, lab fridge and chemical store, by place and school name.
                await page.GetByTestId("nav-rooms").ClickAsync();
                var cards = page.GetByTestId("room-card");
                await Assertions.Expect(cards).ToHaveCountAsync(DemoRooms.Length);
                Assert.Equal(DemoRooms, (await cards.EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.device)")).Order(StringComparer.Ordinal));
                var freezer = page.Locator("[data-testid=room-card][data-device=canteen-freezer-1]");
                await Assertions.Expect(freezer.Locator(".room-name")).ToHaveTextAsync("食堂 / 1F / 冷冻库");
                await Assertions.Expect(freezer.Locator(".room-profile")).ToHaveTextAsync(english ? "Freezer · canteen-freezer-1 · 演示学校 / Demo School" : "冷冻库 · canteen-freezer-1 · 演示学校 / Demo School");
                await Assertions.Expect(freezer.GetByTestId("room-value")).ToContainTextAsync("°C");
                await Assertions.Expect(page.GetByTestId("chart").Locator("canvas").First).ToBeVisibleAsync();
                await CheckAsync(page, "/rooms.html", "demo-rooms-" + suffix);

                // Sensor health: the school by its name.
                await page.GetByTestId("nav-health").ClickAsync();
                await Assertions.Expect(page.GetByTestId("site-row")).ToHaveCountAsync(1);
                await Assertions.Expect(page.GetByTestId("site-row").Locator("td.name a")).ToHaveTextAsync("演示学校 / Demo School");
                await CheckAsync(page, "/health.html", "demo-health-" + suffix);

                // Alarm history: the smoke alarm, with the school's name and the place.
                await page.GetByTestId("nav-history").ClickAsync();
                var smoke = page.GetByTestId("history-row").Filter(new LocatorFilterOptions { HasText = "smoke-3f-lab" });
                await Assertions.Expect(smoke).ToHaveCountAsync(1);
                await Assertions.Expect(smoke).ToContainTextAsync("演示学校 / Demo School");
                await CheckAsync(page, "/history.html", "demo-history-" + suffix);

                Assert.True(errors.Count == 0, string.Join(" | ", errors));
                await page.Context.CloseAsync();
            }
        }
    }

    /// <summary>The links, no raw text, nothing wider than the window (a table scrolled sideways hides its last columns).</summary>
    private static async Task CheckAsync(IPage page, string path, string screenshot)
    {
        await Chromium.ScreenshotAsync(page, screenshot);
        await Chromium.AssertPageNavAsync(page, path);
        await Chromium.AssertNoRawTextAsync(page);
        var wide = await page.EvaluateAsync<string[]>(
            """
            () => [document.documentElement, ...document.querySelectorAll('.table-wrap')]
              .filter(e => e.scrollWidth > e.clientWidth + 1)
              .map(e => (e.className || e.tagName) + ': ' + e.scrollWidth + ' > ' + e.clientWidth)
            """);
        Assert.True(wide.Length == 0, $"{path} is wider than the window: {string.Join(", ", wide)}");
    }
}
