using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Campus.IoT.Dashboard.Tests;

/// <summary><c>Campus:Escalation</c>: the escalation scheduler of a district rules node, clustered on PostgreSQL.</summary>
public sealed class EscalationConfigurationTests
{
    [Fact]
    public async Task With_a_connection_string_the_node_joins_the_escalation_cluster_at_start_under_its_machine_name_and_process_id()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var platform = await RunningPlatform.StartAsync(extraArgs: [$"--Campus:Escalation:ConnectionString={database}"]);

        Assert.True(platform.Services.GetRequiredService<EscalationScheduler>().Clustered);
        var expected = $"{Environment.MachineName}-{Environment.ProcessId}";
        await Eventually.True(async () =>
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT instance_name FROM qrtz_scheduler_state WHERE sched_name = @s", connection);
            command.Parameters.AddWithValue("s", EscalationScheduler.ClusterName);
            return await command.ExecuteScalarAsync() as string == expected;
        }, $"{expected} checked in");
    }

    [Fact]
    public async Task Bad_escalation_settings_stop_the_host_at_start_with_every_error_listed()
    {
        await using var app = CampusHost.Create([
            "--urls", "http://127.0.0.1:0",
            "--Campus:DataDir=" + Path.GetTempPath(),
            "--Campus:Escalation:ConnectionString=Hots=db;;=x",
            "--Campus:Escalation:CheckinInterval=00:00:00",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(2, error.Failures.Count());
        Assert.StartsWith("Campus:Escalation:ConnectionString is not a PostgreSQL connection string", error.Failures.First(), StringComparison.Ordinal);
        Assert.Equal("Campus:Escalation:CheckinInterval must be positive", error.Failures.Last());
    }
}
