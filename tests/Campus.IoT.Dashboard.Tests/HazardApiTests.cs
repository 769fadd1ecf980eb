using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>The hazard registry's REST API on the running platform (SQLite in its data directory).</summary>
public sealed class HazardApiTests : PlatformTest
{
    private static object Report(string site, string source = "report") => new
    {
        site,
        category = "buildings",
        source,
        risk = "general",
        title = "教学楼 2F 栏杆松动",
        description = "东侧楼梯栏杆螺栓松动",
        location = "教学楼 2F",
    };

    private static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((string?)(await BodyAsync(response))["detail"]));
    }

    [Fact]
    public async Task Bad_input_unknown_hazards_stale_versions_and_illegal_transitions_are_problems_that_change_nothing()
    {
        var http = Platform.Http;
        using (var bad = await http.PostAsJsonAsync("/api/hazards", new { site = "school-1", category = "volcano", risk = "low", title = "t", description = "d" }))
        {
            await AssertProblemAsync(bad, HttpStatusCode.BadRequest);
        }

        using (var badFilter = await http.GetAsync("/api/hazards?status=open"))
        {
            await AssertProblemAsync(badFilter, HttpStatusCode.BadRequest);
        }

        using (var missing = await http.GetAsync("/api/hazards/424242"))
        {
            await AssertProblemAsync(missing, HttpStatusCode.NotFound);
        }

        using var created = await http.PostAsJsonAsync("/api/hazards", new
        {
            site = "school-1", category = "lab_chemicals", risk = "significant", title = "危化品柜未双人双锁", description = "只有一把锁",
            measures = "加装第二把锁", responsiblePerson = "李四", deadline = "2026-12-01",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hazard = await BodyAsync(created);
        var id = (long)hazard["id"]!;
        Assert.Equal("inspection", (string?)hazard["source"]);   // a manager's default
        Assert.Equal("已登记", (string?)hazard["statusLabel"]);
        Assert.Equal("实验室及危险化学品", (string?)hazard["categoryLabel"]);
        Assert.Equal("较大", (string?)hazard["riskLabel"]);
        Assert.Equal("2026-12-01", (string?)hazard["deadline"]);
        Assert.False((bool)hazard["overdue"]!);
        Assert.EndsWith("Z", (string?)hazard["foundAt"], StringComparison.Ordinal);

        using (var illegal = await http.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action = "verify", reinspector = "王五" }))
        {
            await AssertProblemAsync(illegal, HttpStatusCode.Conflict);
        }

        using (var unknown = await http.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action = "close" }))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.BadRequest);
        }

        using (var noVersion = await http.PatchAsJsonAsync($"/api/hazards/{id}", new { title = "x" }))
        {
            await AssertProblemAsync(noVersion, HttpStatusCode.BadRequest);
        }

        using (var edit = await http.PatchAsJsonAsync($"/api/hazards/{id}", new { version = 1, deadline = "2026-12-05", note = "延期" }))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
            Assert.Equal(2, (long)(await BodyAsync(edit))["version"]!);
        }

        using (var stale = await http.PatchAsJsonAsync($"/api/hazards/{id}", new { version = 1, title = "覆盖" }))
        {
            await AssertProblemAsync(stale, HttpStatusCode.Conflict);
        }

        var detail = (await http.GetFromJsonAsync<JsonObject>($"/api/hazards/{id}"))!;
        Assert.Equal("registered", (string?)detail["status"]);
        Assert.Equal("危化品柜未双人双锁", (string?)detail["title"]);
        Assert.Equal(2, (long)detail["version"]!);
        Assert.Equal(["create", "update"], detail["audit"]!.AsArray().Select(a => (string?)a!["action"]));
        Assert.Equal("admin", (string?)detail["audit"]![1]!["by"]);

        using (var start = await http.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action = "start", version = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            Assert.Equal("整改中", (string?)(await BodyAsync(start))["statusLabel"]);
        }

        var list = (await http.GetFromJsonAsync<JsonArray>("/api/hazards?site=school-1&status=rectifying&category=lab_chemicals&risk=significant&overdue=false&q=危化品"))!;
        Assert.Equal(id, (long)Assert.Single(list)!["id"]!);
        Assert.Null(list[0]!["audit"]);
        Assert.Empty((await http.GetFromJsonAsync<JsonArray>("/api/hazards?status=closed"))!);
    }

    [Fact]
    public async Task A_guard_reports_hazards_of_their_school_but_cannot_manage_them_or_read_another_school()
    {
        var guard = await Platform.UserAsync("guard-1", "guard", ["school-1"]);
        var officer = await Platform.UserAsync("officer-1", "safety_officer", ["school-1"]);
        using var other = await Platform.Http.PostAsJsonAsync("/api/hazards", Report("school-2", "inspection"));
        var otherId = (long)(await BodyAsync(other))["id"]!;

        using var reported = await guard.PostAsJsonAsync("/api/hazards", Report("school-1"));
        Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
        var id = (long)(await BodyAsync(reported))["id"]!;
        using (var inspection = await guard.PostAsJsonAsync("/api/hazards", Report("school-1", "inspection")))
        {
            await AssertProblemAsync(inspection, HttpStatusCode.Forbidden);
        }

        using (var elsewhere = await guard.PostAsJsonAsync("/api/hazards", Report("school-2")))
        {
            await AssertProblemAsync(elsewhere, HttpStatusCode.Forbidden);
        }

        using (var transition = await guard.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action = "start" }))
        {
            await AssertProblemAsync(transition, HttpStatusCode.Forbidden);
        }

        using (var edit = await guard.PatchAsJsonAsync($"/api/hazards/{id}", new { version = 1, measures = "m" }))
        {
            await AssertProblemAsync(edit, HttpStatusCode.Forbidden);
        }

        using (var read = await guard.GetAsync($"/api/hazards/{otherId}"))
        {
            await AssertProblemAsync(read, HttpStatusCode.Forbidden);
        }

        using (var list = await guard.GetAsync("/api/hazards?site=school-2"))
        {
            await AssertProblemAsync(list, HttpStatusCode.Forbidden);
        }

        var visible = (await guard.GetFromJsonAsync<JsonArray>("/api/hazards"))!;
        Assert.Equal([id], visible.Select(h => (long)h!["id"]!));
        var detail = (await guard.GetFromJsonAsync<JsonObject>($"/api/hazards/{id}"))!;
        Assert.Equal("registered", (string?)detail["status"]);
        Assert.Single(detail["audit"]!.AsArray());

        // The school's safety officer manages it; the other school's hazard is not theirs.
        using (var edit = await officer.PatchAsJsonAsync($"/api/hazards/{id}", new { version = 1, measures = "紧固螺栓", responsiblePerson = "后勤 王", deadline = "2026-12-20" }))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        }

        using (var start = await officer.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action = "start" }))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        using (var notTheirs = await officer.PostAsJsonAsync($"/api/hazards/{otherId}/transition", new { action = "start" }))
        {
            await AssertProblemAsync(notTheirs, HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task An_attachment_is_uploaded_as_multipart_checked_by_content_and_downloaded_back()
    {
        using var created = await Platform.Http.PostAsJsonAsync("/api/hazards", Report("school-1", "inspection"));
        var id = (long)(await BodyAsync(created))["id"]!;
        var png = new byte[2048];
        Random.Shared.NextBytes(png);
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);

        using (var fake = new MultipartFormDataContent())
        {
            var text = new ByteArrayContent("not an image"u8.ToArray());
            text.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            fake.Add(text, "file", "photo.jpg");
            using var refused = await Platform.Http.PostAsync($"/api/hazards/{id}/attachments", fake);
            await AssertProblemAsync(refused, HttpStatusCode.BadRequest);
        }

        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(png);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", "现场.png");
        using var upload = await Platform.Http.PostAsync($"/api/hazards/{id}/attachments", form);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var attachment = await BodyAsync(upload);
        Assert.Equal("image/png", (string?)attachment["contentType"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), (string?)attachment["sha256"]);

        using var download = await Platform.Http.GetAsync((string)attachment["href"]!);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await download.Content.ReadAsByteArrayAsync());

        var detail = (await Platform.Http.GetFromJsonAsync<JsonObject>($"/api/hazards/{id}"))!;
        Assert.Single(detail["attachments"]!.AsArray());
        Assert.Equal(["create", "attach"], detail["audit"]!.AsArray().Select(a => (string?)a!["action"]));
    }

    [Fact]
    public async Task A_smoke_event_over_MQTT_raises_a_critical_alarm_that_opens_a_hazard_linked_to_it()
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-51/gw-1/events", $$"""{"seq":1,"ts":"{{now}}","events":[{"device":"smoke-3","type":"smoke","state":"active","label":"3F lab corridor","ts":"{{now}}"}]}""");
        }

        var alarm = await Eventually.Get(async () => (await Platform.GetAlarmsAsync("?site=school-51")).FirstOrDefault(), "the smoke alarm");
        var alarmId = (string)alarm!["id"]!;
        Assert.Equal("critical", (string?)alarm["severity"]);

        var hazard = await Eventually.Get(async () => (await Platform.Http.GetFromJsonAsync<JsonArray>("/api/hazards?site=school-51"))!.FirstOrDefault(), "the hazard opened by the alarm");
        Assert.Equal("alarm", (string?)hazard!["source"]);
        Assert.Equal("fire", (string?)hazard["category"]);
        Assert.Equal("消防安全", (string?)hazard["categoryLabel"]);
        Assert.Equal("major", (string?)hazard["risk"]);
        Assert.Equal("smoke-3", (string?)hazard["device"]);
        var detail = (await Platform.Http.GetFromJsonAsync<JsonObject>($"/api/hazards/{(long)hazard["id"]!}"))!;
        var link = Assert.Single(detail["alarms"]!.AsArray())!;
        Assert.Equal(alarmId, (string?)link["id"]);
        Assert.True((bool)link["active"]!);
    }
}
