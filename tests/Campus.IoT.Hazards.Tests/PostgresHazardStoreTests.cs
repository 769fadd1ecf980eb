using Campus.IoT.Hazards.Storage;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Hazards.Tests;

/// <summary>The store tests on a real PostgreSQL, a database of each test's own.</summary>
public sealed class PostgresHazardStoreTests : HazardStoreTests
{
    private protected override async Task<HazardDatabase> CreateDatabaseAsync(string directory) =>
        HazardDatabase.Postgres(await PostgresServer.CreateDatabaseAsync());
}
