using System.Globalization;
using System.Net.Http.Json;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>
/// What a school -> district bridge does after a cut link: it publishes again the messages the district had not acknowledged
/// (QoS 1 is at least once). A real ingest process stores each reading once and counts the copies as duplicates.
/// </summary>
public sealed class RedeliveryTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private static readonly DateTimeOffset Base = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-ingest-redelivery-").FullName;
    private IngestProcess? _ingest;

    [Fact]
    public async Task Messages_a_bridge_delivers_twice_are_stored_once_and_counted_as_duplicates()
    {
        var site = $"redeliver-{Guid.NewGuid():N}"[..20];
        _ingest = new IngestProcess(broker, _directory);
        await _ingest.StartAsync();
        await using var bridge = await TestMqtt.ConnectAsync(broker.Host, broker.Port);

        // 1..60 arrive, the link drops before the district's PUBACKs for 41..60 reach the school, the bridge sends 41..60 again, then goes on.
        await PublishAsync(bridge, site, 1, 60);
        await PublishAsync(bridge, site, 41, 60);
        await PublishAsync(bridge, site, 61, 80);

        var gateway = await Eventually.Get(async () =>
        {
            var gateways = await _ingest.Http.GetFromJsonAsync<List<GatewaySeqSnapshot>>(new Uri($"http://127.0.0.1:{_ingest.HttpPort}/api/ingest/gateways"));
            return gateways?.SingleOrDefault(g => g.Site == site && g.Messages == 100);
        }, "ingest saw all 100 messages");
        await Eventually.True(() => _ingest.CountReadings(site) >= 80 * 3, "the readings stored");

        Assert.Equal(80 * 3, _ingest.CountReadings(site));
        Assert.Equal(80 * 3, _ingest.CountDistinctReadings(site));
        Assert.Equal(80, gateway.LastSeq);
        Assert.Equal(20, gateway.Duplicates);
        Assert.Equal(0, gateway.Missing);
        Assert.Equal(0, gateway.Resets);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task PublishAsync(TestMqtt mqtt, string site, int from, int to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            var ts = Base.AddSeconds(seq).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var readings = string.Join(",", Enumerable.Range(1, 3).Select(d =>
                $$"""{"device":"fridge-{{d}}","metric":"temperature","value":{{(4 + (seq % 3)).ToString(CultureInfo.InvariantCulture)}},"ts":"{{ts}}"}"""));
            await mqtt.PublishAsync($"campus/v1/{site}/gw-1/telemetry", $$"""{"seq":{{seq}},"ts":"{{ts}}","readings":[{{readings}}]}""");
        }
    }
}
