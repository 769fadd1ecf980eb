using Campus.IoT.Tests.Common;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>Two ingest instances in one shared-subscription group split the stream between them: each message stored once, by one of them.</summary>
public sealed class SharedSubscriptionTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-ingest-shared-").FullName;
    private readonly List<IngestProcess> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_instances_in_one_group_each_store_a_share_and_together_all_of_it_once()
    {
        var group = $"g{Guid.NewGuid():N}"[..16];
        foreach (var name in new[] { "a", "b" })
        {
            var instance = new IngestProcess(broker, Directory.CreateDirectory(Path.Combine(_directory, name)).FullName, sharedGroup: group);
            _instances.Add(instance);
            await instance.StartAsync();
        }

        var publisher = new GatewayLikePublisher($"shared-{Guid.NewGuid():N}"[..20], "gw-1", readingsPerMessage: 5);
        await using var mqtt = await TestMqtt.ConnectAsync(broker.Host, broker.Port);
        await publisher.PublishAsync(mqtt, 400, TimeSpan.Zero);

        await Eventually.True(() => _instances.Sum(i => i.CountReadings(publisher.Site)) >= publisher.AcceptedReadings, "every reading stored by one instance or the other");
        var counts = _instances.Select(i => i.CountReadings(publisher.Site)).ToList();
        Assert.Equal(publisher.AcceptedReadings, counts.Sum());
        Assert.All(counts, c => Assert.True(c > 0, $"each instance took a share: {string.Join(", ", counts)}"));
        Assert.Contains($"$share/{group}/campus/v1/+/+/telemetry", await _instances[0].HealthAsync(), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
