using Campus.IoT.Tests.Common;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>
/// The InfluxDB 2.x write path (<c>/api/v2/write</c> through InfluxDB.Client, served here by VictoriaMetrics) with the server
/// stopped for 30 s while telemetry keeps arriving: ingest spills, keeps acknowledging, reports the failure, and replays
/// when the server is back. Every reading is there once.
/// </summary>
public sealed class VictoriaMetricsDownTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-ingest-vm-").FullName;
    private readonly VictoriaMetricsServer _victoria = new();
    private IngestProcess? _ingest;

    // Owned (not the test script's), so this test may stop it.
    public Task InitializeAsync() => _victoria.StartAsync();

    [Fact]
    public async Task VictoriaMetrics_stopped_for_30_seconds_then_back_loses_and_doubles_nothing()
    {
        _ingest = new IngestProcess(
            broker,
            _directory,
            [
                "--Campus:Storage:Kind=influxdb2",
                $"--Campus:Storage:Url={_victoria.Url}",
                "--Campus:Storage:Org=campus",
                "--Campus:Storage:Bucket=campus",
                "--Campus:Storage:Token=test-token",
                "--Campus:Ingest:WriteAttempts=2",
                "--Campus:Ingest:MaxBatchMessages=100",
            ]);
        await _ingest.StartAsync();
        var publisher = new GatewayLikePublisher($"vmdown-{Guid.NewGuid():N}"[..20], "gw-1", readingsPerMessage: 10);
        await using var mqtt = await TestMqtt.ConnectAsync(broker.Host, broker.Port);

        await publisher.PublishAsync(mqtt, 200, TimeSpan.Zero);
        await Eventually.True(async () => (await StoredAsync(publisher.Site)).Samples == 2000, $"the first 200 messages stored ({(await StoredAsync(publisher.Site)).Samples})\n{_ingest.Output}");

        await _victoria.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await publisher.PublishAsync(mqtt, 750, TimeSpan.FromMilliseconds(100), every: 3);
        await Eventually.True(() => _ingest.CountSpilled() > 0, "batches in the disk spill while VictoriaMetrics is down", TimeSpan.FromSeconds(30));
        var health = await _ingest.HealthAsync();
        Assert.Contains("\"state\":\"failing\"", health, StringComparison.Ordinal);
        Assert.Contains("\"store\":\"influxdb2\"", health, StringComparison.Ordinal);

        var remaining = TimeSpan.FromSeconds(30) - (DateTimeOffset.UtcNow - stoppedAt);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        await _victoria.StartAsync();
        await Eventually.True(() => _ingest.CountSpilled() == 0, "the spill replayed into VictoriaMetrics", TimeSpan.FromSeconds(60));
        await Eventually.True(async () => (await StoredAsync(publisher.Site)).Samples == publisher.AcceptedReadings, $"all {publisher.AcceptedReadings} readings in VictoriaMetrics", TimeSpan.FromSeconds(30));
        var stored = await StoredAsync(publisher.Site);
        Assert.Equal(950, publisher.Accepted);
        Assert.Equal(stored.Samples, stored.Distinct);
        await Eventually.True(async () => (await _ingest.HealthAsync())?.Contains("\"status\":\"ok\"", StringComparison.Ordinal) == true, "healthy again");
    }

    public async Task DisposeAsync()
    {
        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }

        await _victoria.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Samples of the site's temperature series, and how many distinct (device, time) pairs they cover.</summary>
    private async Task<(long Samples, long Distinct)> StoredAsync(string site)
    {
        try
        {
            var series = await _victoria.ExportAsync($"{{__name__=\"temperature_value\",site=\"{site}\"}}");
            return (series.Sum(s => (long)s.Timestamps.Count), series.Sum(s => (long)s.Timestamps.Distinct().Count()));
        }
        catch (HttpRequestException)
        {
            return (-1, -1);
        }
    }
}
