using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>The platform with the registry on PostgreSQL (<c>Campus:Hazards:Provider=postgres</c>): migrated at start, the closed loop over HTTP.</summary>
public sealed class HazardPostgresApiTests
{
    [Fact]
    public async Task The_registry_runs_on_postgres_when_configured()
    {
        var connection = await PostgresServer.CreateDatabaseAsync();
        await using var platform = await RunningPlatform.StartAsync(null, null, "--Campus:Hazards:Provider=postgres", $"--Campus:Hazards:ConnectionString={connection}");
        Assert.Contains(platform.Logs.Entries, e => e.EventId.Id == 8010 && e.Message.Contains("Postgres", StringComparison.Ordinal));

        using var created = await platform.Http.PostAsJsonAsync("/api/hazards", new
        {
            site = "school-7", category = "fire", risk = "major", title = "消防通道堵塞", description = "一楼东侧消防通道堆放杂物",
            measures = "清理杂物，设置禁停标识", responsiblePerson = "后勤 王", deadline = "2026-12-01", reinspector = "安全 李",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (long)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
        foreach (var action in new[] { "start", "submit", "verify" })
        {
            using var step = await platform.Http.PostAsJsonAsync($"/api/hazards/{id}/transition", new { action, note = "ok" });
            Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        }

        var detail = (await platform.Http.GetFromJsonAsync<JsonObject>($"/api/hazards/{id}"))!;
        Assert.Equal("closed", (string?)detail["status"]);
        Assert.Equal("已销号", (string?)detail["statusLabel"]);
        Assert.True((bool)detail["verificationPassed"]!);
        Assert.Equal(["create", "start", "submit", "verify"], detail["audit"]!.AsArray().Select(a => (string?)a!["action"]));
        Assert.Single((await platform.Http.GetFromJsonAsync<JsonArray>("/api/hazards?site=school-7&status=closed"))!);
    }
}
