using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Tests;

public sealed class HazardConfigurationTests
{
    [Fact]
    public async Task Bad_hazard_settings_stop_the_host_at_start_with_every_error_listed()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Hazards:Provider=postgres",
            "--Campus:Hazards:MaxAttachmentBytes=10",
            "--Campus:Hazards:AlarmRepeat:Count=1",
            "--Campus:Hazards:AlarmRepeat:Days=0",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            [
                "Campus:Hazards:ConnectionString must be set when Campus:Hazards:Provider is postgres",
                "Campus:Hazards:MaxAttachmentBytes 10 must be between 1024 and 1073741824",
                "Campus:Hazards:AlarmRepeat:Count 1 must be between 2 and 1000",
                "Campus:Hazards:AlarmRepeat:Days 0 must be between 1 and 366",
            ],
            error.Failures);
    }

    [Fact]
    public async Task An_unknown_provider_is_refused_at_start()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Hazards:Provider=mysql",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Campus:Hazards:Provider 'mysql' must be sqlite or postgres", error.Failures);
    }

    [Fact]
    public async Task A_hazard_database_that_is_down_at_start_stops_no_fire_alarm_and_its_routes_answer_503()
    {
        // Nothing listens on this port: the registry's PostgreSQL is down.
        var down = $"Host=127.0.0.1;Port={FreePort.Next()};Username=campus;Database=campus;Timeout=2";
        await using var platform = await RunningPlatform.StartAsync(null, null, "--Campus:Hazards:Provider=postgres", "--Campus:Hazards:ConnectionString=" + down);

        Assert.Contains(platform.Logs.Entries, e => e.EventId.Id == 8014 && e.Level == Microsoft.Extensions.Logging.LogLevel.Critical);
        await using (var gateway = await platform.ConnectGatewayAsync())
        {
            await gateway.PublishAsync("campus/v1/school-88/gw-1/events", Scenarios.SmokeEvent(1, "d1"));
        }

        var alarm = await Eventually.Get(async () => (await platform.GetAlarmsAsync("?site=school-88")).FirstOrDefault(), "the smoke alarm");
        Assert.Equal("critical", (string?)alarm["severity"]);

        using var list = await platform.Http.GetAsync("/api/hazards?site=school-88");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, list.StatusCode);
        Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        Assert.Contains("alarms are not affected", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The feed tried, retried and logged; the alarm is on the board regardless.
        Assert.Single(await platform.GetAlarmsAsync("?site=school-88"));
    }
}
