using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

public sealed class ShelveApiTests : PlatformTest
{
    [Fact]
    public async Task A_shelved_alarm_leaves_the_board_with_its_reason_in_the_audit_and_bad_requests_are_problems()
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        await using (var gateway = await Platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-41/gw-1/events", $$"""{"seq":1,"ts":"{{now}}","events":[{"device":"smoke-9","type":"smoke","state":"active","ts":"{{now}}"}]}""");
        }

        var alarm = await Eventually.Get(async () => (await Platform.GetAlarmsAsync("?site=school-41")).FirstOrDefault(), "the smoke alarm");
        var id = (string)alarm!["id"]!;

        using var bad = await Platform.Http.PostAsJsonAsync($"/api/alarms/{id}/shelve", new { by = "张三", note = "", minutes = 30 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        using var tooLong = await Platform.Http.PostAsJsonAsync($"/api/alarms/{id}/shelve", new { by = "张三", note = "检修", minutes = 2000 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var missing = await Platform.Http.PostAsJsonAsync("/api/alarms/nope/shelve", new { by = "张三", note = "检修", minutes = 30 });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var ok = await Platform.Http.PostAsJsonAsync($"/api/alarms/{id}/shelve", new { by = "张三", note = "探测器检修中", minutes = 30 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("shelved", (string?)(await ok.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
        Assert.Empty(await Platform.GetAlarmsAsync("?site=school-41"));   // the board shows open, unshelved alarms
        Assert.Single(await Platform.GetAlarmsAsync("?site=school-41&state=shelved"));

        using var again = await Platform.Http.PostAsJsonAsync($"/api/alarms/{id}/shelve", new { by = "李四", note = "再次", minutes = 30 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var audit = (await Platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{id}/audit"))!;
        var shelved = audit.Single(e => (string?)e!["transition"] == "shelved")!;
        Assert.Equal("张三 (admin)", (string?)shelved["by"]);
        Assert.Contains("探测器检修中", (string?)shelved["note"], StringComparison.Ordinal);
    }
}
