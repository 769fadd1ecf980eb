using Campus.IoT.Tests.Common;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>
/// Ingest killed with SIGKILL in the middle of a stream and started again: every message the broker accepted is stored
/// exactly once. What was received but not yet durable was not acknowledged, so the broker delivers it again from the
/// persistent session; what was stored and then redelivered is ignored by the unique key.
/// </summary>
public sealed class IngestCrashTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-ingest-crash-").FullName;
    private IngestProcess? _ingest;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Kill_minus_9_mid_stream_and_restart_stores_every_accepted_message_exactly_once()
    {
        _ingest = new IngestProcess(broker, _directory);
        await _ingest.StartAsync();
        var publisher = new GatewayLikePublisher($"crash-{Guid.NewGuid():N}"[..20], "gw-1", readingsPerMessage: 20);
        await using var mqtt = await TestMqtt.ConnectAsync(broker.Host, broker.Port);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        // A steady stream of 2,000 messages (40,000 readings); the process is killed once part of it is stored.
        var stream = Task.Run(() => publisher.PublishAsync(mqtt, 2000, TimeSpan.FromMilliseconds(5), every: 4, stop.Token));
        await Eventually.True(() => _ingest.CountReadings(publisher.Site) >= 6000, "part of the stream stored before the kill", TimeSpan.FromSeconds(60));
        await _ingest.KillAsync();
        var atKill = _ingest.CountReadings(publisher.Site);

        // The broker keeps accepting while ingest is down; the same instance comes back.
        await Eventually.True(() => publisher.Accepted > (atKill / 20) + 200, "messages accepted while ingest was down", TimeSpan.FromSeconds(60));
        await _ingest.StartAsync();
        await stream;

        await Eventually.True(() => _ingest.CountReadings(publisher.Site) >= publisher.AcceptedReadings, $"all {publisher.AcceptedReadings} readings stored", TimeSpan.FromSeconds(90));
        Assert.Equal(2000, publisher.Accepted);
        Assert.True(atKill < publisher.AcceptedReadings, $"the kill came mid-stream ({atKill} of {publisher.AcceptedReadings} stored)");
        Assert.Equal(publisher.AcceptedReadings, _ingest.CountReadings(publisher.Site));
        Assert.Equal(publisher.AcceptedReadings, _ingest.CountDistinctReadings(publisher.Site));
        Assert.Equal(0, _ingest.CountSpilled());
    }

    public async Task DisposeAsync()
    {
        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
