using Campus.IoT.Alerting;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Alerting.Tests;

/// <summary>The history and response-time tests on a real PostgreSQL, a database of each test's own.</summary>
public sealed class PostgresAlarmHistoryTests : AlarmHistoryTests
{
    private protected override async Task<IAlarmStore> CreateStoreAsync(string directory) =>
        new PostgresAlarmStore(await PostgresServer.CreateDatabaseAsync());
}
