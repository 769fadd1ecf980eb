using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Alerting.Tests;

/// <summary>The alarm store tests on a real SQLite file.</summary>
public sealed class SqliteAlarmStoreTests : AlarmStoreTests
{
    private string File => Path.Combine(Directory, "alarms.db");

    private protected override Task CreateDatabaseAsync(string directory) => Task.CompletedTask;

    private protected override IAlarmStore OpenStore() => new SqliteAlarmStore(File, Time);

    private protected override IDeliveryStore OpenDeliveryStore() => new SqliteDeliveryStore(File);

    private protected override void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private protected override void ExecuteAroundTriggers(string sql) =>
        Execute("DROP TRIGGER alarm_audit_no_update; DROP TRIGGER alarm_audit_no_delete; " + sql);
}
