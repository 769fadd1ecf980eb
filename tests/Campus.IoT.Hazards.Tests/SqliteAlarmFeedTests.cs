using Campus.IoT.Hazards.Storage;

namespace Campus.IoT.Hazards.Tests;

/// <summary>The alarm-feed tests on a real SQLite file.</summary>
public sealed class SqliteAlarmFeedTests : AlarmFeedTests
{
    private protected override Task<HazardDatabase> CreateDatabaseAsync(string directory) =>
        Task.FromResult(HazardDatabase.Sqlite(Path.Combine(directory, "hazards.db")));
}
