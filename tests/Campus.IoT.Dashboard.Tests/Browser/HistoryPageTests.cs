using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The alarm history page in a real browser (Debian's chromium driven by Playwright): a safety officer of two schools
/// goes from the board to the history, reads the response times per school and severity, opens one alarm's audit trail
/// and notifications, narrows by school and severity, and switches to English. The alarms are real MQTT events on a fake
/// platform clock, acknowledged over the API after known delays.
/// </summary>
public sealed class HistoryPageTests : IAsyncLifetime
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private WebhookReceiver _receiver = null!;
    private RunningPlatform _platform = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
        _receiver = await WebhookReceiver.StartAsync(Secret);
        _platform = await RunningPlatform.StartWithAsync(
            builder => builder.Services.AddSingleton<TimeProvider>(_time),
            $"--Campus:Notify:Webhooks:duty:Url={_receiver.Url}",
            $"--Campus:Notify:Webhooks:duty:Secret={Secret}",
            "--Campus:Notify:Recipients:safety-officer:Webhooks:0=duty",
            "--Campus:Notify:Recipients:principal:Webhooks:0=duty");
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _platform.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_safety_officer_reads_response_times_by_school_and_an_alarms_audit_trail_in_zh_CN_and_English()
    {
        var officer = await _platform.UserAsync("officer-71", "safety_officer", ["school-71", "school-72"], displayName: "赵老师");
        await using var hub = await _platform.ConnectHubAsync();
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-71/gw-1/events", Events(1, ("smoke-3f", "smoke", "active", "3楼 化学实验室"), ("smoke-2f", "smoke", "active", "2楼 走廊"), ("panel-1", "trouble", "active", null)));
            await gateway.PublishAsync("campus/v1/school-72/gw-1/events", Events(1, ("smoke-kitchen", "smoke", "active", "食堂 后厨")));
        }

        var ids = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var raised = await hub.NextAlarmAsync(a => a.GetProperty("state").GetString() == "active_unack" && !ids.ContainsValue(a.GetProperty("id").GetString()!));
            ids[raised.GetProperty("device").GetString()!] = raised.GetProperty("id").GetString()!;
        }

        // school-71 answers in 18 s, 25 s and 45 s; school-72's kitchen alarm climbs at 60 s and is acknowledged at 75 s.
        _time.Advance(TimeSpan.FromSeconds(18));
        await AckAsync(officer, ids["smoke-3f"], "王保安", "已到现场，实验室无烟");
        _time.Advance(TimeSpan.FromSeconds(7));
        await AckAsync(officer, ids["smoke-2f"], "王保安", null);
        _time.Advance(TimeSpan.FromSeconds(20));
        await AckAsync(officer, ids["panel-1"], "王保安", "已通知维保");
        _time.Advance(TimeSpan.FromSeconds(15));
        await hub.NextAlarmAsync(a => a.GetProperty("id").GetString() == ids["smoke-kitchen"] && a.GetProperty("escalationLevel").GetInt32() == 1);
        await Eventually.True(() => _receiver.Requests.Count == 2, "the safety officer and the principal called");
        _time.Advance(TimeSpan.FromSeconds(15));
        await AckAsync(officer, ids["smoke-kitchen"], "李保安", "厨房油烟，已处理");
        _time.Advance(TimeSpan.FromSeconds(45));
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-71/gw-1/events", Events(2, ("smoke-3f", "smoke", "cleared", "3楼 化学实验室")));
        }

        await hub.NextAlarmAsync(a => a.GetProperty("id").GetString() == ids["smoke-3f"] && a.GetProperty("state").GetString() == "cleared");

        var consoleErrors = new List<string>();
        var page = await _chromium.NewPageAsync(consoleErrors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "officer-71", RunningPlatform.UserPassword);
        consoleErrors.Clear();   // the sign-in page's favicon request, made before signing in, is answered 401

        // From the board's top bar to the history page.
        await page.GetByTestId("history-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_platform.BaseAddress, "/history.html").ToString());
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("赵老师 · 安全员");

        var rt = page.GetByTestId("rt-row");
        await Assertions.Expect(rt).ToHaveCountAsync(3);
        var fire71 = page.Locator("[data-testid=rt-row][data-site=school-71][data-severity=critical]");
        await Assertions.Expect(fire71.Locator(".count")).ToHaveTextAsync("2");
        await Assertions.Expect(fire71.Locator(".ack-median")).ToHaveTextAsync("21秒");     // (18 + 25) / 2, rounded down
        await Assertions.Expect(fire71.Locator(".ack-max")).ToHaveTextAsync("25秒");
        await Assertions.Expect(fire71.Locator(".clear-median")).ToHaveTextAsync("2分0秒");
        await Assertions.Expect(fire71.GetByTestId("rt-late")).ToHaveTextAsync("0");
        var fire72 = page.Locator("[data-testid=rt-row][data-site=school-72]");
        await Assertions.Expect(fire72.Locator(".ack-median")).ToHaveTextAsync("1分15秒");
        await Assertions.Expect(fire72.GetByTestId("rt-late")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("rt-late-head")).ToHaveTextAsync("超过60秒未确认");

        var rows = page.GetByTestId("history-row");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        var kitchen = page.Locator($"[data-testid=history-row][data-alarm-id='{ids["smoke-kitchen"]}']");
        await Assertions.Expect(kitchen.GetByTestId("ack-time")).ToHaveTextAsync("1分15秒");
        await Assertions.Expect(kitchen).ToContainTextAsync("食堂 后厨");
        await Assertions.Expect(kitchen.Locator(".acked-by div").First).ToHaveTextAsync("李保安");          // the name typed,
        await Assertions.Expect(kitchen.Locator(".acked-by div").Nth(1)).ToHaveTextAsync("officer-71");    // the account
        await Chromium.AssertPageNavAsync(page, "/history.html");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "history.png");

        // One alarm's audit trail and notifications.
        await kitchen.ClickAsync();
        var dialog = page.GetByTestId("audit-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        var audit = dialog.GetByTestId("audit-row");
        await Assertions.Expect(audit).ToHaveCountAsync(3);
        Assert.Equal(["raised", "escalated", "acknowledged"], await audit.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.transition)"));
        await Assertions.Expect(audit.Nth(2)).ToContainTextAsync("厨房油烟，已处理");
        // The escalation's note in words: who was told, in the reader's language (the server writes "level 1: safety-officer, principal").
        await Assertions.Expect(audit.Nth(1).Locator(".note")).ToHaveTextAsync("第 1 级：安全员、校长");
        await Assertions.Expect(dialog.GetByTestId("audit-ack-time")).ToContainTextAsync("1分15秒");
        var deliveries = dialog.GetByTestId("delivery-row");
        await Assertions.Expect(deliveries).ToHaveCountAsync(3);
        await Assertions.Expect(deliveries.Filter(new LocatorFilterOptions { HasText = "安全员" })).ToContainTextAsync("已发送");
        await Chromium.ScreenshotAsync(page, "history-audit.png", fullPage: false);
        await dialog.GetByTestId("audit-close").ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        // Narrowed by school, then by severity (kept in the address).
        await page.GetByTestId("site-filter").SelectOptionAsync("school-72");
        await Assertions.Expect(rt).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("site=school-72"));
        await page.GetByTestId("site-filter").SelectOptionAsync(string.Empty);
        await page.GetByTestId("severity-filter").SelectOptionAsync("minor");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("故障");
        await Assertions.Expect(rt).ToHaveCountAsync(1);
        await page.GetByTestId("severity-filter").SelectOptionAsync(string.Empty);
        await page.GetByTestId("period-30d").ClickAsync();
        await Assertions.Expect(page.GetByTestId("period-30d")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(rows).ToHaveCountAsync(4);

        // English.
        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.Locator("#rt-heading")).ToHaveTextAsync("Response times by school and severity");
        await Assertions.Expect(fire72.Locator(".ack-median")).ToHaveTextAsync("1 min 15 s");
        await Assertions.Expect(page.GetByTestId("rt-late-head")).ToHaveTextAsync("Not acknowledged within 60 s");
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Safety officer");
        await Chromium.AssertPageNavAsync(page, "/history.html");
        await Chromium.AssertNoRawTextAsync(page);
        await Chromium.ScreenshotAsync(page, "history-en.png");
        await rows.First.GetByTestId("open-audit").ClickAsync();
        await Assertions.Expect(dialog.GetByTestId("audit-row").First).ToContainTextAsync("Raised");
        await dialog.GetByTestId("audit-close").ClickAsync();

        // And back to the board.
        await page.GetByTestId("back-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(_platform.BaseAddress.ToString());
        await Assertions.Expect(page.GetByTestId("history-link")).ToHaveTextAsync("Alarm history");
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("AudioContext", StringComparison.Ordinal));
    }

    private static async Task AckAsync(HttpClient client, string id, string by, string? note)
    {
        using var ack = await client.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by, note });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    private string Events(long seq, params (string Device, string Type, string State, string? Label)[] events)
    {
        var now = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var items = string.Join(",", events.Select(e =>
            $$"""{"device":"{{e.Device}}","type":"{{e.Type}}","state":"{{e.State}}","ts":"{{now}}"{{(e.Label is null ? string.Empty : $",\"label\":\"{e.Label}\"")}}}"""));
        return $$"""{"seq":{{seq}},"ts":"{{now}}","events":[{{items}}]}""";
    }
}
