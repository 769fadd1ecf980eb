using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// A reporter (guard, lab or canteen manager) adds photos to their own report while it is registered — the report form
/// sends the photo right after creating the hazard — and to nothing else.
/// </summary>
public sealed class HazardReporterApiTests : PlatformTest
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC");

    private static async Task<long> CreateAsync(HttpClient client, string site) =>
        (long)JsonNode.Parse(await (await client.PostAsJsonAsync("/api/hazards", new
        {
            site, category = "facilities", risk = "low", title = "路灯不亮", description = "操场东侧路灯不亮",
            measures = "更换灯泡", responsiblePerson = "后勤", deadline = "2099-12-31",
        })).EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["id"]!;

    private static async Task<HttpStatusCode> AttachAsync(HttpClient client, long id, byte[]? content = null)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content ?? Png), "file", "photo.png" } };
        using var answer = await client.PostAsync($"/api/hazards/{id}/attachments", form);
        return answer.StatusCode;
    }

    [Fact]
    public async Task A_reporter_attaches_to_their_own_registered_report_only()
    {
        var guard = await Platform.UserAsync("guard-91", "guard", ["school-91"]);
        var otherGuard = await Platform.UserAsync("guard-92", "guard", ["school-91"]);
        var officer = await Platform.UserAsync("officer-91", "safety_officer", ["school-91"]);

        var own = await CreateAsync(guard, "school-91");
        Assert.Equal(HttpStatusCode.Created, await AttachAsync(guard, own));
        Assert.Equal(HttpStatusCode.Forbidden, await AttachAsync(otherGuard, own));

        // An officer's hazard (source inspection) is not the guard's to attach to.
        var inspection = await CreateAsync(officer, "school-91");
        Assert.Equal(HttpStatusCode.Forbidden, await AttachAsync(guard, inspection));

        // Once rectification starts, the report is the officer's.
        using (var start = await officer.PostAsJsonAsync($"/api/hazards/{own}/transition", new { action = "start" }))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, await AttachAsync(guard, own));
        Assert.Equal(HttpStatusCode.Created, await AttachAsync(officer, own, [.. Png, 0]));   // another photo (the same one is kept once)

        var detail = JsonNode.Parse(await officer.GetStringAsync($"/api/hazards/{own}"))!;
        Assert.Equal(["guard-91", "officer-91"], detail["attachments"]!.AsArray().Select(a => (string)a!["uploadedBy"]!).ToArray());
    }
}
