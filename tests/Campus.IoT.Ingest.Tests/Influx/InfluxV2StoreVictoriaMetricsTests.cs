using System.Net;
using Campus.IoT.Ingest.Influx;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campus.IoT.Ingest.Tests.Influx;

/// <summary>
/// The InfluxDB 2.x store's write path against a real VictoriaMetrics, which accepts InfluxDB.Client's <c>/api/v2/write</c>
/// (no InfluxDB 2.x can be installed on the build machine). VictoriaMetrics's <c>/query</c> is not InfluxQL, so the InfluxQL
/// reads are tested against InfluxDB 1.6.7 only (InfluxV1StoreTests); both stores share <see cref="InfluxQlReader"/>.
/// VictoriaMetrics keeps numbers only: string fields of device events are not stored there, tags and <c>seq</c> are.
/// </summary>
public sealed class InfluxV2StoreVictoriaMetricsTests(VictoriaMetricsServer server) : IClassFixture<VictoriaMetricsServer>
{
    // VictoriaMetrics refuses samples outside its retention (one month by default): write near the present.
    private static readonly DateTimeOffset T0 = Timestamps.TruncateToMilliseconds(TimeProvider.System.GetUtcNow().AddMinutes(-30));

    [Fact]
    public async Task Readings_come_back_from_VictoriaMetrics_with_their_tags_values_and_millisecond_timestamps()
    {
        var site = UniqueSite();
        using var store = Store(server);
        var t1 = T0.AddMilliseconds(123);
        var t2 = T0.AddSeconds(7).AddMilliseconds(-1);
        var batches = new[]
        {
            new IngestBatch(site, "gw-1", 1, [new Reading("fridge-1", Metrics.Temperature, 4.25, t1), new Reading("fridge-1", Metrics.Temperature, -0.5, t2)], []),
            new IngestBatch(site, "gw-2", 2, [new Reading("room-101", Metrics.Humidity, 41.5, t1)], []),
        };

        var result = await store.WriteAsync(batches, CancellationToken.None);

        Assert.Equal(new Storage.StoreWriteResult(3, 0), result);
        var series = await server.ExportAsync($"{{site=\"{site}\"}}");
        Assert.Equal(2, series.Count);
        var temperature = Assert.Single(series, s => s.Name == "temperature_value");
        Assert.Equal("fridge-1", temperature.Labels["device"]);
        Assert.Equal("gw-1", temperature.Labels["gateway"]);
        Assert.Equal(site, temperature.Labels["site"]);
        Assert.Equal([t1.ToUnixTimeMilliseconds(), t2.ToUnixTimeMilliseconds()], temperature.Timestamps);
        Assert.Equal([4.25, -0.5], temperature.Values);
        var humidity = Assert.Single(series, s => s.Name == "humidity_value");
        Assert.Equal(("room-101", "gw-2"), (humidity.Labels["device"], humidity.Labels["gateway"]));
        Assert.Equal([41.5], humidity.Values);
        Assert.Equal([t1.ToUnixTimeMilliseconds()], humidity.Timestamps);
    }

    [Fact]
    public async Task Device_events_are_written_to_the_device_event_measurement_with_type_and_state_tags()
    {
        var site = UniqueSite();
        using var store = Store(server);
        var fire = new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, T0) { Point = "L1D126", Zone = "Z3", Label = "3F lab", Raw = "FIRE \"L1D126\"" };
        var cleared = new DeviceEvent("smoke-2f", EventType.Smoke, EventState.Cleared, T0.AddSeconds(1));

        var result = await store.WriteAsync([new IngestBatch(site, "gw-1", 1043, [], [fire, cleared])], CancellationToken.None);

