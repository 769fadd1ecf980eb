using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Dashboard.Live;
using Campus.IoT.Tests.Common;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// The console watchdog on the running platform and a fake clock: a school with no guard-room board sending heartbeats
/// for longer than the grace period raises <c>console-unattended</c> for the safety officer; a board joining and beating
/// clears it; a board that stops beating counts as gone. The watchdog's rounds are run by the test (the same code the
/// hosted loop runs every 5 s), so each step happens at a known time.
/// </summary>
public sealed class ConsoleWatchdogTests
{
    [Fact]
    public async Task A_school_without_a_watching_board_raises_console_unattended_and_a_board_with_heartbeats_clears_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var platform = await RunningPlatform.StartWithAsync(builder => builder.Services.AddSingleton<TimeProvider>(time));
        var services = platform.Services;
        var watchdog = new ConsoleWatchdog(
            services.GetRequiredService<IAlarms>(),
            services.GetRequiredService<ConsoleRegistry>(),
            services.GetRequiredService<DeviceDirectory>(),
            new WatchdogOptions { Sites = ["school-71"] },
            time,
            NullLogger<ConsoleWatchdog>.Instance);

        await watchdog.CheckAsync(CancellationToken.None);                 // unattended from now
        time.Advance(TimeSpan.FromSeconds(59));
        await watchdog.CheckAsync(CancellationToken.None);
        Assert.Empty(await platform.GetAlarmsAsync("?site=school-71"));    // within the grace period
        time.Advance(TimeSpan.FromSeconds(1));
        await watchdog.CheckAsync(CancellationToken.None);

        var raised = Assert.Single(await platform.GetAlarmsAsync("?site=school-71"))!;
        Assert.Equal(("console-unattended", "guard-room", "major", "active_unack"), ((string)raised["rule"]!, (string)raised["gateway"]!, (string)raised["severity"]!, (string)raised["state"]!));
        var id = (string)raised["id"]!;
        var delivery = await Eventually.Get(async () => (await platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{id}/deliveries"))!.FirstOrDefault(), "the safety officer's notification recorded");
        Assert.Equal(("safety-officer", "unrouted"), ((string)delivery!["recipient"]!, (string)delivery["outcome"]!));   // no address configured here

        // A board opens for the school and beats: cleared at the next round.
        await using var board = await platform.ConnectHubAsync(site: "school-71");
        await board.Connection.InvokeAsync("ConsoleHeartbeat");
        await watchdog.CheckAsync(CancellationToken.None);
        var cleared = (await platform.Http.GetFromJsonAsync<JsonObject>($"/api/alarms/{id}"))!;
        Assert.Equal("cleared_unack", (string)cleared["state"]!);

        // The board freezes (no heartbeat for 30 s and more): after the grace period again, the alarm is back.
        time.Advance(TimeSpan.FromSeconds(31));
        await watchdog.CheckAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(60));
        await watchdog.CheckAsync(CancellationToken.None);
        // Not yet acknowledged, the same alarm becomes active again (one alarm per condition until it is closed), and the
        // safety officer is told again.
        var again = Assert.Single(await platform.GetAlarmsAsync("?site=school-71"))!;
        Assert.Equal((id, "active_unack"), ((string)again["id"]!, (string)again["state"]!));
        await Eventually.True(async () => (await platform.Http.GetFromJsonAsync<JsonArray>($"/api/alarms/{id}/deliveries"))!.Count == 2, "the second notification recorded");
    }
}
