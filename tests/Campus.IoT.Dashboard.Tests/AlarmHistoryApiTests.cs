using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// Alarm history and response times over HTTP, on the whole platform with a fake clock: smoke and panel events published
/// over MQTT by the gateways of two schools, acknowledged through the API after known delays, then read back with their
/// time to acknowledge and to clear, per school and severity; a guard reads only their own school.
/// </summary>
public sealed class AlarmHistoryApiTests
{
    [Fact]
    public async Task History_and_response_times_show_how_fast_each_school_acknowledged_and_cleared_and_a_guard_sees_only_theirs()
    {
        // A whole second, so that the millisecond times on the wire are exact.
        var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var time = new FakeTimeProvider(t0);
        await using var platform = await RunningPlatform.StartWithAsync(builder => builder.Services.AddSingleton<TimeProvider>(time));
        await using var hub = await platform.ConnectHubAsync();

        // school-61: two smoke detectors and a panel trouble; school-62: one smoke detector. All raised at t0.
        await using (var gateway = await platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-61/gw-1/events", Events(1, time, ("smoke-1", "smoke", "active"), ("smoke-2", "smoke", "active"), ("panel-1", "trouble", "active")));
            await gateway.PublishAsync("campus/v1/school-62/gw-1/events", Events(1, time, ("smoke-1", "smoke", "active")));
        }

        var ids = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var raised = await hub.NextAlarmAsync(a => a.GetProperty("state").GetString() == "active_unack" && !ids.ContainsValue(a.GetProperty("id").GetString()!));
            ids[$"{raised.GetProperty("site").GetString()}/{raised.GetProperty("device").GetString()}"] = raised.GetProperty("id").GetString()!;
        }

        // school-61 acknowledges smoke-1 after 12 s, smoke-2 and the trouble after 30 s; smoke-1 clears at 90 s.
        time.Advance(TimeSpan.FromSeconds(12));
        await AckAsync(platform.Http, ids["school-61/smoke-1"], "王保安");
        time.Advance(TimeSpan.FromSeconds(18));
        await AckAsync(platform.Http, ids["school-61/smoke-2"], "王保安");
        await AckAsync(platform.Http, ids["school-61/panel-1"], "王保安");

        // school-62's guard room does not answer for 90 s: at 60 s the fire ladder takes level 1.
        time.Advance(TimeSpan.FromSeconds(30));
        await hub.NextAlarmAsync(a => a.GetProperty("id").GetString() == ids["school-62/smoke-1"] && a.GetProperty("escalationLevel").GetInt32() == 1);
        time.Advance(TimeSpan.FromSeconds(30));
        await AckAsync(platform.Http, ids["school-62/smoke-1"], "李保安");
        await using (var gateway = await platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-61/gw-1/events", Events(2, time, ("smoke-1", "smoke", "cleared")));
        }

        await hub.NextAlarmAsync(a => a.GetProperty("id").GetString() == ids["school-61/smoke-1"] && a.GetProperty("state").GetString() == "cleared");

