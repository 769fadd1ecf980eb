using System.Collections.Concurrent;
using System.Text.Json;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Gateway.Tests;

/// <summary>The gateway against a real Mosquitto that goes away and comes back.</summary>
public sealed class SpooledGatewayPublisherTests : IAsyncLifetime
{
    private readonly MosquittoBroker _broker = new();
    private readonly CapturedLogs _logs = new();
    private readonly string _spoolDirectory = Directory.CreateTempSubdirectory("campus-gw-spool-").FullName;
    private readonly GatewayIdentity _identity = new("school-07", "gw-1", "test");

    // This test stops and restarts its broker, so it always runs its own Mosquitto, whatever the test command started.
    public Task InitializeAsync() => _broker.StartOwnAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_spoolDirectory, recursive: true);
    }

    [Fact]
    public async Task Ten_thousand_readings_arrive_complete_through_two_broker_restarts()
    {
        var seen = new ConcurrentDictionary<long, int>();
        long readings = 0;
        await using var subscriber = await DurableSubscriber.StartAsync("127.0.0.1", _broker.Port, "campus/v1/school-07/gw-1/telemetry", (_, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            var seq = doc.RootElement.GetProperty("seq").GetInt64();
            if (seen.AddOrUpdate(seq, 1, (_, n) => n + 1) == 1)
            {
                Interlocked.Add(ref readings, doc.RootElement.GetProperty("readings").GetArrayLength());
            }
        }, _logs.CreateLogger("subscriber"));

        using var spool = DurableSpool.Open(new SpoolOptions(_spoolDirectory), _logs.CreateLogger("spool"));
        await using var gateway = new SpooledGatewayPublisher(new MqttEndpoint("127.0.0.1", _broker.Port), _identity, spool, TimeProvider.System, _logs.CreateLogger("gateway"));
        gateway.Start();

        const int messages = 2000;
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < messages; i++)
        {
            var readingsInMessage = Enumerable.Range(0, 5).Select(d => new Reading($"sensor-{d}", Metrics.Temperature, 20 + (i % 10), t0.AddSeconds(i))).ToList();
            Assert.Equal(i + 1, await gateway.EnqueueReadingsAsync(readingsInMessage));
            if (i is 500 or 1200)
            {
                await _broker.StopOwnAsync(graceful: true);
            }
            else if (i is 700 or 1400)
            {
                await _broker.StartOwnAsync();
            }
        }

        await Eventually.True(() => seen.Count == messages, $"all {messages} seq at the subscriber (seen {seen.Count})", TimeSpan.FromSeconds(120));
        Assert.Equal(Enumerable.Range(1, messages).Select(i => (long)i), seen.Keys.Order());
        Assert.Equal(10_000, Interlocked.Read(ref readings));
        await Eventually.True(() => spool.Stats.Depth == 0, "the spool drained");
    }

    [Fact]
    public async Task A_fire_event_spooled_during_an_outage_is_published_before_the_telemetry_backlog()
    {
        // The subscriber's persistent session exists before the outage, so the broker queues for it whatever arrives first.
        var order = new ConcurrentQueue<(string Topic, long Seq)>();
        await using var subscriber = await DurableSubscriber.StartAsync(
            "127.0.0.1",
            _broker.Port,
            "campus/v1/school-07/gw-1/+",
            (topic, payload) =>
            {
                using var doc = JsonDocument.Parse(payload);
                if (doc.RootElement.TryGetProperty("seq", out var seq))
                {
                    order.Enqueue((doc.RootElement.TryGetProperty("events", out _) ? "events" : "telemetry", seq.GetInt64()));
                }
            },
            _logs.CreateLogger("subscriber"));
        using var spool = DurableSpool.Open(new SpoolOptions(_spoolDirectory), _logs.CreateLogger("spool"));
        await _broker.StopOwnAsync(graceful: true);
        await using var gateway = new SpooledGatewayPublisher(new MqttEndpoint("127.0.0.1", _broker.Port), _identity, spool, TimeProvider.System, _logs.CreateLogger("gateway"));
        gateway.Start();
        for (var i = 0; i < 300; i++)
        {
            await gateway.EnqueueReadingsAsync([new Reading("fridge-1", Metrics.Temperature, 4, DateTimeOffset.UtcNow)]);
        }

        var fire = await gateway.EnqueueEventsAsync([new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, DateTimeOffset.UtcNow) { Point = "L1D126" }]);

        await _broker.StartOwnAsync();

        await Eventually.True(() => order.Count >= 301, "the backlog and the fire event delivered", TimeSpan.FromSeconds(60));
        Assert.Equal(("events", fire), order.First());
    }
}
