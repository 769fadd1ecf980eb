using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// The whole platform on a fake clock: a smoke event over MQTT is on the board and notified to the guard room at once;
/// when the clock reaches +60 s, Quartz takes level 1 and the safety officer's webhook (a real HTTP receiver) is called with
/// a valid signature; every delivery is on the alarm; acknowledging stops the ladder. Maintenance windows over HTTP.
/// </summary>
public sealed class EscalationNotificationTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    private static string Format(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_fire_alarm_climbs_on_the_platform_clock_notifies_each_level_records_every_delivery_and_stops_when_acknowledged()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var platform = await RunningPlatform.StartWithAsync(
            builder => builder.Services.AddSingleton<TimeProvider>(time),
            $"--Campus:Notify:Webhooks:duty:Url={receiver.Url}",
            $"--Campus:Notify:Webhooks:duty:Secret={Secret}",
            "--Campus:Notify:Recipients:safety-officer:Webhooks:0=duty",
            "--Campus:Notify:Recipients:principal:Webhooks:0=duty");
        await using var hub = await platform.ConnectHubAsync();
        await using (var gateway = await platform.ConnectGatewayAsync())
        {
            var now = Format(time.GetUtcNow());
            await gateway.PublishAsync("campus/v1/school-51/gw-1/events", $$"""{"seq":1,"ts":"{{now}}","events":[{"device":"smoke-2f","type":"smoke","state":"active","ts":"{{now}}"}]}""");
        }

        var raised = await hub.NextAlarmAsync(a => a.GetProperty("site").GetString() == "school-51");
        var id = raised.GetProperty("id").GetString()!;
        var boardNotice = await hub.NextNotificationAsync();
        Assert.Equal(("guard-room", 0, id), (boardNotice.GetProperty("recipient").GetString(), boardNotice.GetProperty("level").GetInt32(), boardNotice.GetProperty("alarm").GetProperty("id").GetString()));
        Assert.Empty(receiver.Requests);

        var scheduler = platform.Services.GetRequiredService<EscalationScheduler>();
        // The board is told first; the trigger is armed right after (the test waits for it before moving the clock).
        await Eventually.True(() => scheduler.Armed.ContainsKey(id), "level 1 armed");
        Assert.Equal(time.GetUtcNow().AddSeconds(60), scheduler.Armed[id]);
        time.Advance(TimeSpan.FromSeconds(60));

        var escalated = await hub.NextAlarmAsync(a => a.GetProperty("id").GetString() == id && a.GetProperty("escalationLevel").GetInt32() == 1);
        Assert.Equal("active_unack", escalated.GetProperty("state").GetString());
        await Eventually.True(() => receiver.Requests.Count == 2, "the safety officer and the principal called");
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
        Assert.Equal(["principal", "safety-officer"], receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("recipient").GetString()).Order());

        var deliveries = await Eventually.Get(async () =>
        {
            var list = (await platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{id}/deliveries"))!;
            return list.Count == 3 ? list : null;
        }, "three deliveries on the alarm");
        Assert.Equal(
            [("dashboard", "guard-room", 0, "sent"), ("webhook", "principal", 1, "sent"), ("webhook", "safety-officer", 1, "sent")],
            deliveries.Select(d => ((string)d!["channel"]!, (string)d["recipient"]!, (int)d["level"]!, (string)d["outcome"]!)).Order());

        using var ack = await platform.Http.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by = "王五", note = "已到场" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.False(scheduler.Armed.ContainsKey(id));
    }

    [Fact]
    public async Task A_maintenance_window_over_http_suppresses_a_panel_trouble_and_ending_it_early_brings_the_alarm_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var platform = await RunningPlatform.StartWithAsync(builder => builder.Services.AddSingleton<TimeProvider>(time));
        await using var hub = await platform.ConnectHubAsync();

        using var bad = await platform.Http.PostAsJsonAsync("/api/maintenance", new { site = "school-52", minutes = 60, by = "张工" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var created = await platform.Http.PostAsJsonAsync("/api/maintenance", new { site = "school-52", devices = "panel-*", minutes = 60, by = "张工", reason = "消防主机年检" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var window = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var windowId = (string)window["id"]!;
        Assert.Single((await platform.Http.GetFromJsonAsync<JsonArray>("/api/maintenance?site=school-52"))!);

        await using (var gateway = await platform.ConnectGatewayAsync())
        {
            var now = Format(time.GetUtcNow());
            await gateway.PublishAsync("campus/v1/school-52/gw-1/events", $$"""{"seq":1,"ts":"{{now}}","events":[{"device":"panel-1","type":"trouble","state":"active","ts":"{{now}}"}]}""");
        }

        var suppressed = await hub.NextAlarmAsync(a => a.GetProperty("site").GetString() == "school-52");
        Assert.Equal(("suppressed", windowId), (suppressed.GetProperty("state").GetString(), suppressed.GetProperty("maintenance").GetString()));
        Assert.Empty(await platform.GetAlarmsAsync("?site=school-52"));

        using var ended = await platform.Http.PostAsJsonAsync($"/api/maintenance/{windowId}/end", new { by = "张工" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        var back = await hub.NextAlarmAsync(a => a.GetProperty("site").GetString() == "school-52" && a.GetProperty("state").GetString() == "active_unack");
        Assert.Equal(suppressed.GetProperty("id").GetString(), back.GetProperty("id").GetString());
        Assert.Single(await platform.GetAlarmsAsync("?site=school-52"));
        var audit = (await platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{back.GetProperty("id").GetString()}/audit"))!;
        Assert.Equal(["suppressed", "resumed"], audit.Select(e => (string)e!["transition"]!));

        using var again = await platform.Http.PostAsJsonAsync($"/api/maintenance/{windowId}/end", new { by = "张工" });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }
}
