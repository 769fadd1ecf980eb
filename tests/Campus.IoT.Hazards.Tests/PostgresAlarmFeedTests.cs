using Campus.IoT.Hazards.Storage;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Hazards.Tests;

/// <summary>The alarm-feed tests on a real PostgreSQL, a database of each test's own.</summary>
public sealed class PostgresAlarmFeedTests : AlarmFeedTests
{
    private protected override async Task<HazardDatabase> CreateDatabaseAsync(string directory) =>
        HazardDatabase.Postgres(await PostgresServer.CreateDatabaseAsync());
}
