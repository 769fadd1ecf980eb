using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Campus.IoT.Tests.Common;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The hazard registry pages (hazards.html) in a real browser: a safety officer registers a hazard and takes it round the
/// closed loop (start, submit, reject, submit, verify) with every step on the timeline; a stale edit shows the conflict;
/// a guard reports a hazard with a photo and is offered no manage actions; a smoke alarm opens a hazard that shows its
/// alarm; the page in English has no untranslated keys.
/// </summary>
public sealed partial class HazardPagesTests : IAsyncLifetime
{
    /// <summary>A 48×32 PNG (red and yellow squares), small and real.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAARklEQVR42u3WMQ0AMAgEQOTgX0VFVEmnGoCx6cAlP37CTUDszDJnRZnX/QACAhoH+jW46wMBAc0D2dRAQED+IacDCGg46AJncMp5i28YgAAAAABJRU5ErkJggg==");

    private RunningPlatform _platform = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
        _platform = await RunningPlatform.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _platform.DisposeAsync();
    }

    private static string Day(int days) => DateTime.UtcNow.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\b(hz|col|filter|field|audit|action|count|list|detail|value|create|form|transition|edit|upload|alarm|error|category|risk|hzstatus|source|nav|start|badge|deadline|sort|rule|severity)\.[A-Za-z_]+")]
    private static partial Regex KeyLike();

    [Fact]
    public async Task A_safety_officer_registers_a_hazard_and_takes_it_round_the_closed_loop_with_each_step_on_the_timeline()
    {
        var officer = await _platform.UserAsync("officer-81", "safety_officer", ["school-81"], displayName: "赵老师");
        // An older hazard, already overdue, for the counts and badges.
        using (var old = await officer.PostAsJsonAsync("/api/hazards", new
        {
            site = "school-81", category = "fire", risk = "major", title = "消防通道堆放杂物", description = "食堂后门通道堆放纸箱",
            location = "食堂后门", measures = "清理杂物", responsiblePerson = "钱师傅", deadline = Day(-3),
        }))
        {
            Assert.Equal(HttpStatusCode.Created, old.StatusCode);
        }

        var consoleErrors = new List<string>();
        var page = await _chromium.NewPageAsync(consoleErrors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "officer-81", RunningPlatform.UserPassword);
        consoleErrors.Clear();
        await page.GetByTestId("nav-hazards").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_platform.BaseAddress, "/hazards.html").ToString());
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("赵老师 · 安全员");
        await Assertions.Expect(page.GetByTestId("hazard-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("count-open")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("count-overdue")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("hazard-row").GetByTestId("overdue-badge")).ToHaveTextAsync("已逾期");
        await Assertions.Expect(page.GetByTestId("nav-lists")).ToHaveAttributeAsync("href", "lists.html");
        await Assertions.Expect(page.GetByTestId("nav-report")).ToHaveAttributeAsync("href", "report.html");
        await Chromium.AssertPageNavAsync(page, "/hazards.html");

        // Register: measures and the responsible person, but no deadline yet.
        await page.GetByTestId("register-button").ClickAsync();
        var dialog = page.GetByTestId("create-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByTestId("field-site")).ToHaveValueAsync("school-81");
        await dialog.GetByTestId("field-location").FillAsync("实验楼 3F 危化品室");
        await dialog.GetByTestId("field-category").SelectOptionAsync("lab_chemicals");
        await dialog.GetByTestId("field-risk").SelectOptionAsync("significant");
        await dialog.GetByTestId("field-title").FillAsync("危化品柜未双人双锁");
        await dialog.GetByTestId("field-description").FillAsync("3F 危化品柜只有一把锁，钥匙由一人保管");
        await dialog.GetByTestId("field-measures").FillAsync("加装第二把锁，钥匙分两人保管");
        await dialog.GetByTestId("field-funds").FillAsync("350");
        await dialog.GetByTestId("field-responsibleUnit").FillAsync("化学组");
        await dialog.GetByTestId("field-responsiblePerson").FillAsync("李四");
        await Chromium.ScreenshotAsync(page, "hazards-register-form.png", fullPage: false);
        await dialog.GetByTestId("create-submit").ClickAsync();

        // The new hazard opens.
        await Assertions.Expect(page.GetByTestId("detail-view")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("detail-title")).ToContainTextAsync("危化品柜未双人双锁");
        await Assertions.Expect(page.GetByTestId("detail-notice")).ToContainTextAsync("已登记隐患");
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("risk-badge")).ToHaveTextAsync("较大");
        await Assertions.Expect(page.GetByTestId("timeline-item")).ToHaveCountAsync(1);
        var id = Regex.Match(page.Url, @"#id=(\d+)$").Groups[1].Value;
        Assert.NotEmpty(id);

        // Back in the list, sorted by risk.
        await page.GetByTestId("detail-back").ClickAsync();
        var rows = page.GetByTestId("hazard-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("count-open")).ToHaveTextAsync("2");
        await page.Locator("button.sort[data-sort=risk]").ClickAsync();
        await Assertions.Expect(rows.First.GetByTestId("risk-badge")).ToHaveTextAsync("重大");
        await page.Locator("button.sort[data-sort=risk]").ClickAsync();
        await Assertions.Expect(rows.First.GetByTestId("risk-badge")).ToHaveTextAsync("较大");
        await page.GetByTestId("q-filter").FillAsync("危化品");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await page.GetByTestId("q-filter").FillAsync(string.Empty);
        await page.GetByTestId("overdue-filter").CheckAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("消防通道堆放杂物");
        await page.GetByTestId("overdue-filter").UncheckAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await page.GetByTestId("category-filter").SelectOptionAsync("fire");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("category=fire"));
        await page.GetByTestId("category-filter").SelectOptionAsync(string.Empty);
        await page.GetByTestId("from-filter").FillAsync(Day(2));
        await Assertions.Expect(page.GetByTestId("list-empty")).ToHaveTextAsync("没有符合条件的隐患");
        await page.GetByTestId("from-filter").FillAsync(string.Empty);
        await page.GetByTestId("status-filter").SelectOptionAsync("registered");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Chromium.ScreenshotAsync(page, "hazards-list.png");

        // Open it; starting needs a deadline: the edit form comes first, and saving starts the rectification.
        await page.Locator($"[data-testid=hazard-row][data-id='{id}']").ClickAsync();
        await page.GetByTestId("action-start").ClickAsync();
        var edit = page.GetByTestId("edit-form");
        await Assertions.Expect(edit).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("edit-hint")).ToContainTextAsync("整改时限");
        await Assertions.Expect(page.GetByTestId("transition-dialog")).ToBeHiddenAsync();
        await edit.GetByTestId("field-deadline").FillAsync(Day(14));
        await edit.GetByTestId("edit-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("status-badge")).ToHaveTextAsync("整改中");

        await TransitionAsync(page, "submit", note: "已加装第二把锁");
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("status-badge")).ToHaveTextAsync("待验收");
        // A reject needs a reason: the page says so before asking the server.
        await page.GetByTestId("action-reject").ClickAsync();
        await page.GetByTestId("transition-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("transition-error")).ToHaveTextAsync("请说明验收不通过的原因");
        await page.GetByTestId("transition-cancel").ClickAsync();
        await TransitionAsync(page, "reject", note: "第二把锁钥匙仍由同一人保管", reinspector: "王五");
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("status-badge")).ToHaveTextAsync("整改中");
        await TransitionAsync(page, "submit", note: "钥匙已交化学组长保管");
        await TransitionAsync(page, "verify", note: "复查合格");
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("status-badge")).ToHaveTextAsync("已销号");
        await Assertions.Expect(page.GetByTestId("fact-verification")).ToHaveTextAsync("通过");
        await Assertions.Expect(page.GetByTestId("fact-reinspector")).ToHaveTextAsync("王五");
        await Assertions.Expect(page.GetByTestId("actions-hint")).ToContainTextAsync("已销号");
        await Assertions.Expect(page.GetByTestId("edit-form")).ToBeHiddenAsync();

        var timeline = page.GetByTestId("timeline-item");
        await Assertions.Expect(timeline).ToHaveCountAsync(7);
        Assert.Equal(
            ["create", "update", "start", "submit", "reject", "submit", "verify"],
            await timeline.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.action)"));
        Assert.Equal(
            ["登记", "修改", "开始整改", "提交验收", "验收不通过", "提交验收", "验收通过"],
            await page.GetByTestId("timeline-action").AllTextContentsAsync());
        await Assertions.Expect(timeline.Nth(1).Locator("[data-field=deadline]")).ToContainTextAsync("整改时限：（空） → " + Day(14));
        await Assertions.Expect(timeline.Nth(4).GetByTestId("timeline-note")).ToHaveTextAsync("说明：第二把锁钥匙仍由同一人保管");
        await Assertions.Expect(timeline.Nth(4).Locator("[data-field=reinspector]")).ToContainTextAsync("王五");
        await Assertions.Expect(timeline.Nth(6).Locator("[data-field=verificationPassed]")).ToContainTextAsync("不通过 → 通过");
        await Assertions.Expect(timeline.Nth(6).GetByTestId("timeline-by")).ToHaveTextAsync("officer-81");
        await Chromium.ScreenshotAsync(page, "hazards-detail-timeline.png");

        // English: the same hazard, every string translated.
        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("status-badge")).ToHaveTextAsync("Closed");
        await Assertions.Expect(page.GetByTestId("timeline-action").Nth(4)).ToHaveTextAsync("Verified: failed");
        await Assertions.Expect(timeline.Nth(6).Locator("[data-field=verificationPassed]")).ToContainTextAsync("Verification: Failed → Passed");
        await AssertNoKeysAsync(page);
        await Chromium.ScreenshotAsync(page, "hazards-detail-timeline-en.png");
        await page.GetByTestId("detail-back").ClickAsync();
        await Assertions.Expect(page.GetByTestId("count-awaiting")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#list-heading")).ToContainTextAsync("Hazards");
        await Assertions.Expect(page.GetByTestId("nav-lists")).ToHaveTextAsync("Three lists");
        await AssertNoKeysAsync(page);
        await Chromium.ScreenshotAsync(page, "hazards-list-en.png");
        await page.GetByTestId("register-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("create-title")).ToHaveTextAsync("Register a hazard");
        await page.GetByTestId("create-dialog").GetByTestId("field-title").FillAsync("配电箱门未上锁");
        await AssertNoKeysAsync(page);
        await Chromium.ScreenshotAsync(page, "hazards-register-form-en.png", fullPage: false);
        await page.GetByTestId("create-cancel").ClickAsync();
        await page.GetByTestId("lang-toggle").ClickAsync();
        await page.GetByTestId("register-button").ClickAsync();
        await page.GetByTestId("create-dialog").GetByTestId("field-title").FillAsync("配电箱门未上锁");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByTestId("create-dialog")).ToBeHiddenAsync();

        Assert.DoesNotContain(consoleErrors, e => !e.Contains("AudioContext", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stale_edit_says_someone_else_changed_the_hazard_and_reload_shows_their_change()
    {
        var officer = await _platform.UserAsync("officer-83", "safety_officer", ["school-83"]);
        using var created = await officer.PostAsJsonAsync("/api/hazards", new
        {
            site = "school-83", category = "buildings", risk = "general", title = "教学楼 2F 栏杆松动", description = "东侧楼梯栏杆螺栓松动",
        });
        var id = (long)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;

        var consoleErrors = new List<string>();
        var page = await _chromium.NewPageAsync(consoleErrors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "officer-83", RunningPlatform.UserPassword, "/hazards.html");
        await page.GotoAsync(new Uri(_platform.BaseAddress, $"/hazard.html?id={id}").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/hazards\\.html#id={id}$"));
        consoleErrors.Clear();
        await page.GetByTestId("action-edit").ClickAsync();
        var edit = page.GetByTestId("edit-form");
        await edit.GetByTestId("field-responsiblePerson").FillAsync("张三");

        // Meanwhile a colleague changes it.
        using (var other = await officer.PatchAsJsonAsync($"/api/hazards/{id}", new { version = 1, responsiblePerson = "孙七", note = "另一位安全员" }))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        await edit.GetByTestId("edit-submit").ClickAsync();
        var error = page.GetByTestId("detail-error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("别人刚刚修改了这条隐患");
        await Assertions.Expect(page.GetByTestId("conflict-reload")).ToBeVisibleAsync();
        await Assertions.Expect(edit.GetByTestId("field-responsiblePerson")).ToHaveValueAsync("张三");   // what was typed is kept
        await Chromium.ScreenshotAsync(page, "hazards-conflict.png");
        await page.GetByTestId("conflict-reload").ClickAsync();
        await Assertions.Expect(error).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("fact-responsible")).ToHaveTextAsync("孙七");
        await Assertions.Expect(page.GetByTestId("fact-version")).ToHaveTextAsync("2");

        // A refusal from the server is shown in words too (English half in English).
        await page.GetByTestId("lang-toggle").ClickAsync();
        await page.GetByTestId("action-start").ClickAsync();
        await Assertions.Expect(page.GetByTestId("edit-hint")).ToContainTextAsync("Measures");
        await page.GetByTestId("edit-cancel").ClickAsync();
        await page.GetByTestId("action-edit").ClickAsync();
        await edit.GetByTestId("field-responsiblePerson").FillAsync("孙七七");
        await page.EvaluateAsync("() => document.getElementById('edit-form').setAttribute('data-version', '1')");
        await edit.GetByTestId("edit-submit").ClickAsync();
        await Assertions.Expect(error).ToContainTextAsync("Someone else changed this hazard");
        await Chromium.ScreenshotAsync(page, "hazards-conflict-en.png");
        await page.GetByTestId("lang-toggle").ClickAsync();
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("409", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_guard_reports_a_hazard_with_a_photo_and_is_offered_no_manage_actions_and_sees_an_alarms_hazard()
    {
        await _platform.UserAsync("guard-82", "guard", ["school-82"], displayName: "王保安");
        await using (var gateway = await _platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-82/gw-1/events", Scenarios.SmokeEvent(1, "smoke-kitchen"));
        }

        // The smoke alarm (critical) opens a hazard through the alarm feed.
        var opened = await Eventually.Get(
            async () =>
            {
                var list = JsonNode.Parse(await _platform.Http.GetStringAsync("/api/hazards?site=school-82&source=alarm"))!.AsArray();
                return list.Count == 1 ? list[0] : null;
            },
            "the hazard opened by the smoke alarm");
        var alarmHazard = (long)opened!["id"]!;

        var consoleErrors = new List<string>();
        var page = await _chromium.NewPageAsync(consoleErrors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "guard-82", RunningPlatform.UserPassword, "/hazards.html");
        consoleErrors.Clear();
        await Assertions.Expect(page.GetByTestId("hazard-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("register-button")).ToBeHiddenAsync();

        await page.GetByTestId("report-button").ClickAsync();
        var dialog = page.GetByTestId("create-dialog");
        await Assertions.Expect(dialog.GetByTestId("field-site")).ToHaveValueAsync("school-82");
        await Assertions.Expect(dialog.GetByTestId("field-measures")).ToHaveCountAsync(0);
        await Assertions.Expect(dialog.GetByTestId("field-deadline")).ToHaveCountAsync(0);
        await dialog.GetByTestId("field-location").FillAsync("操场东侧");
        await dialog.GetByTestId("field-category").SelectOptionAsync("facilities");
        await dialog.GetByTestId("field-risk").SelectOptionAsync("low");
        await dialog.GetByTestId("field-title").FillAsync("路灯不亮");
        await dialog.GetByTestId("create-submit").ClickAsync();
        await Assertions.Expect(dialog.GetByTestId("create-error")).ToContainTextAsync("隐患描述");
        await dialog.GetByTestId("field-description").FillAsync("操场东侧两盏路灯晚上不亮");
        await dialog.GetByTestId("field-photo").SetInputFilesAsync(new FilePayload { Name = "lamp.png", MimeType = "image/png", Buffer = Png });
        await Chromium.ScreenshotAsync(page, "hazards-report-form.png", fullPage: false);
        await dialog.GetByTestId("create-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("detail-view")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("detail-title")).ToContainTextAsync("路灯不亮");
        var thumb = page.GetByTestId("attachment-thumb");
        await Assertions.Expect(thumb).ToHaveCountAsync(1);
        await Eventually.True(async () => await thumb.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0") == 48, "the photo's thumbnail loads");
        await Assertions.Expect(page.GetByTestId("attachment-download")).ToHaveTextAsync("lamp.png");
        await Assertions.Expect(page.GetByTestId("actions-hint")).ToContainTextAsync("安全员");
        await Assertions.Expect(page.Locator("[data-testid^=action-]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("detail-badges").GetByTestId("risk-badge")).ToHaveTextAsync("低");
        await Assertions.Expect(page.Locator("[data-testid=timeline-item][data-action=attach]")).ToHaveCountAsync(1);
        await Chromium.ScreenshotAsync(page, "hazards-guard-report-detail.png");

        // The alarm's hazard: its linked alarm, leading to the alarm history.
        await page.GotoAsync(new Uri(_platform.BaseAddress, $"/hazards.html#id={alarmHazard}").ToString());
        var alarm = page.GetByTestId("alarm-row");
        await Assertions.Expect(alarm).ToHaveCountAsync(1);
        await Assertions.Expect(alarm).ToContainTextAsync("smoke-kitchen");
        await Assertions.Expect(alarm).ToContainTextAsync("报警中");
        await Assertions.Expect(alarm.GetByTestId("alarm-link")).ToHaveAttributeAsync("href", new Regex("^history\\.html\\?site=school-82"));
        await Assertions.Expect(page.Locator("[data-testid=timeline-item][data-action=create]").GetByTestId("timeline-by")).ToHaveTextAsync("报警系统");
        await Assertions.Expect(page.Locator("[data-testid^=action-]")).ToHaveCountAsync(0);
        await Chromium.ScreenshotAsync(page, "hazards-alarm-detail.png");
        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(alarm).ToContainTextAsync("Active");
        await AssertNoKeysAsync(page);
        await Chromium.ScreenshotAsync(page, "hazards-alarm-detail-en.png");
        await alarm.GetByTestId("alarm-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/history\\.html\\?site=school-82"));
        await Assertions.Expect(page.GetByTestId("history-row")).ToHaveCountAsync(1);

        // On a phone: the list and the report form fit the width.
        var phone = await _chromium.NewPageAsync(consoleErrors, 412, 915);
        await Chromium.SignInAsync(phone, _platform.BaseAddress, "guard-82", RunningPlatform.UserPassword, "/hazards.html");
        await Assertions.Expect(phone.GetByTestId("hazard-row")).ToHaveCountAsync(2);
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the list page scrolls sideways on a phone");
        await Chromium.ScreenshotAsync(phone, "hazards-list-phone.png");
        await phone.GetByTestId("report-button").ClickAsync();
        await Chromium.ScreenshotAsync(phone, "hazards-report-form-phone.png", fullPage: false);
        await phone.GetByTestId("create-cancel").ClickAsync();

        // The server agrees: a guard may not manage, nor attach to a hazard they did not report.
        using var guard = RunningPlatform.Client(_platform.BaseAddress).Client;
        await RunningPlatform.SignInAsync(guard, "guard-82", RunningPlatform.UserPassword);
        using (var start = await guard.PostAsJsonAsync($"/api/hazards/{alarmHazard}/transition", new { action = "start" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        }

        using var form = new MultipartFormDataContent { { new ByteArrayContent(Png), "file", "x.png" } };
        using (var attach = await guard.PostAsync($"/api/hazards/{alarmHazard}/attachments", form))
        {
            Assert.Equal(HttpStatusCode.Forbidden, attach.StatusCode);
        }

        Assert.Empty(consoleErrors);
    }

    private static async Task TransitionAsync(IPage page, string action, string? note = null, string? reinspector = null)
    {
        await page.GetByTestId("action-" + action).ClickAsync();
        var dialog = page.GetByTestId("transition-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        if (reinspector is not null)
        {
            await dialog.GetByTestId("transition-reinspector").FillAsync(reinspector);
        }

        if (note is not null)
        {
            await dialog.GetByTestId("transition-note").FillAsync(note);
        }

        if (action == "verify")
        {
            await Chromium.ScreenshotAsync(page, "hazards-verify-dialog.png", fullPage: false);
        }

        await dialog.GetByTestId("transition-submit").ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("detail-notice")).ToBeVisibleAsync();
    }

    private static async Task AssertNoKeysAsync(IPage page)
    {
        var text = await page.EvaluateAsync<string>("() => document.body.innerText + ' ' + [...document.querySelectorAll('dialog[open]')].map(d => d.innerText).join(' ')");
        var keys = KeyLike().Matches(text).Select(m => m.Value).ToList();
        Assert.True(keys.Count == 0, "untranslated keys: " + string.Join(", ", keys));
    }
}
