using Campus.IoT.Hazards.Storage;

namespace Campus.IoT.Hazards.Tests;

/// <summary>The store tests on a real SQLite file.</summary>
public sealed class SqliteHazardStoreTests : HazardStoreTests
{
    private protected override Task<HazardDatabase> CreateDatabaseAsync(string directory) =>
        Task.FromResult(HazardDatabase.Sqlite(Path.Combine(directory, "hazards.db")));
}
