using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;
using MiniExcelLibs;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// 三清单 and the annual report over HTTP on the running platform: the JSON, the XLSX read back cell by cell with MiniExcel,
/// the CSV parsed, the numbers of a hand-made year, who sees which school, and bad parameters.
/// </summary>
public sealed class HazardReportApiTests : PlatformTest
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((string?)(await BodyAsync(response))["detail"]));
    }

    private static async Task<long> CreateAsync(HttpClient http, object hazard)
    {
        using var created = await http.PostAsJsonAsync("/api/hazards", hazard);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (long)(await BodyAsync(created))["id"]!;
    }

    private static async Task TransitionAsync(HttpClient http, long id, string action, string? reinspector = null)
    {
        using var answer = await http.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action, reinspector });
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    /// <summary>school-1: a fire hazard past its deadline (found 2026-03-02 local) and a building one; school-2: one more.</summary>
    private async Task<(long Fire, long Rail, long Other)> SeedListsAsync()
    {
        var fire = await CreateAsync(Platform.Http, new
        {
            site = "school-1", category = "fire", risk = "major", title = "灭火器过期", description = "=灭火器过期, 共3具", location = "教学楼 1F",
            measures = "更换灭火器", funds = 1200.5m, responsibleUnit = "总务处", responsiblePerson = "张三", deadline = "2026-03-10", reinspector = "王五",
            foundAt = "2026-03-01T17:30:00Z", foundBy = "李老师",
        });
        var rail = await CreateAsync(Platform.Http, new
        {
            site = "school-1", category = "buildings", risk = "general", title = "栏杆松动", description = "东侧楼梯栏杆\"松动\"", location = "教学楼 2F",
            deadline = "2099-12-31", foundAt = "2026-03-05T01:00:00Z",
        });
        var other = await CreateAsync(Platform.Http, new
        {
            site = "school-2", category = "traffic", risk = "low", title = "校门口减速带破损", description = "减速带破损", foundAt = "2026-03-03T01:00:00Z",
        });
        return (fire, rail, other);
    }

    [Fact]
    public async Task The_three_lists_are_json_an_xlsx_workbook_and_csv_files_with_the_filters_applied()
    {
        var (fire, rail, _) = await SeedListsAsync();
        var http = Platform.Http;

        var lists = (await http.GetFromJsonAsync<JsonObject>("/api/hazards/lists?site=school-1&from=2026-03-01&to=2026-03-31"))!;
        Assert.Equal(2, (int)lists["count"]!);
        Assert.Equal(1, (int)lists["overdue"]!);
        Assert.Equal(["problems", "measures", "responsibilities"], lists["lists"]!.AsArray().Select(l => (string?)l!["key"]));
        Assert.Equal(["问题隐患清单", "整改措施清单", "责任落实清单"], lists["lists"]!.AsArray().Select(l => (string?)l!["name"]));
        var problems = lists["lists"]![0]!;
        Assert.Equal("隐患描述", (string?)problems["headers"]![4]);
        var first = problems["rows"]![0]!;
        Assert.Equal(fire, (long)first["hazardId"]!);       // by found time: 2026-03-02 01:30 local first
        Assert.True((bool)first["overdue"]!);
        Assert.Equal("major", (string?)first["risk"]);
        Assert.Equal(
            ["1", "school-1", "教学楼 1F", "消防安全", "=灭火器过期, 共3具", "重大风险", "隐患排查", "2026-03-02 01:30", "李老师", "已登记", "是"],
            first["cells"]!.AsArray().Select(c => c!.ToString()));
        Assert.Equal(rail, (long)problems["rows"]![1]!["hazardId"]!);
        Assert.False((bool)problems["rows"]![1]!["overdue"]!);
        var measures = lists["lists"]![1]!["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal(1200.5m, (decimal)measures[4]!);
        Assert.Equal("2026-03-10", (string?)measures[5]);

        // The filters narrow it; no site is every school for the district admin; /lists is not taken for /{id:long}.
        Assert.Equal(1, (int)(await http.GetFromJsonAsync<JsonObject>("/api/hazards/lists?site=school-1&category=fire&status=registered&risk=major"))!["count"]!);
        Assert.Equal(0, (int)(await http.GetFromJsonAsync<JsonObject>("/api/hazards/lists?site=school-1&risk=low"))!["count"]!);
        Assert.Equal(3, (int)(await http.GetFromJsonAsync<JsonObject>("/api/hazards/lists"))!["count"]!);
        Assert.Equal(1, (int)(await http.GetFromJsonAsync<JsonObject>("/api/hazards/lists?from=2026-03-03T00:00:00%2B08:00&to=2026-03-04"))!["count"]!);
        Assert.Equal(fire, (long)(await http.GetFromJsonAsync<JsonObject>($"/api/hazards/{fire}"))!["id"]!);

        // XLSX: three sheets, the Chinese headers, the rows cell by cell.
        using var xlsx = await http.GetAsync("/api/hazards/lists.xlsx?site=school-1&from=2026-03-01&to=2026-03-31");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        var disposition = xlsx.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("三清单_school-1_2026-03-01至2026-03-31.xlsx", disposition.FileNameStar);
        Assert.Contains("filename*=UTF-8''", xlsx.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        var bytes = await xlsx.Content.ReadAsByteArrayAsync();
        Assert.Equal("PK"u8.ToArray(), bytes[..2]);
        using (var book = new MemoryStream(bytes))
        {
            Assert.Equal(["问题隐患清单", "整改措施清单", "责任落实清单"], MiniExcel.GetSheetNames(book));
            book.Position = 0;
            var sheet = MiniExcel.Query(book, useHeaderRow: true, sheetName: "问题隐患清单").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal(2, sheet.Count);
            Assert.Equal(["序号", "学校", "位置", "类别", "隐患描述", "风险等级", "来源", "发现时间", "发现人", "状态", "是否逾期"], sheet[0].Keys);
            Assert.Equal(1d, Convert.ToDouble(sheet[0]["序号"], CultureInfo.InvariantCulture));
            Assert.Equal("=灭火器过期, 共3具", sheet[0]["隐患描述"]);
            Assert.Equal("重大风险", sheet[0]["风险等级"]);
            Assert.Equal("是", sheet[0]["是否逾期"]);
            Assert.Equal("东侧楼梯栏杆\"松动\"", sheet[1]["隐患描述"]);
            book.Position = 0;
            var owners = MiniExcel.Query(book, useHeaderRow: true, sheetName: "责任落实清单").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal("张三", owners[0]["责任人"]);
            Assert.Equal("总务处", owners[0]["责任单位"]);
            Assert.Equal("王五", owners[0]["复查人"]);
        }

        // CSV: BOM, CRLF, quoting and the formula guard.
        using var csv = await http.GetAsync("/api/hazards/lists/measures.csv?site=school-1&from=2026-03-01&to=2026-03-31");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("整改措施清单_school-1_2026-03-01至2026-03-31.csv", csv.Content.Headers.ContentDisposition!.FileNameStar);
        var raw = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, raw[..3]);
        var lines = Encoding.UTF8.GetString(raw, 3, raw.Length - 3).Split("\r\n");
        Assert.Equal("序号,学校,隐患描述,整改措施,整改资金(元),整改时限,状态,验收结果,验收日期", lines[0]);
        Assert.Equal(["1", "school-1", "'=灭火器过期, 共3具", "更换灭火器", "1200.50", "2026-03-10", "已登记", string.Empty, string.Empty], ParseCsvLine(lines[1]));
        Assert.Equal("东侧楼梯栏杆\"松动\"", ParseCsvLine(lines[2])[2]);
        Assert.Equal(string.Empty, lines[3]);
        Assert.Equal(4, lines.Length);

        using (var problemsCsv = await http.GetAsync("/api/hazards/lists/problems.csv?site=school-1&category=buildings"))
        {
            var text = Encoding.UTF8.GetString(await problemsCsv.Content.ReadAsByteArrayAsync());
            Assert.StartsWith("\uFEFF序号,学校,位置", text, StringComparison.Ordinal);
            Assert.Equal(3, text.Split("\r\n").Length);
        }

        // Bad filters are problems.
        foreach (var bad in new[]
        {
            "/api/hazards/lists?status=open", "/api/hazards/lists?category=volcano", "/api/hazards/lists?risk=high", "/api/hazards/lists?from=yesterday",
            "/api/hazards/lists?from=2026-03-10&to=2026-03-01", "/api/hazards/lists?site=School_1", "/api/hazards/lists.xlsx?to=2026-13-01",
            "/api/hazards/lists/problems.csv?status=done",
        })
        {
            using var answer = await http.GetAsync(bad);
            await AssertProblemAsync(answer, HttpStatusCode.BadRequest);
        }

        using var unknown = await http.GetAsync("/api/hazards/lists/budget.csv");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_guard_of_one_school_reads_only_its_lists_and_report()
    {
        await SeedListsAsync();
        var guard = await Platform.UserAsync("guard-9", "guard", ["school-1"]);

        foreach (var url in new[] { "/api/hazards/lists?site=school-2", "/api/hazards/lists.xlsx?site=school-2", "/api/hazards/lists/problems.csv?site=school-2", "/api/hazards/report?site=school-2&year=2026", "/api/hazards/report.xlsx?site=school-2" })
        {
            using var answer = await guard.GetAsync(url);
            await AssertProblemAsync(answer, HttpStatusCode.Forbidden);
        }

        var lists = (await guard.GetFromJsonAsync<JsonObject>("/api/hazards/lists"))!;
        Assert.Equal(2, (int)lists["count"]!);
        Assert.All(lists["lists"]![0]!["rows"]!.AsArray(), r => Assert.Equal("school-1", (string?)r!["site"]));

        using (var xlsx = await guard.GetAsync("/api/hazards/lists.xlsx?from=2026-03-01"))
        {
            Assert.Equal("三清单_school-1_2026-03-01起.xlsx", xlsx.Content.Headers.ContentDisposition!.FileNameStar);
        }

        using (var all = await Platform.Http.GetAsync("/api/hazards/report.xlsx?year=2026"))
        {
            Assert.Equal("年度报告_全区_2026.xlsx", all.Content.Headers.ContentDisposition!.FileNameStar);
        }

        var report = (await guard.GetFromJsonAsync<JsonObject>("/api/hazards/report?year=2026"))!;
        Assert.Equal(["school-1"], report["schools"]!.AsArray().Select(s => (string?)s!["site"]));
        Assert.Equal(2, (int)report["district"]!["registered"]!);
    }

    [Fact]
    public async Task The_annual_report_counts_a_hand_made_year_and_its_alarms()
    {
        var http = Platform.Http;
        var year = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).Year;
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateAsync(http, new
            {
                site = "school-1", category = i == 0 ? "fire" : "buildings", risk = i == 0 ? "major" : "general", title = $"隐患{i}", description = $"描述{i}",
                measures = "整改", responsiblePerson = "张三", deadline = "2099-12-31",
            }));
        }

        // One from a year before, not counted.
        await CreateAsync(http, new { site = "school-1", category = "other", risk = "low", title = "旧", description = "旧", foundAt = $"{year - 1}-06-01T00:00:00Z" });

        await TransitionAsync(http, ids[0], "start");
        await TransitionAsync(http, ids[0], "submit");
        await TransitionAsync(http, ids[0], "verify", "王五");
        await TransitionAsync(http, ids[1], "start");

        var report = (await http.GetFromJsonAsync<JsonObject>($"/api/hazards/report?year={year}&site=school-1"))!;
        Assert.Equal(year, (int)report["year"]!);
        var school = Assert.Single(report["schools"]!.AsArray())!;
        Assert.Equal("school-1", (string?)school["site"]);
        var d = report["district"]!;
        Assert.Equal(3, (int)d["registered"]!);
        Assert.Equal(1, (int)d["closed"]!);
        Assert.Equal(1.0 / 3, (double)d["closureRate"]!, 9);
        Assert.Equal(0.0, (double)d["overdueRate"]!);
        Assert.Equal(1, (int)d["byCategory"]!["fire"]!);
        Assert.Equal(2, (int)d["byCategory"]!["buildings"]!);
        Assert.Equal(0, (int)d["byCategory"]!["other"]!);
        Assert.Equal(1, (int)d["byRisk"]!["major"]!);
        Assert.Equal(1, (int)d["byStatus"]!["closed"]!);
        Assert.Equal(1, (int)d["byStatus"]!["rectifying"]!);
        Assert.Equal(1, (int)d["byStatus"]!["registered"]!);
        Assert.NotNull(d["meanDaysToClose"]);
        Assert.Equal(0, (int)d["alarms"]!);
        Assert.Null(d["meanSecondsToAck"]);

        // One fire alarm at school-1, acknowledged.
        await using (var hub = await Platform.ConnectHubAsync())
        {
            await using (var gateway = await Platform.ConnectGatewayAsync())
            {
                var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                await gateway.PublishAsync(
                    "campus/v1/school-1/gw-1/events",
                    $$"""{"seq":1,"ts":"{{now}}","events":[{"device":"smoke-3f","type":"smoke","state":"active","ts":"{{now}}"}]}""");
            }

            var alarm = await hub.NextAlarmAsync(a => a.GetProperty("state").GetString() == "active_unack");
            using var ack = await http.PostAsJsonAsync($"/api/alarms/{alarm.GetProperty("id").GetString()}/ack", new { by = "值班员" });
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        }

        // The alarm counts, and the fire alarm opened a hazard of its own (the alarm feed, which runs off the alarm path).
        d = await Eventually.Get(
            async () =>
            {
                var district = (await http.GetFromJsonAsync<JsonObject>($"/api/hazards/report?year={year}&site=school-1"))!["district"]!;
                return (int)district["registered"]! == 4 ? district : null;
            },
            "the hazard the fire alarm opened");
        Assert.Equal(1, (int)d["alarms"]!);
        Assert.Equal(1, (int)d["alarmsAcked"]!);
        Assert.True((double)d["meanSecondsToAck"]! >= 0);
        Assert.Equal("fire", (string?)d["alarmsByRule"]![0]!["rule"]);
        Assert.Equal("火警", (string?)d["alarmsByRule"]![0]!["labelZh"]);
        Assert.Equal("Fire alarm", (string?)d["alarmsByRule"]![0]!["labelEn"]);
        Assert.Equal(4, (int)d["registered"]!);

        var empty = (await http.GetFromJsonAsync<JsonObject>("/api/hazards/report?year=2001"))!;
        Assert.Empty(empty["schools"]!.AsArray());
        Assert.Equal(0, (int)empty["district"]!["registered"]!);
        Assert.Null(empty["district"]!["closureRate"]);

        using var xlsx = await http.GetAsync($"/api/hazards/report.xlsx?year={year}&site=school-1");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal($"年度报告_school-1_{year}.xlsx", xlsx.Content.Headers.ContentDisposition!.FileNameStar);
        using (var book = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()))
        {
            Assert.Equal(["汇总", "按类别", "按风险等级", "按状态", "报警统计"], MiniExcel.GetSheetNames(book));
            book.Position = 0;
            var summary = MiniExcel.Query(book, useHeaderRow: true, sheetName: "汇总").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal(["school-1", "全区合计"], summary.Select(r => r["学校"]));
            Assert.Equal(4d, Convert.ToDouble(summary[0]["隐患登记数"], CultureInfo.InvariantCulture));
            Assert.Equal(25d, Convert.ToDouble(summary[0]["销号率(%)"], CultureInfo.InvariantCulture));
            Assert.Equal(1d, Convert.ToDouble(summary[1]["报警数"], CultureInfo.InvariantCulture));
            book.Position = 0;
            var alarms = MiniExcel.Query(book, useHeaderRow: true, sheetName: "报警统计").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal(["school-1", "全区合计"], alarms.Select(r => r["学校"]));
            Assert.Equal("火警", alarms[0]["报警类型"]);
        }

        foreach (var bad in new[] { "/api/hazards/report?year=abc", "/api/hazards/report?year=1999", "/api/hazards/report?year=-1", "/api/hazards/report.xlsx?year=20260", "/api/hazards/report?site=Bad!" })
        {
            using var answer = await http.GetAsync(bad);
            await AssertProblemAsync(answer, HttpStatusCode.BadRequest);
        }
    }

    /// <summary>One RFC 4180 record (no line breaks inside fields in these tests).</summary>
    private static List<string> ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
