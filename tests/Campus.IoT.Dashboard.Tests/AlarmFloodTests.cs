using System.Globalization;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// An alarm flood: 500 smoke detectors and 500 heat sensors of one school going off in the same few seconds (a whole-campus
/// event, or a panel replaying its log). Every alarm is stored, audited and pushed; the pipeline does not stall and a live
/// alarm published after the flood still comes through.
/// </summary>
public sealed class AlarmFloodTests : PlatformTest
{
    [Fact]
    public async Task Five_hundred_devices_crossing_at_once_all_raise_and_the_pipeline_keeps_flowing()
    {
        await using var live = await Platform.ConnectHubAsync();
        await using var gateway = await Platform.ConnectGatewayAsync();
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        // 500 smoke events in 10 messages of 50, and 500 heat readings at 80 °C in 10 messages of 50.
        for (var m = 0; m < 10; m++)
        {
            var events = string.Join(",", Enumerable.Range(0, 50).Select(i => $$"""{"device":"smoke-{{(m * 50) + i:000}}","type":"smoke","state":"active","ts":"{{now}}"}"""));
            await gateway.PublishAsync("campus/v1/school-50/gw-1/events", $$"""{"seq":{{m + 1}},"ts":"{{now}}","events":[{{events}}]}""");
            var readings = string.Join(",", Enumerable.Range(0, 50).Select(i => $$"""{"device":"heat-{{(m * 50) + i:000}}","metric":"temperature","value":80,"ts":"{{now}}"}"""));
            await gateway.PublishAsync("campus/v1/school-50/gw-2/telemetry", $$"""{"seq":{{m + 1}},"ts":"{{now}}","readings":[{{readings}}]}""");
        }

        await Eventually.True(async () => (await Platform.GetAlarmsAsync("?site=school-50&limit=5000")).Count == 1000, "1000 alarms stored", TimeSpan.FromSeconds(60));
        var alarms = await Platform.GetAlarmsAsync("?site=school-50&limit=5000");
        Assert.Equal(500, alarms.Count(a => (string?)a!["rule"] == "fire"));
        Assert.Equal(500, alarms.Count(a => (string?)a!["rule"] == "fixed-heat"));

        // After the flood, a new alarm on another site is still raised and pushed to the board.
        await gateway.PublishAsync("campus/v1/school-51/gw-1/events", $$"""{"seq":1,"ts":"{{now}}","events":[{"device":"mcp-1","type":"manual_call_point","state":"active","ts":"{{now}}"}]}""");
        var pushed = await live.NextAlarmAsync(a => a.GetProperty("site").GetString() == "school-51");
        Assert.Equal("mcp-1", pushed.GetProperty("device").GetString());
    }
}