        Assert.Equal(new Storage.StoreWriteResult(0, 2), result);
        var seq = await server.ExportAsync($"{{__name__=\"device_event_seq\",site=\"{site}\"}}");
        Assert.Equal(2, seq.Count);
        var panel = Assert.Single(seq, s => s.Labels["device"] == "panel-main");
        Assert.Equal(("fire_alarm", "active", "gw-1"), (panel.Labels["type"], panel.Labels["state"], panel.Labels["gateway"]));
        Assert.Equal([1043.0], panel.Values);
        Assert.Equal([T0.ToUnixTimeMilliseconds()], panel.Timestamps);
        var smoke = Assert.Single(seq, s => s.Labels["device"] == "smoke-2f");
        Assert.Equal(("smoke", "cleared"), (smoke.Labels["type"], smoke.Labels["state"]));
    }

    [Fact]
    public async Task A_write_to_a_stopped_server_throws_and_the_batch_written_again_after_restart_is_stored_once()
    {
        var own = new VictoriaMetricsServer();
        try
        {
            await own.StartAsync();
            var site = UniqueSite();
            using var store = Store(own);
            var first = Batch(site, 1, T0, 10);
            var second = Batch(site, 2, T0.AddMinutes(1), 10);
            await store.WriteAsync([first], CancellationToken.None);

            await own.StopAsync();
            var ex = await Assert.ThrowsAsync<InfluxException>(() => store.WriteAsync([second], CancellationToken.None));
            Assert.Null(ex.StatusCode);
            Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);

            await own.StartAsync();
            await store.WriteAsync([first, second], CancellationToken.None);

            var series = Assert.Single(await own.ExportAsync($"{{__name__=\"temperature_value\",site=\"{site}\"}}"));
            Assert.Equal(first.Readings.Concat(second.Readings).Select(r => r.Ts.ToUnixTimeMilliseconds()), series.Timestamps);
            Assert.Equal(first.Readings.Concat(second.Readings).Select(r => r.Value), series.Values);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_refused_token_throws_with_the_server_status()
    {
        var guarded = new VictoriaMetricsServer { ExtraArguments = ["-httpAuth.username=campus", "-httpAuth.password=secret"] };
        try
        {
            await guarded.InitializeAsync();
            using var store = Store(guarded, token: "not-the-password");

            var ex = await Assert.ThrowsAsync<InfluxException>(() => store.WriteAsync([Batch(UniqueSite(), 1, T0, 1)], CancellationToken.None));

            // VictoriaMetrics answers 401 with an empty body; InfluxDB 2.x adds {"code":"unauthorized","message":…}.
            Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
            Assert.Contains("refused with 401 Unauthorized", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await guarded.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_refused_write_throws_with_the_server_message()
    {
        var strict = new VictoriaMetricsServer { ExtraArguments = ["-influx.maxLineSize=200"] };
        try
        {
            await strict.InitializeAsync();
            using var store = Store(strict);
            var longEvent = new DeviceEvent("panel-main", EventType.Trouble, EventState.Active, T0) { Raw = new string('x', 300) };

            var ex = await Assert.ThrowsAsync<InfluxException>(() => store.WriteAsync([new IngestBatch(UniqueSite(), "gw-1", 1, [], [longEvent])], CancellationToken.None));

            Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
            Assert.Contains("too long line", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await strict.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_empty_write_stores_nothing_and_does_not_call_the_server()
    {
        // The URL is unreachable: a request would throw.
        using var store = new InfluxV2Store(
            new InfluxOptions { Kind = "influxdb2", Url = $"http://127.0.0.1:{FreePort.Next()}", Token = "t", Org = "campus", Bucket = "telemetry" },
            NullLogger<InfluxV2Store>.Instance);

        Assert.Equal(default, await store.WriteAsync([new IngestBatch("s", "g", 1, [], [])], CancellationToken.None));
    }

    private static InfluxV2Store Store(VictoriaMetricsServer vm, string token = "campus-token") => new(
        new InfluxOptions { Kind = "influxdb2", Url = vm.Url.ToString(), Token = token, Org = "campus", Bucket = "telemetry", Timeout = TimeSpan.FromSeconds(5) },
        NullLogger<InfluxV2Store>.Instance);

    private static IngestBatch Batch(string site, long seq, DateTimeOffset start, int count) =>
        new(site, "gw-1", seq, [.. Enumerable.Range(0, count).Select(i => new Reading("fridge-1", Metrics.Temperature, 3 + (i * 0.125), start.AddSeconds(i)))], []);

    private static string UniqueSite() => $"vm-{Guid.NewGuid():N}"[..15];
}