        // Response times, per school and severity (the district admin sees every school).
        var times = (await platform.Http.GetFromJsonAsync<JsonObject>("/api/alarms/response-times"))!;
        Assert.Equal(60, (double)times["ackTargetSeconds"]!);
        Assert.Equal(Format(time.GetUtcNow()), (string?)times["to"]);
        Assert.Equal(Format(time.GetUtcNow().AddDays(-7)), (string?)times["from"]);
        var rows = times["rows"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal([("school-61", "critical"), ("school-61", "minor"), ("school-62", "critical")], rows.Select(r => ((string)r["site"]!, (string)r["severity"]!)));

        var fire61 = rows[0];
        Assert.Equal((2, 2, 1, 0), ((int)fire61["count"]!, (int)fire61["acknowledged"]!, (int)fire61["cleared"]!, (int)fire61["notAckedInTime"]!));
        Assert.Equal((21.0, 30.0, 30.0), ((double)fire61["ackMedianSeconds"]!, (double)fire61["ackP90Seconds"]!, (double)fire61["ackMaxSeconds"]!));
        Assert.Equal((90.0, 90.0), ((double)fire61["clearMedianSeconds"]!, (double)fire61["clearP90Seconds"]!));

        var trouble61 = rows[1];
        Assert.Equal((1, 1, 0), ((int)trouble61["count"]!, (int)trouble61["acknowledged"]!, (int)trouble61["notAckedInTime"]!));
        Assert.Equal(30.0, (double)trouble61["ackMedianSeconds"]!);
        Assert.Null(trouble61["clearMedianSeconds"]);

        var fire62 = rows[2];
        Assert.Equal((1, 1, 1), ((int)fire62["count"]!, (int)fire62["acknowledged"]!, (int)fire62["notAckedInTime"]!));
        Assert.Equal(90.0, (double)fire62["ackMaxSeconds"]!);

        // The history: every alarm with its times and who acknowledged, filtered by school, severity and rule.
        var history = await HistoryAsync(platform.Http, "?site=school-61");
        Assert.False((bool)history["more"]!);
        var alarms = history["alarms"]!.AsArray().Select(a => a!.AsObject()).ToDictionary(a => (string)a["device"]!);
        Assert.Equal(["panel-1", "smoke-1", "smoke-2"], alarms.Keys.Order());
        Assert.Equal((12.0, 90.0, "cleared"), ((double)alarms["smoke-1"]["ackSeconds"]!, (double)alarms["smoke-1"]["clearSeconds"]!, (string)alarms["smoke-1"]["state"]!));
        Assert.Equal((30.0, "active_ack"), ((double)alarms["smoke-2"]["ackSeconds"]!, (string)alarms["smoke-2"]["state"]!));
        Assert.Null(alarms["smoke-2"]["clearSeconds"]);
        Assert.Equal("王保安 (admin)", (string?)alarms["smoke-2"]["ackedBy"]);
        Assert.Equal(Format(t0), (string?)alarms["smoke-2"]["raisedAt"]);
        Assert.Equal(Format(t0.AddSeconds(30)), (string?)alarms["smoke-2"]["ackedAt"]);

        Assert.Equal(["panel-1"], Devices(await HistoryAsync(platform.Http, "?site=school-61&severity=minor")));
        Assert.Equal(["panel-1"], Devices(await HistoryAsync(platform.Http, "?rule=panel-trouble")));
        Assert.Equal(4, Devices(await HistoryAsync(platform.Http, string.Empty)).Count);
        var one = await HistoryAsync(platform.Http, "?limit=1");
        Assert.True((bool)one["more"]!);
        Assert.Single(one["alarms"]!.AsArray());
        // The period is [from, to): an alarm raised at "to" is not in it.
        Assert.Empty(Devices(await HistoryAsync(platform.Http, $"?to={Uri.EscapeDataString(Format(t0))}")));
        Assert.Equal(4, Devices(await HistoryAsync(platform.Http, $"?from={Uri.EscapeDataString(Format(t0))}&to={Uri.EscapeDataString(Format(t0.AddMilliseconds(1)))}")).Count);
        Assert.Equal(4, Devices(await HistoryAsync(platform.Http, $"?from={Uri.EscapeDataString(t0.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))}")).Count);

        // The audit trail behind the numbers: school-62's alarm climbed once before it was acknowledged.
        var audit = (await platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{ids["school-62/smoke-1"]}/audit"))!;
        Assert.Equal(["raised", "escalated", "acknowledged"], audit.Select(e => (string?)e!["transition"]));

        // Bad parameters are problems a person can act on.
        foreach (var bad in new[]
        {
            "history?from=yesterday", "history?to=2026-11-28", "history?from=2026-11-28T10:00:00Z&to=2026-11-28T09:00:00Z",
            "history?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "history?severity=urgent", "history?limit=0",
            "history?limit=5001", "history?site=School_61", "history?rule=Fire!", "response-times?from=not-a-time",
            "response-times?site=..",
        })
        {
            using var answer = await platform.Http.GetAsync($"/api/alarms/{bad}");
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {answer.StatusCode}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }

        // A guard of school-61: their school only, and 403 for the other.
        var guard = await platform.UserAsync("guard-61", "guard", ["school-61"]);
        foreach (var route in new[] { "history?site=school-62", "response-times?site=school-62" })
        {
            using var forbidden = await guard.GetAsync($"/api/alarms/{route}");
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        }

        var own = await HistoryAsync(guard, string.Empty);
        Assert.Equal(["panel-1", "smoke-1", "smoke-2"], Devices(own).Order());
        Assert.All(own["alarms"]!.AsArray(), a => Assert.Equal("school-61", (string?)a!["site"]));
        var ownTimes = (await guard.GetFromJsonAsync<JsonObject>("/api/alarms/response-times"))!;
        Assert.Equal(["school-61", "school-61"], ownTimes["rows"]!.AsArray().Select(r => (string?)r!["site"]));
        Assert.Equal(3, Devices(await HistoryAsync(guard, "?site=school-61")).Count);

        // A lab manager of school-61 sees only the alarms of their rooms' devices.
        var lab = await platform.UserAsync("lab-61", "lab_manager", ["school-61"], ["smoke-2"]);
        Assert.Equal(["smoke-2"], Devices(await HistoryAsync(lab, string.Empty)));
        Assert.Equal(1, (int)(await lab.GetFromJsonAsync<JsonObject>("/api/alarms/response-times"))!["rows"]![0]!["count"]!);

        // Without a sign-in: 401.
        using var anonymous = new HttpClient { BaseAddress = platform.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/alarms/history")).StatusCode);
        // Level 1's recipients have no address in this configuration: that is logged as an error, and nothing else is.
        Assert.All(platform.Logs.Errors, e => Assert.Equal("LogUnrouted", e.EventId.Name));
    }

    private static async Task AckAsync(HttpClient client, string id, string by)
    {
        using var ack = await client.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    private static async Task<JsonObject> HistoryAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<JsonObject>("/api/alarms/history" + query))!;

    private static List<string> Devices(JsonObject history) =>
        [.. history["alarms"]!.AsArray().Select(a => (string)a!["device"]!)];

    private static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An events message of one gateway, every event at the fake clock's now.</summary>
    internal static string Events(long seq, TimeProvider time, params (string Device, string Type, string State)[] events)
    {
        var now = Format(time.GetUtcNow());
        var items = string.Join(",", events.Select(e => $$"""{"device":"{{e.Device}}","type":"{{e.Type}}","state":"{{e.State}}","ts":"{{now}}"}"""));
        return $$"""{"seq":{{seq}},"ts":"{{now}}","events":[{{items}}]}""";
    }
}
