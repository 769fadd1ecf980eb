using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Cli.Tests;

public sealed class AuditVerifyCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-cli-audit-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));

    private string Db => Path.Combine(_directory, "alarms.db");

    [Fact]
    public async Task An_intact_trail_exits_0_and_an_edited_one_exits_1_naming_the_row()
    {
        using (var store = new SqliteAlarmStore(Db))
        {
            var engine = new AlarmEngine(_time);
            var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, _time.GetUtcNow())]);
            store.Save(raised);
            store.Save([engine.Acknowledge(raised[0].Alarm.Id, "王五", "已到现场")!]);
        }

        var intact = await CliRun.RunAsync(string.Empty, _time, "audit", "verify", "--db", Db);
        Assert.Equal(0, intact.ExitCode);
        Assert.Equal("""{"intact":true,"rows":2}""", intact.Stdout.Trim());

        using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var tamper = connection.CreateCommand();
            tamper.CommandText = "DROP TRIGGER alarm_audit_no_update; UPDATE alarm_audit SET by = 'nobody' WHERE seq = 2";
            tamper.ExecuteNonQuery();
        }

        var broken = await CliRun.RunAsync(string.Empty, _time, "audit", "verify", "--db", Db);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("\"intact\":false", broken.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"broken_at_seq\":2", broken.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shared_postgres_store_is_verified_with_postgres()
    {
        var connection = await PostgresServer.CreateDatabaseAsync();
        using (var store = new PostgresAlarmStore(connection))
        {
            var engine = new AlarmEngine(_time);
            var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, _time.GetUtcNow())]);
            store.Save(raised);
            store.Save([engine.Acknowledge(raised[0].Alarm.Id, "王五", "已到现场")!]);
        }

        var intact = await CliRun.RunAsync(string.Empty, _time, "audit", "verify", "--postgres", connection);
        Assert.Equal(0, intact.ExitCode);
        Assert.Equal("""{"intact":true,"rows":2}""", intact.Stdout.Trim());

        await using (var tamper = new Npgsql.NpgsqlConnection(connection))
        {
            await tamper.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("ALTER TABLE alarm_audit DISABLE TRIGGER alarm_audit_no_change; UPDATE alarm_audit SET by = 'nobody' WHERE seq = 2", tamper);
            await command.ExecuteNonQueryAsync();
        }

        var broken = await CliRun.RunAsync(string.Empty, _time, "audit", "verify", "--postgres", connection);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("\"broken_at_seq\":2", broken.Stdout, StringComparison.Ordinal);

        var down = await CliRun.RunAsync(string.Empty, _time, "audit", "verify", "--postgres", $"Host=127.0.0.1;Port={FreePort.Next()};Username=campus;Timeout=2");
        Assert.Equal(2, down.ExitCode);
        Assert.Contains("cannot read the alarm database", down.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_database_is_a_usage_error()
    {
        var run = await CliRun.RunAsync(string.Empty, _time, "audit", "verify", "--db", Path.Combine(_directory, "none.db"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no alarm database", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
