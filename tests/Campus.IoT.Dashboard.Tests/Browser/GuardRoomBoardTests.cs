using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The guard-room board in a real browser (Debian's chromium driven by Playwright, no browser download): it connects live,
/// shows a smoke alarm published over MQTT, and a guard acknowledges it with name and note. The guard signs in through the
/// sign-in page first (a new account: the one-time password is replaced there), and sees only their own school.
/// </summary>
public sealed class GuardRoomBoardTests : IAsyncLifetime
{
    private RunningPlatform _platform = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
        _platform = await RunningPlatform.StartAsync(null, null, "--Campus:Sites:school-01:Name=第一中学", "--Campus:Sites:school-01:Locations:smoke-3f-*=教学楼 / 3F / 化学实验室");
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _platform.DisposeAsync();
    }

    [Fact]
    public async Task A_guard_sees_a_smoke_alarm_live_and_acknowledges_it_with_name_and_note()
    {
        var consoleErrors = new List<string>();
        var page = await _chromium.NewPageAsync(consoleErrors);

        // A guard of school-01, created by the district admin with a password they must change at the first sign-in.
        using (var create = await _platform.Http.PostAsJsonAsync("/api/users", new { username = "guard-01", displayName = "王保安", role = "guard", sites = new[] { "school-01" }, password = "one-time-pass-1" }))
        {
            create.EnsureSuccessStatusCode();
        }

        await page.GotoAsync(_platform.BaseAddress.ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login\\.html\\?return=%2F$"));
        await page.GetByTestId("login-username").FillAsync("guard-01");
        await page.GetByTestId("login-password").FillAsync("wrong-password");
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-error")).ToHaveTextAsync("用户名或密码错误");
        await page.GetByTestId("login-password").FillAsync("one-time-pass-1");
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("change-form")).ToBeVisibleAsync();
        // The card's title: the platform's name, 登录 under it; never broken inside a word (登 / 录 on two lines).
        Assert.Equal(1, await page.Locator("#title-action").EvaluateAsync<int>("e => new Set(Array.from(e.getClientRects(), r => Math.round(r.bottom))).size"));
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("校园安全监控平台 登录");
        await Chromium.ScreenshotAsync(page, "sign-in-change-password.png");
        await page.GetByTestId("new-password").FillAsync("guard-chosen-pass");
        await page.GetByTestId("new-password-2").FillAsync("guard-chosen-pass");
        await page.GetByTestId("change-submit").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(_platform.BaseAddress.ToString());
        consoleErrors.Clear();   // the wrong password's 401 above is logged by the browser; from here on nothing may fail
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("王保安 · 值班员");
        await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(page.GetByTestId("all-clear")).ToBeVisibleAsync();
        // The open board tells the console watchdog that school-01's guard room is watching.
        var consoles = _platform.Services.GetRequiredService<Campus.IoT.Dashboard.Live.ConsoleRegistry>();
        await Eventually.True(() => consoles.Attended("school-01", TimeSpan.FromSeconds(30)), "the board's console heartbeat");
        Assert.False(consoles.Attended("school-02", TimeSpan.FromSeconds(30)));
        // The guard clicked on this site while signing in, so the browser lets the siren play at once: no arming banner.
        await Assertions.Expect(page.GetByTestId("sound-status")).ToHaveAttributeAsync("data-armed", "true");
        await Assertions.Expect(page.GetByTestId("sound-arm")).ToBeHiddenAsync();

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
        // Where, in words: the place configured for the device (building / floor / room) and the school's name.
        await Assertions.Expect(page.GetByTestId("hero-alarm")).ToContainTextAsync("教学楼 / 3F / 化学实验室");
        await Assertions.Expect(row).ToContainTextAsync("第一中学");

        // The countdown to the next escalation level (the safety officer and principal at +60 s), in the hero and the row.
        await Assertions.Expect(row.GetByTestId("escalation-countdown")).ToContainTextAsync(new Regex("^0:[0-5][0-9] 后升级$"));
        await Assertions.Expect(page.GetByTestId("hero-alarm").GetByTestId("escalation-countdown")).ToBeVisibleAsync();
        // Every page is a click away, and nothing on the board is a raw key, "undefined" or "NaN".
        await Chromium.AssertPageNavAsync(page, "/");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "guard-room-board-alarm.png");

        await row.GetByTestId("ack-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ack-dialog")).ToBeVisibleAsync();
        await page.GetByTestId("ack-by").FillAsync("王保安");
        await page.GetByTestId("ack-note").FillAsync("已到现场，实验室无烟");
        await page.GetByTestId("ack-submit").ClickAsync();

        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "active_ack");
        await Assertions.Expect(page.GetByTestId("escalation-countdown")).ToHaveCountAsync(0);   // acknowledged: no more escalation
        var alarm = await Eventually.Get(
            async () => (await _platform.GetAlarmsAsync()).FirstOrDefault(a => (string?)a!["state"] == "active_ack") as JsonObject,
            "the acknowledgement stored");
        Assert.Equal("王保安 (guard-01)", (string?)alarm["ackedBy"]);
        Assert.Equal("已到现场，实验室无烟", (string?)alarm["ackNote"]);

        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("hero-alarm").Or(row).First).ToContainTextAsync("Smoke");

        await Chromium.AssertPageNavAsync(page, "/");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "guard-room-board.png");
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("AudioContext", StringComparison.Ordinal));

        // The same signed-in browser cannot read another school's alarms, nor the district admin's routes.
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-02/gw-1/events", Scenarios.SmokeEvent(1, "smoke-other-school"));
        }

        var other = await Eventually.Get(async () => (await _platform.GetAlarmsAsync("?site=school-02")).FirstOrDefault(), "school-02's alarm");
        Assert.Equal(403, (await page.APIRequest.GetAsync(_platform.BaseAddress + "api/alarms?site=school-02")).Status);
        Assert.Equal(403, (await page.APIRequest.GetAsync($"{_platform.BaseAddress}api/alarms/{(string)other!["id"]!}")).Status);
        Assert.Equal(403, (await page.APIRequest.GetAsync(_platform.BaseAddress + "api/users")).Status);
        Assert.Equal(403, (await page.APIRequest.GetAsync(_platform.BaseAddress + "api/ingest/rejects")).Status);
        var own = await page.APIRequest.GetAsync(_platform.BaseAddress + "api/alarms?state=all");
        Assert.DoesNotContain("school-02", await own.TextAsync(), StringComparison.Ordinal);
        await Assertions.Expect(row).ToHaveCountAsync(1);   // the board did not get school-02's alarm pushed either
    }

}
