using Campus.IoT.Alerting;

namespace Campus.IoT.Alerting.Tests;

/// <summary>The history and response-time tests on a real SQLite file.</summary>
public sealed class SqliteAlarmHistoryTests : AlarmHistoryTests
{
    private protected override Task<IAlarmStore> CreateStoreAsync(string directory) =>
        Task.FromResult<IAlarmStore>(new SqliteAlarmStore(Path.Combine(directory, "alarms.db")));
}
