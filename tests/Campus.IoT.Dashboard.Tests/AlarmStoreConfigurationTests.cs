using System.Net;
using System.Net.Http.Json;
using Campus.IoT.Alerting;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Tests;

/// <summary><c>Campus:Alarms:Provider</c> and <c>Campus:Alarms:ConnectionString</c>: checked at start; alarms in PostgreSQL when asked.</summary>
public sealed class AlarmStoreConfigurationTests
{
    [Fact]
    public async Task Postgres_without_a_connection_string_stops_the_host_at_start()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Alarms:Provider=postgres",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Campus:Alarms:ConnectionString must be set when Campus:Alarms:Provider is postgres", error.Failures);
    }

    [Fact]
    public async Task An_unknown_alarm_store_provider_is_refused_at_start()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Alarms:Provider=mysql",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Campus:Alarms:Provider 'mysql' must be sqlite or postgres", error.Failures);
    }

    [Fact]
    public async Task Alarms_their_audit_and_deliveries_are_stored_in_postgres_when_configured()
    {
        var connection = await PostgresServer.CreateDatabaseAsync();
        string id;
        await using (var platform = await RunningPlatform.StartAsync(null, null, "--Campus:Alarms:Provider=postgres", $"--Campus:Alarms:ConnectionString={connection}"))
        {
            Assert.IsType<PostgresAlarmStore>(platform.Services.GetRequiredService<IAlarmStore>());
            await using (var gateway = await platform.ConnectGatewayAsync())
            {
                await gateway.PublishAsync("campus/v1/school-77/gw-1/events", Scenarios.SmokeEvent(1, "d1"));
            }

            var alarm = await Eventually.Get(async () => (await platform.GetAlarmsAsync("?site=school-77")).FirstOrDefault(), "the smoke alarm");
            id = (string)alarm["id"]!;
            using var ack = await platform.Http.PostAsJsonAsync($"/api/alarms/{id}/ack", new { by = "王保安" });
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        }

        // Another node on the same database sees the alarm, acknowledged, with its audit trail.
        using var store = new PostgresAlarmStore(connection);
        Assert.Equal(AlarmState.ActiveAck, store.Find(id)!.State);
        Assert.Equal(["raised", "acknowledged"], store.Audit(id).Select(a => a.Transition));
        Assert.Equal(id, Assert.Single(store.LoadOpen("school-77")).Id);
        Assert.True(store.VerifyAudit().Intact);
    }
}
