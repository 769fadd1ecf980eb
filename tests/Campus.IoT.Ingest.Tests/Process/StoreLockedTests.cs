using Campus.IoT.Tests.Common;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>
/// The embedded store's file locked by another process for 30 s while telemetry keeps arriving: ingest retries, spills to
/// its disk buffer, keeps acknowledging, reports the failure in <c>/healthz</c>, and once the lock is gone replays the spill.
/// Every reading ends up stored once.
/// </summary>
public sealed class StoreLockedTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-ingest-locked-").FullName;
    private IngestProcess? _ingest;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_sqlite_file_locked_for_30_seconds_then_released_loses_and_doubles_nothing()
    {
        // Short write attempts so the spill takes over within seconds of the lock.
        _ingest = new IngestProcess(broker, _directory, ["--Campus:Ingest:WriteAttempts=2", "--Campus:Ingest:MaxBatchMessages=100"]);
        await _ingest.StartAsync();
        var publisher = new GatewayLikePublisher($"locked-{Guid.NewGuid():N}"[..20], "gw-1", readingsPerMessage: 10);
        await using var mqtt = await TestMqtt.ConnectAsync(broker.Host, broker.Port);

        await publisher.PublishAsync(mqtt, 200, TimeSpan.Zero);
        await Eventually.True(() => _ingest.CountReadings(publisher.Site) == 2000, "the first 200 messages stored");

        using var locker = new SqliteConnection($"Data Source={Path.Combine(_directory, "readings.db")};Pooling=False");
        locker.Open();
        Execute(locker, "BEGIN EXCLUSIVE");
        var lockedAt = DateTimeOffset.UtcNow;

        // 25 s of telemetry into a locked store: about 30 messages a second.
        await publisher.PublishAsync(mqtt, 750, TimeSpan.FromMilliseconds(100), every: 3);
        await Eventually.True(() => _ingest.CountSpilled() > 0, "batches in the disk spill while the store is locked", TimeSpan.FromSeconds(30));
        var health = await _ingest.HealthAsync();
        Assert.Contains("\"state\":\"failing\"", health, StringComparison.Ordinal);
        Assert.Contains("\"lastError\":", health, StringComparison.Ordinal);
        Assert.Equal(2000, _ingest.CountReadings(publisher.Site)); // nothing got past the lock

        var remaining = TimeSpan.FromSeconds(30) - (DateTimeOffset.UtcNow - lockedAt);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        Execute(locker, "ROLLBACK");
        await Eventually.True(() => _ingest.CountReadings(publisher.Site) == publisher.AcceptedReadings, $"all {publisher.AcceptedReadings} readings stored after the lock", TimeSpan.FromSeconds(60));
        await Eventually.True(() => _ingest.CountSpilled() == 0, "the spill replayed and empty");
        await Eventually.True(async () => (await _ingest.HealthAsync())?.Contains("\"status\":\"ok\"", StringComparison.Ordinal) == true, "healthy again");
        Assert.Equal(950, publisher.Accepted);
        Assert.Equal(publisher.AcceptedReadings, _ingest.CountDistinctReadings(publisher.Site));
        Assert.Contains("the disk spill", _ingest.Output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
