using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The cold-storage and lab page in Chromium over <see cref="RoomScenario"/> (the platform's clock at noon, Asia/Shanghai):
/// a canteen manager sees the canteen rooms' cards (value, band, today's lowest/highest, minutes out of range), the history
/// chart of a room over two periods, downloads the CSV and switches to English; a safety officer's page follows readings
/// pushed live by the hub.
/// </summary>
public sealed class RoomsPageTests(RoomScenario scenario) : IClassFixture<RoomScenario>, IAsyncLifetime
{
    private Chromium _chromium = null!;

    private RunningPlatform Platform => scenario.Platform;

    public async Task InitializeAsync() => _chromium = await Chromium.LaunchAsync();

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task A_canteen_manager_sees_the_canteen_rooms_a_room_s_history_chart_exports_csv_and_switches_to_english()
    {
        (await Platform.UserAsync("canteen-page", "canteen_manager", [RoomScenario.Site], ["canteen-*"])).Dispose();

        var errors = new List<string>();
        var page = await _chromium.NewPageAsync(errors, 1600, 1000);
        await Chromium.SignInAsync(page, Platform.BaseAddress, "canteen-page", "chosen-password-1", "/rooms.html");

        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        var cards = page.GetByTestId("room-card");
        await Assertions.Expect(cards).ToHaveCountAsync(2);
        Assert.Equal(["canteen-freezer-1", "canteen-fridge-1"], await cards.EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.device)"));
        // Lab and canteen managers may not join a school's live group: the page polls.
        await Assertions.Expect(page.GetByTestId("live-status")).ToHaveAttributeAsync("data-state", "polling");

        var fridge = page.Locator("[data-testid=room-card][data-device=canteen-fridge-1]");
        await Assertions.Expect(fridge).ToHaveAttributeAsync("data-state", "ok");
        await Assertions.Expect(fridge.GetByTestId("room-value")).ToHaveTextAsync("2.0°C");
        await Assertions.Expect(fridge.GetByTestId("room-status")).ToHaveTextAsync("正常");
        await Assertions.Expect(fridge.GetByTestId("room-band")).ToHaveTextAsync("0 ~ 8 °C超限持续10分钟报警");
        await Assertions.Expect(fridge.GetByTestId("room-minmax")).ToHaveTextAsync("-0.5 / 10.5 °C");
        await Assertions.Expect(fridge.GetByTestId("room-out")).ToHaveAttributeAsync("data-minutes", "22");
        await Assertions.Expect(fridge.GetByTestId("room-out")).ToHaveTextAsync("22分钟");
        var freezer = page.Locator("[data-testid=room-card][data-device=canteen-freezer-1]");
        await Assertions.Expect(freezer.GetByTestId("room-band")).ToContainTextAsync("≤ -12 °C");

        // The first room's chart is shown at once (24 h); choosing the fridge shows its history in 5-minute steps:
        // yesterday 23:55 and today's 00:00, 08:00, 08:05, 08:10, 08:15, 08:20, 08:30, 09:00 and 11:55 steps.
        var chart = page.GetByTestId("chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-device", "canteen-freezer-1");
        await fridge.ClickAsync();
        await Assertions.Expect(fridge).ToHaveAttributeAsync("data-selected", "true");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-device", "canteen-fridge-1");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-range", "24h");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "10");
        await Assertions.Expect(chart.Locator("canvas").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("history-title")).ToHaveTextAsync("历史曲线 · canteen-fridge-1");
        await Chromium.AssertPageNavAsync(page, "/rooms.html");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "rooms.png");

        // 6 h in 1-minute steps: 08:00 … 09:00 (the 08:30 minute holds two readings), 11:58, 11:59.
        await page.GetByTestId("range-6h").ClickAsync();
        await Assertions.Expect(page.GetByTestId("range-6h")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-range", "6h");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "9");
        await Chromium.ScreenshotAsync(page, "rooms-chart.png");

        // The CSV of the period on the chart, in 1-minute steps.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        Assert.StartsWith($"{RoomScenario.Site}_canteen-fridge-1_temperature_", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("时间 Time (Asia/Shanghai),", lines[0], StringComparison.Ordinal);
        Assert.Equal(1 + 9, lines.Length);
        var date = RoomScenario.Noon.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains($"{date} 08:30:00,{RoomScenario.Format(RoomScenario.At("08:30"))},{RoomScenario.Site},canteen-fridge-1,temperature,°C,7.8,7,8.6,2", lines);

        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(fridge.GetByTestId("room-status")).ToHaveTextAsync("In range");
        await Assertions.Expect(fridge.GetByTestId("room-out")).ToHaveTextAsync("22 min");
        await Assertions.Expect(page.GetByTestId("history-title")).ToHaveTextAsync("History · canteen-fridge-1");
        await Assertions.Expect(page.GetByTestId("range-6h")).ToHaveTextAsync("6 h");
        await Assertions.Expect(page.GetByTestId("export-csv")).ToHaveTextAsync("Export CSV");
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Canteen manager");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "9");
        await Chromium.AssertPageNavAsync(page, "/rooms.html");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "rooms-en.png");

        // The guard-room board is a whole school's live feed, which a canteen manager may not join: no link to it, and the
        // board's address (where signing in lands by default) brings them to their rooms.
        Assert.Equal("/", await page.GetByTestId("nav-board").GetAttributeAsync("href"));
        await Assertions.Expect(page.GetByTestId("nav-board")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("nav-history")).ToBeVisibleAsync();
        // (Commit, not load: the board replaces itself as soon as it knows who is signed in, maybe before its load event.)
        await page.GotoAsync(Platform.BaseAddress.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Platform.BaseAddress, "/rooms.html").ToString(), new PageAssertionsToHaveURLOptions { Timeout = 15000 });
        await Assertions.Expect(page.GetByTestId("room-card")).ToHaveCountAsync(2);
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    }

    [Fact]
    public async Task A_safety_officer_s_page_follows_readings_live_and_shows_the_open_alarm()
    {
        (await Platform.UserAsync("officer-page", "safety_officer", [RoomScenario.Site])).Dispose();

        var errors = new List<string>();
        var page = await _chromium.NewPageAsync(errors, 1280, 900);
        await Chromium.SignInAsync(page, Platform.BaseAddress, "officer-page", "chosen-password-1", "/rooms.html");
        await Assertions.Expect(page.GetByTestId("room-card")).ToHaveCountAsync(4);
        await Assertions.Expect(page.GetByTestId("live-status")).ToHaveAttributeAsync("data-state", "connected");

        var lab = page.Locator("[data-testid=room-card][data-device=lab3-fridge-1]");
        await Assertions.Expect(lab).ToHaveAttributeAsync("data-state", "out");
        await Assertions.Expect(lab.GetByTestId("room-alarm")).ToHaveAttributeAsync("data-state", "active_unack");
        await Assertions.Expect(lab.GetByTestId("room-alarm")).ToHaveTextAsync("报警 · 未确认");

        var rack = page.Locator("[data-testid=room-card][data-device=rack-1]");
        await Assertions.Expect(rack).ToHaveAttributeAsync("data-state", "ok");
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            var now = RoomScenario.Format(scenario.Time.GetUtcNow());
            await gateway.PublishAsync($"campus/v1/{RoomScenario.Site}/gw-1/telemetry", $$"""{"seq":100,"ts":"{{now}}","readings":[{"device":"rack-1","metric":"temperature","value":36.5,"ts":"{{now}}"}]}""");
        }

        await Assertions.Expect(rack.GetByTestId("room-value")).ToHaveTextAsync("36.5°C");
        await Assertions.Expect(rack).ToHaveAttributeAsync("data-state", "out");
        await Assertions.Expect(rack.GetByTestId("room-status")).ToHaveTextAsync("超出范围");
        await Chromium.ScreenshotAsync(page, "rooms-live.png");
        Assert.True(errors.Count == 0, string.Join(" | ", errors));

        // The top bars link the board and the room page both ways.
        await page.GetByTestId("nav-board").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Platform.BaseAddress.ToString());
        await page.GetByTestId("nav-rooms").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Platform.BaseAddress, "/rooms.html").ToString());
        await Assertions.Expect(page.GetByTestId("room-card")).ToHaveCountAsync(4);
    }
}
