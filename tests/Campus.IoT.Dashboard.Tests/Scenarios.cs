using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>End-to-end scenarios run against the embedded broker and against Mosquitto alike.</summary>
internal static class Scenarios
{
    public static string Now(TimeSpan? offset = null) =>
        (DateTimeOffset.UtcNow + (offset ?? TimeSpan.Zero)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string SmokeEvent(long seq, string device, string state = "active") =>
        $$"""{"seq":{{seq}},"ts":"{{Now()}}","events":[{"device":"{{device}}","type":"smoke","state":"{{state}}","ts":"{{Now()}}"}]}""";

    /// <summary>
    /// A smoke event published like a gateway reaches the live hub as <c>alarmChanged</c>, is listed by the API, and a guard's
    /// acknowledgement moves it to active_ack, pushed live and audited.
    /// </summary>
    public static async Task Smoke_event_to_acknowledged_alarm(RunningPlatform platform, string site)
    {
        await using var live = await platform.ConnectHubAsync();
        await using var gateway = await platform.ConnectGatewayAsync();

        await gateway.PublishAsync($"campus/v1/{site}/gw-1/events", SmokeEvent(1, "d1"));

        var pushed = await live.NextAlarmAsync(a => a.GetProperty("site").GetString() == site);
        Assert.Equal("d1", pushed.GetProperty("device").GetString());
        Assert.Equal("fire", pushed.GetProperty("rule").GetString());
        Assert.Equal("smoke", pushed.GetProperty("type").GetString());
        Assert.Equal("critical", pushed.GetProperty("severity").GetString());
        Assert.Equal("active_unack", pushed.GetProperty("state").GetString());
        var id = pushed.GetProperty("id").GetString()!;

        var listed = Assert.Single(await platform.GetAlarmsAsync($"?site={site}"))!;
        Assert.Equal(id, (string?)listed["id"]);
        Assert.Equal("active_unack", (string?)listed["state"]);

        using var ack = await platform.Http.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by = "王保安", note = "已到现场，确认为误报" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acked = (await ack.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("active_ack", (string?)acked["state"]);
        Assert.Equal("王保安 (admin)", (string?)acked["ackedBy"]);   // the name typed and the account signed in

        var pushedAck = await live.NextAlarmAsync(a => a.GetProperty("id").GetString() == id && a.GetProperty("state").GetString() == "active_ack");
        Assert.Equal("已到现场，确认为误报", pushedAck.GetProperty("ackNote").GetString());

        Assert.Equal("active_ack", (string?)Assert.Single(await platform.GetAlarmsAsync($"?site={site}"))!["state"]);
        var audit = (await platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{id}/audit"))!;
        Assert.Equal(["raised", "acknowledged"], audit.Select(e => (string?)e!["transition"]));

        Assert.True(await platform.MetricAsync("campus_alarms_raised_total", "rule=\"fire\"") >= 1);
        Assert.True(await platform.MetricAsync("campus_alarm_latency_seconds_count") >= 1);
    }

    /// <summary>
    /// Malformed messages published between valid ones are rejected, counted by reason and logged, and every valid reading
    /// still reaches the store; an alarm published after the garbage still arrives.
    /// </summary>
    public static async Task Malformed_messages_are_rejected_and_counted_and_valid_readings_all_stored(RunningPlatform platform, string site)
    {
        await using var live = await platform.ConnectHubAsync();
        await using var gateway = await platform.ConnectGatewayAsync();
        var topic = $"campus/v1/{site}/gw-1/telemetry";
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var expected = new List<double>();
        var seq = 0;

        async Task Valid(int count)
        {
            var readings = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var value = 3.0 + (expected.Count * 0.01);
                expected.Add(value);
                readings.Add(Reading("fridge-1", "temperature", value.ToString(CultureInfo.InvariantCulture), start.AddMilliseconds(expected.Count)));
            }

            await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"ts":"{{Now()}}","readings":[{{string.Join(",", readings)}}]}""");
        }

        await Valid(5);
        await gateway.PublishAsync(topic, "this is not json");
        await Valid(3);
        await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"ts":"{{Now()}}","readings":[{{Reading("fridge-1", "pressure", "1", start)}}]}""");
        await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"ts":"{{Now()}}","readings":[{{Reading("fridge-1", "temperature", "1e999", start)}}]}""");
        await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"ts":"{{Now()}}","readings":[{{Reading("fridge-1", "temperature", "\"warm\"", start)}}]}""");
        await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"ts":"{{Now(TimeSpan.FromHours(1))}}","readings":[]}""");
        await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"readings":[]}""");
        await gateway.PublishAsync(topic, """[1,2,3]""");
        await gateway.PublishAsync($"campus/v1/{site}/GW_1/telemetry", $$"""{"seq":1,"ts":"{{Now()}}","readings":[]}""");
        await gateway.PublishAsync(topic, new byte[300 * 1024]);
        await Valid(4);

        // A message with one bad reading among good ones keeps the good ones.
        var mixed = new List<string> { Reading("Bad_Device", "temperature", "4", start) };
        foreach (var i in Enumerable.Range(0, 2))
        {
            var value = 3.0 + (expected.Count * 0.01);
            expected.Add(value);
            mixed.Add(Reading("fridge-1", "temperature", value.ToString(CultureInfo.InvariantCulture), start.AddMilliseconds(expected.Count)));
        }

        await gateway.PublishAsync(topic, $$"""{"seq":{{++seq}},"ts":"{{Now()}}","readings":[{{string.Join(",", mixed)}}]}""");
        await gateway.PublishAsync($"campus/v1/{site}/gw-1/events", SmokeEvent(++seq, "after-garbage"));

        var stored = await Eventually.Get(
            async () =>
            {
                var series = await platform.Http.GetFromJsonAsync<JsonObject>(
                    $"/api/readings?site={site}&device=fridge-1&metric=temperature&from={Uri.EscapeDataString(Format(start))}&to={Uri.EscapeDataString(Now(TimeSpan.FromMinutes(1)))}");
                var points = series!["points"]!.AsArray();
                return points.Count >= expected.Count ? points : null;
            },
            "every valid reading in the store");
        Assert.Equal(expected, stored.Select(p => (double)p!["mean"]!));

        var alarm = await live.NextAlarmAsync(a => a.GetProperty("device").GetString() == "after-garbage");
        Assert.Equal("active_unack", alarm.GetProperty("state").GetString());

        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"message\"", "reason=\"not_json\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"reading\"", "reason=\"unknown_metric\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"reading\"", "reason=\"non_finite_value\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"reading\"", "reason=\"non_numeric_value\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"message\"", "reason=\"ts_in_future\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"message\"", "reason=\"missing_ts\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"message\"", "reason=\"wrong_shape\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"message\"", "reason=\"too_large\""));
        Assert.Equal(1, await platform.MetricAsync("campus_ingest_rejected_total", "scope=\"reading\"", "reason=\"bad_identifier\""));
        Assert.Equal(expected.Count, await platform.MetricAsync("campus_ingest_readings_stored_total"));

        var rejectLogs = platform.Logs.Entries.Where(e => e.EventId.Id == 3001).Select(e => e.Message).ToList();
        Assert.Contains(rejectLogs, m => m.Contains("not_json", StringComparison.Ordinal));
        Assert.Contains(rejectLogs, m => m.Contains("too_large", StringComparison.Ordinal));

        // The two messages rejected whole (future ts, missing ts) carried seq 6 and 7: they show as a gap of two.
        var gateways = (await platform.Http.GetFromJsonAsync<JsonArray>("/api/ingest/gateways"))!;
        var seen = gateways.Single(g => (string?)g!["site"] == site)!;
        Assert.Equal(2, (long)seen["missing"]!);
        Assert.Equal(0, (long)seen["duplicates"]!);
        Assert.Equal(seq, (long)seen["lastSeq"]!);

        var rejects = (await platform.Http.GetFromJsonAsync<JsonArray>("/api/ingest/rejects"))!;
        Assert.Contains(rejects, r => (string?)r!["reason"] == "not_json" && ((string?)r["payload"])!.Contains("this is not json", StringComparison.Ordinal));
        Assert.Empty(platform.Logs.Errors);
    }

    private static string Reading(string device, string metric, string value, DateTimeOffset ts) =>
        $$"""{"device":"{{device}}","metric":"{{metric}}","value":{{value}},"ts":"{{Format(ts)}}"}""";

    private static string Format(DateTimeOffset ts) => ts.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
