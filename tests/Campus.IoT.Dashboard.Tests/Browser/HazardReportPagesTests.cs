using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Campus.IoT.Dashboard.Tests.Browser;

/// <summary>
/// The 三清单 page and the annual report page in a real browser (Debian's chromium driven by Playwright): a safety officer
/// of two schools reads the lists with an overdue hazard marked, narrows them, downloads the workbook with the filters;
/// reads the year's tiles and charts for both schools and one, an empty year, and both pages in English.
/// </summary>
public sealed class HazardReportPagesTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
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

    /// <summary>school-81: an overdue fire hazard, a closed building one, a lab one without a deadline; school-82: one.</summary>
    private async Task SeedAsync()
    {
        var http = _platform.Http;
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Shanghai).DateTime);
        var found = now.AddDays(-2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string Day(int offset) => today.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        await CreateAsync(http, new
        {
            site = "school-81", category = "fire", risk = "major", title = "灭火器过期", description = "教学楼灭火器过期3具", location = "教学楼 1F",
            measures = "更换灭火器", funds = 1200m, responsibleUnit = "总务处", responsiblePerson = "张三", deadline = Day(-1), foundAt = found,
        });
        var closed = await CreateAsync(http, new
        {
            site = "school-81", category = "buildings", risk = "general", title = "栏杆松动", description = "东侧楼梯栏杆松动", location = "教学楼 2F",
            measures = "紧固螺栓", responsibleUnit = "后勤处", responsiblePerson = "李四", deadline = Day(30), foundAt = found,
        });
        await CreateAsync(http, new
        {
            site = "school-81", category = "lab_chemicals", risk = "significant", title = "危化品柜单锁", description = "危化品柜只有一把锁", location = "实验楼 3F",
            foundAt = found,
        });
        await CreateAsync(http, new { site = "school-82", category = "food_safety", risk = "low", title = "留样柜温度计缺失", description = "食堂留样柜无温度计", foundAt = found });
        foreach (var (action, reinspector) in new[] { ("start", (string?)null), ("submit", null), ("verify", "王五") })
        {
            using var answer = await http.PostAsJsonAsync($"/api/hazards/{closed}/transition", new { action, reinspector });
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }
    }

    private static async Task<long> CreateAsync(HttpClient http, object hazard)
    {
        using var created = await http.PostAsJsonAsync("/api/hazards", hazard);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (long)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
    }

    /// <summary>Text nodes that look like an i18n key (lists.*, report.*, hzr.*): a string the tables do not have.</summary>
    private static Task<string[]> UntranslatedAsync(IPage page) => page.EvaluateAsync<string[]>(
        """
        () => {
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const text = walker.currentNode.textContent.trim();
            if (/^(lists|report|hzr)\.[A-Za-z0-9_.-]+$/.test(text)) found.push(text);
          }
          document.querySelectorAll('option, [aria-label], [title]').forEach(n => {
            [n.textContent, n.getAttribute('aria-label'), n.getAttribute('title')].forEach(v => {
              if (v && /^(lists|report|hzr)\.[A-Za-z0-9_.-]+$/.test(v.trim())) found.push(v.trim());
            });
          });
          return found;
        }
        """);

    [Fact]
    public async Task A_safety_officer_reads_and_downloads_the_three_lists_in_zh_CN_and_English()
    {
        await SeedAsync();
        await _platform.UserAsync("officer-81", "safety_officer", ["school-81", "school-82"], displayName: "钱老师");
        var errors = new List<string>();
        var page = await _chromium.NewPageAsync(errors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "officer-81", RunningPlatform.UserPassword, "/lists.html");
        errors.Clear();   // the sign-in page's favicon request, made before signing in, is answered 401

        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        var rows = page.GetByTestId("list-row");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await Assertions.Expect(page.GetByTestId("summary")).ToHaveTextAsync("共 4 条隐患，逾期 1 条");
        await Assertions.Expect(page.GetByTestId("count-problems")).ToHaveTextAsync("4 条");
        var overdue = page.Locator("[data-testid=list-row][data-overdue=true]");
        await Assertions.Expect(overdue).ToHaveCountAsync(1);
        await Assertions.Expect(overdue).ToContainTextAsync("教学楼灭火器过期3具");
        await Assertions.Expect(overdue.Locator(".overdue-badge")).ToHaveTextAsync("逾期");
        await Assertions.Expect(overdue.Locator(".risk-badge")).ToHaveTextAsync("重大风险");
        await Assertions.Expect(page.GetByTestId("register-link")).ToHaveAttributeAsync("href", "/hazards.html");
        await Assertions.Expect(page.GetByTestId("back-link")).ToHaveAttributeAsync("href", "/");
        await Chromium.ScreenshotAsync(page, "lists.png");

        // The measures and responsibilities tabs: the same rows, their own columns.
        await page.GetByTestId("tab-measures").ClickAsync();
        await Assertions.Expect(page.GetByTestId("list-table").Locator("thead")).ToContainTextAsync("整改措施");
        await Assertions.Expect(page.GetByTestId("list-table").Locator("thead")).ToContainTextAsync("整改资金(元)");
        await Assertions.Expect(page.Locator("[data-testid=list-row][data-overdue=true] .col-funds")).ToHaveTextAsync("1200.00");
        await page.GetByTestId("tab-responsibilities").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=list-row][data-overdue=true]")).ToContainTextAsync("张三");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("list=responsibilities"));
        await Chromium.ScreenshotAsync(page, "lists-responsibilities.png");

        // Narrowed: school and category, kept in the address and in every download link.
        await page.GetByTestId("site-filter").SelectOptionAsync("school-81");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await page.GetByTestId("category-filter").SelectOptionAsync("fire");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("site=school-81&category=fire"));
        var xlsxHref = await page.GetByTestId("download-xlsx").GetAttributeAsync("href");
        Assert.Equal("/api/hazards/lists.xlsx?site=school-81&category=fire", xlsxHref);
        Assert.Equal("/api/hazards/lists/measures.csv?site=school-81&category=fire", await page.GetByTestId("download-csv-measures").GetAttributeAsync("href"));
        var download = await page.EvaluateAsync<int[]>(
            "async url => { const r = await fetch(url); const b = new Uint8Array(await r.arrayBuffer()); return [r.status, b[0], b[1], b.length]; }", xlsxHref);
        Assert.Equal(200, download[0]);
        Assert.Equal("PK", new string([(char)download[1], (char)download[2]]));
        var csv = await page.EvaluateAsync<string>("async url => (await (await fetch(url)).text())", "/api/hazards/lists/problems.csv?site=school-81&category=fire");
        Assert.Equal(3, csv.Split("\r\n").Length);   // header, the fire hazard, the final line break

        // A period with nothing in it.
        await page.GetByTestId("from-filter").FillAsync("2001-01-01");
        await page.GetByTestId("to-filter").FillAsync("2001-12-31");
        await Assertions.Expect(page.GetByTestId("list-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("list-empty")).ToHaveTextAsync("没有符合条件的隐患");
        await page.GetByTestId("clear-filters").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);

        // English: the page's words, the coded cells in English, no key left untranslated.
        await page.GetByTestId("tab-problems").ClickAsync();
        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("summary")).ToHaveTextAsync("4 hazards, 1 overdue");
        await Assertions.Expect(page.GetByTestId("register-link")).ToHaveTextAsync("Hazard register");
        await Assertions.Expect(page.Locator("[data-testid=list-row][data-overdue=true] .risk-badge")).ToHaveTextAsync("Major risk");
        await Assertions.Expect(page.Locator("[data-testid=list-row][data-overdue=true] .overdue-badge")).ToHaveTextAsync("Overdue");
        await Assertions.Expect(page.GetByTestId("list-table").Locator("thead")).ToContainTextAsync("Description");
        Assert.Empty(await UntranslatedAsync(page));
        await Chromium.ScreenshotAsync(page, "lists-en.png");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_safety_officer_reads_the_annual_report_tiles_and_charts_in_zh_CN_and_English()
    {
        await SeedAsync();
        await _platform.UserAsync("officer-82", "safety_officer", ["school-81", "school-82"], displayName: "孙老师");

        // A fire panel trouble at school-82 (minor: it opens no hazard), acknowledged.
        await using (var hub = await _platform.ConnectHubAsync())
        {
            await using (var gateway = await _platform.ConnectGatewayAsync())
            {
                var ts = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                await gateway.PublishAsync(
                    "campus/v1/school-82/gw-1/events",
                    $$"""{"seq":1,"ts":"{{ts}}","events":[{"device":"panel-1","type":"trouble","state":"active","ts":"{{ts}}"}]}""");
            }

            var alarm = await hub.NextAlarmAsync(a => a.GetProperty("state").GetString() == "active_unack");
            using var ack = await _platform.Http.PostAsJsonAsync($"/api/alarms/{alarm.GetProperty("id").GetString()}/ack", new { by = "值班员" });
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        }

        var errors = new List<string>();
        var page = await _chromium.NewPageAsync(errors);
        await Chromium.SignInAsync(page, _platform.BaseAddress, "officer-82", RunningPlatform.UserPassword, "/report.html");
        errors.Clear();

        // Both schools: 4 found, 1 closed; of the two with a deadline one is overdue.
        await Assertions.Expect(page.Locator("#tile-registered")).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("#tile-closed")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#tile-closure")).ToHaveTextAsync("25.0%");
        await Assertions.Expect(page.Locator("#tile-overdue")).ToHaveTextAsync("50.0%");
        await Assertions.Expect(page.Locator("#tile-days")).ToHaveTextAsync(new Regex(@"^\d+\.\d 天$"));
        await Assertions.Expect(page.Locator("#tile-alarms")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#tile-ack")).ToHaveTextAsync(new Regex(@"^\d+秒$"));
        await Assertions.Expect(page.GetByTestId("school-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("total-row").Locator(".registered")).ToHaveTextAsync("4");
        foreach (var chart in new[] { "chart-category", "chart-risk", "chart-status", "chart-alarms" })
        {
            await Assertions.Expect(page.GetByTestId(chart).Locator("canvas")).ToHaveCountAsync(1);
        }

        await Assertions.Expect(page.GetByTestId("alarms-empty")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[data-testid=school-row][data-site=school-82] .alarms")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("report-empty")).ToBeHiddenAsync();
        var year = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).Year.ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"/api/hazards/report.xlsx?year={year}", await page.GetByTestId("download-xlsx").GetAttributeAsync("href"));
        await Assertions.Expect(page.GetByTestId("register-link")).ToHaveAttributeAsync("href", "/hazards.html");
        await Chromium.ScreenshotAsync(page, "report.png");

        // One school: 3 found, 1 closed: a third.
        await page.GetByTestId("site-filter").SelectOptionAsync("school-81");
        await Assertions.Expect(page.Locator("#tile-registered")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("#tile-closure")).ToHaveTextAsync("33.3%");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("site=school-81"));
        await Assertions.Expect(page.GetByTestId("alarms-empty")).ToHaveTextAsync("当年没有设备报警");
        var href = await page.GetByTestId("download-xlsx").GetAttributeAsync("href");
        Assert.Equal($"/api/hazards/report.xlsx?year={year}&site=school-81", href);
        var download = await page.EvaluateAsync<int[]>("async url => { const r = await fetch(url); const b = new Uint8Array(await r.arrayBuffer()); return [r.status, b[0], b[1]]; }", href);
        Assert.Equal(new[] { 200, 'P', 'K' }, download);

        // English.
        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("tile-closure")).ToContainTextAsync("Closure rate");
        await Assertions.Expect(page.Locator("#tile-days")).ToHaveTextAsync(new Regex(@"^\d+\.\d days$"));
        await Assertions.Expect(page.GetByTestId("chart-risk").Locator("canvas")).ToHaveCountAsync(1);
        Assert.Empty(await UntranslatedAsync(page));
        await Chromium.ScreenshotAsync(page, "report-en.png");

        // An empty year: a clear message, no charts.
        await page.GetByTestId("site-filter").SelectOptionAsync(string.Empty);
        await page.GetByTestId("year-filter").SelectOptionAsync((int.Parse(year, CultureInfo.InvariantCulture) - 5).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("report-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("report-empty")).ToContainTextAsync("No hazards were registered");
        await Assertions.Expect(page.GetByTestId("charts")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#tile-registered")).ToHaveTextAsync("0");
        await page.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-empty")).ToContainTextAsync("年没有登记隐患");
        await Chromium.ScreenshotAsync(page, "report-empty.png");

        await page.GetByTestId("back-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(_platform.BaseAddress.ToString());
        Assert.DoesNotContain(errors, e => !e.Contains("AudioContext", StringComparison.Ordinal));
    }
}
