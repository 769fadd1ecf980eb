using System.Net;
using System.Text.Json;
using Campus.IoT.Ingest.Influx;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campus.IoT.Ingest.Tests.Influx;

/// <summary>
/// The InfluxDB 1.x store against a real InfluxDB 1.6.7: gzip <c>/write</c> and the InfluxQL reads both InfluxDB stores
/// share. (VictoriaMetrics's <c>/query</c> is not InfluxQL, so this is where the reads are tested.) The fixture gives this
/// class a database of its own; each test also uses devices of its own.
/// </summary>
public sealed class InfluxV1StoreTests(InfluxDb1Server server) : IClassFixture<InfluxDb1Server>
{
    // Not on a step boundary, so the first bucket of every step is a partial one.
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 7, 59, 58, 250, TimeSpan.Zero);

    public static TheoryData<int> Steps => new() { 0, 1, 60, 3600 };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task History_matches_statistics_computed_from_the_raw_readings(int stepSeconds)
    {
        // Two hours of readings every 7 s with known, irregular values.
        var device = $"gen-{stepSeconds}";
        var raw = Enumerable.Range(0, (int)(TimeSpan.FromHours(2).TotalSeconds / 7))
            .Select(i => new Reading(device, Metrics.Temperature, Math.Round(20 + (8 * Math.Sin(i / 25.0)) + ((i % 7) * 0.25), 3), T0.AddSeconds(7 * i)))
            .ToList();
        using var store = Store();
        foreach (var chunk in raw.Chunk(250))
        {
            await store.WriteAsync([new IngestBatch("school-01", "gw-1", 1, chunk, [])], CancellationToken.None);
        }

        TimeSpan? step = stepSeconds == 0 ? null : TimeSpan.FromSeconds(stepSeconds);
        var from = T0.AddMinutes(10).AddMilliseconds(500);
        var to = T0.AddMinutes(107).AddMilliseconds(-250);

        var all = await store.QueryAsync(new HistoryQuery(device, Metrics.Temperature, "school-01", from, to, step, 5000), CancellationToken.None);
        var firstThree = await store.QueryAsync(new HistoryQuery(device, Metrics.Temperature, null, from, to, step, 3), CancellationToken.None);

        var expected = Expected(raw, from, to, step);
        Assert.True(expected.Count > (stepSeconds == 3600 ? 1 : 3), "the range covers several buckets");
        AssertBuckets(expected, all);
        AssertBuckets(expected.Take(3).ToList(), firstThree);
    }

    [Fact]
    public async Task The_site_filter_separates_the_same_device_name_at_two_sites()
    {
        using var store = Store();
        var t = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var a = Enumerable.Range(0, 10).Select(i => new Reading("shared-1", Metrics.Temperature, i, t.AddSeconds(i))).ToList();
        var b = Enumerable.Range(0, 10).Select(i => new Reading("shared-1", Metrics.Temperature, 100 + i, t.AddSeconds(i))).ToList();
        await store.WriteAsync([new IngestBatch("school-a", "gw-1", 1, a, []), new IngestBatch("school-b", "gw-1", 1, b, [])], CancellationToken.None);

        var onlyB = await store.QueryAsync(new HistoryQuery("shared-1", Metrics.Temperature, "school-b", t, t.AddMinutes(1), null, 100), CancellationToken.None);
        var both = await store.QueryAsync(new HistoryQuery("shared-1", Metrics.Temperature, null, t, t.AddMinutes(1), TimeSpan.FromMinutes(1), 100), CancellationToken.None);

        Assert.Equal(b.Select(r => r.Value), onlyB.Select(x => x.Mean));
        Assert.Equal(b.Select(r => r.Ts), onlyB.Select(x => x.Ts));
        var bucket = Assert.Single(both);
        Assert.Equal((20L, 0.0, 109.0), (bucket.Count, bucket.Min, bucket.Max));
        Assert.Equal(a.Concat(b).Average(r => r.Value), bucket.Mean, 1e-9);
    }

    [Fact]
    public async Task Writing_the_same_batch_twice_stores_each_point_once()
    {
        using var store = Store();
        var readings = Enumerable.Range(0, 50).Select(i => new Reading("dup-1", Metrics.Humidity, 40 + i, T0.AddSeconds(10 * i))).ToList();
        var events = new[]
        {
            new DeviceEvent("dup-panel", EventType.Trouble, EventState.Active, T0) { Point = "L2M3" },
            new DeviceEvent("dup-panel", EventType.Trouble, EventState.Cleared, T0.AddSeconds(30)),
        };
        var batch = new IngestBatch("school-01", "gw-1", 77, readings, events);

        Assert.Equal(new StoreWriteResult(50, 2), await store.WriteAsync([batch], CancellationToken.None));
        await store.WriteAsync([batch, batch], CancellationToken.None);

        Assert.Equal(50, Count(await server.SelectAsync("SELECT count(\"value\") FROM \"humidity\" WHERE \"device\" = 'dup-1'")));
        Assert.Equal(2, Count(await server.SelectAsync("SELECT count(\"seq\") FROM \"device_event\" WHERE \"device\" = 'dup-panel'")));
    }

    [Fact]
    public async Task Device_events_are_stored_in_device_event_with_tags_string_fields_and_an_integer_seq()
    {
        using var store = Store();
        var fire = new DeviceEvent("panel-ev", EventType.FireAlarm, EventState.Active, T0)
        {
            Point = "L1D126",
            Zone = "Z3",
            Label = "3F lab corridor, \"east\"",
            Raw = "FIRE ALARM\r\nL1D126 C:\\panel",
        };
        var reset = new DeviceEvent("panel-ev", EventType.Reset, EventState.Active, T0.AddSeconds(5));
        await store.WriteAsync([new IngestBatch("school-01", "gw-9", 1043, [], [fire, reset])], CancellationToken.None);

        var rows = await server.SelectAsync("SELECT * FROM \"device_event\" WHERE \"device\" = 'panel-ev'");

        Assert.Equal(2, rows.Count);
        var first = rows[0];
        Assert.Equal(T0.ToUnixTimeMilliseconds(), first["time"].GetInt64());
        Assert.Equal(["school-01", "gw-9", "fire_alarm", "active"], new[] { "site", "gateway", "type", "state" }.Select(k => first[k].GetString()));
        Assert.Equal("L1D126", first["point"].GetString());
        Assert.Equal("Z3", first["zone"].GetString());
        Assert.Equal("3F lab corridor, \"east\"", first["label"].GetString());
        Assert.Equal(@"FIRE ALARM\r\nL1D126 C:\panel", first["raw"].GetString());
        Assert.Equal(1043, first["seq"].GetInt64());
        var second = rows[1];
        Assert.Equal("reset", second["type"].GetString());
        Assert.Equal(JsonValueKind.Null, second["point"].ValueKind);
        Assert.Equal(JsonValueKind.Null, second["raw"].ValueKind);
        var types = await server.SelectAsync("SHOW FIELD KEYS FROM \"device_event\"");
        Assert.Equal("integer", Assert.Single(types, r => r["fieldKey"].GetString() == "seq")["fieldType"].GetString());
    }

    [Fact]
    public async Task Quotes_and_injection_attempts_in_a_device_name_are_only_ever_a_device_name()
    {
        using var store = Store();
        const string Odd = "o'brien \"x\" \\ y";
        await store.WriteAsync(
            [new IngestBatch("school-01", "gw-1", 1, [new Reading(Odd, Metrics.Temperature, 1, T0), new Reading("victim", Metrics.Temperature, 2, T0)], [])],
            CancellationToken.None);

        var odd = await Query(store, Odd);
        Assert.Equal(1.0, Assert.Single(odd).Mean);
        Assert.Empty(await Query(store, "x' OR \"device\" = 'victim"));
        Assert.Empty(await Query(store, "victim' OR '1'='1"));
        Assert.Empty(await Query(store, "x'; DROP DATABASE \"" + server.Database + "\"; SELECT '"));
        Assert.Equal(2.0, Assert.Single(await Query(store, "victim")).Mean);
    }

    [Fact]
    public async Task A_device_without_data_has_an_empty_history()
    {
        using var store = Store();

        Assert.Empty(await store.QueryAsync(new HistoryQuery("nobody", Metrics.Gas, null, T0, T0.AddHours(1), TimeSpan.FromMinutes(1), 100), CancellationToken.None));
        Assert.Empty(await store.QueryAsync(new HistoryQuery("nobody", Metrics.Gas, null, T0, T0.AddHours(1), null, 0), CancellationToken.None));
    }

    [Fact]
    public async Task A_server_that_is_down_makes_writes_and_reads_throw()
    {
        using var store = new InfluxV1Store(
            new InfluxOptions { Kind = "influxdb1", Url = $"http://127.0.0.1:{FreePort.Next()}", Database = server.Database },
            NullLogger<InfluxV1Store>.Instance);

        var write = await Assert.ThrowsAsync<InfluxException>(() => store.WriteAsync([OneReading()], CancellationToken.None));
        var read = await Assert.ThrowsAsync<InfluxException>(() => Query(store, "any"));

        Assert.Contains("unreachable", write.Message, StringComparison.Ordinal);
        Assert.Contains("unreachable", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_write_or_query_throws_with_the_server_message()
    {
        using var store = Store(database: "campus_no_such_db");

        var write = await Assert.ThrowsAsync<InfluxException>(() => store.WriteAsync([OneReading()], CancellationToken.None));
        var read = await Assert.ThrowsAsync<InfluxException>(() => Query(store, "any"));

        Assert.Equal(HttpStatusCode.NotFound, write.StatusCode);
        Assert.Contains("database not found", write.Message, StringComparison.Ordinal);
        Assert.Contains("database not found", read.Message, StringComparison.Ordinal);
    }

    private InfluxV1Store Store(string? database = null) => new(
        new InfluxOptions { Kind = "influxdb1", Url = server.Url.ToString(), Database = database ?? server.Database, Timeout = TimeSpan.FromSeconds(15) },
        NullLogger<InfluxV1Store>.Instance);

    private static Task<IReadOnlyList<ReadingBucket>> Query(InfluxV1Store store, string device) =>
        store.QueryAsync(new HistoryQuery(device, Metrics.Temperature, null, T0.AddHours(-1), T0.AddHours(1), null, 100), CancellationToken.None);

    private static IngestBatch OneReading() => new("school-01", "gw-1", 1, [new Reading("d-1", Metrics.Temperature, 1, T0)], []);

    private static long Count(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> rows) => Assert.Single(rows)["count"].GetInt64();

    /// <summary>The SQLite store's semantics: [from, to), buckets at multiples of the step since the epoch, ordered by time.</summary>
    private static List<ReadingBucket> Expected(IEnumerable<Reading> raw, DateTimeOffset from, DateTimeOffset to, TimeSpan? step)
    {
        var inRange = raw.Where(r => r.Ts >= from && r.Ts < to).OrderBy(r => r.Ts).ToList();
        if (step is not { } s)
        {
            return inRange.Select(r => new ReadingBucket(r.Ts, r.Value, r.Value, r.Value, 1)).ToList();
        }

        var stepMs = (long)s.TotalMilliseconds;
        return inRange
            .GroupBy(r => r.Ts.ToUnixTimeMilliseconds() / stepMs * stepMs)
            .OrderBy(g => g.Key)
            .Select(g => new ReadingBucket(Timestamps.FromUnixMilliseconds(g.Key), g.Average(r => r.Value), g.Min(r => r.Value), g.Max(r => r.Value), g.Count()))
            .ToList();
    }

    private static void AssertBuckets(IReadOnlyList<ReadingBucket> expected, IReadOnlyList<ReadingBucket> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Ts, actual[i].Ts);
            Assert.Equal(expected[i].Count, actual[i].Count);
            Assert.Equal(expected[i].Min, actual[i].Min);
            Assert.Equal(expected[i].Max, actual[i].Max);
            Assert.Equal(expected[i].Mean, actual[i].Mean, 1e-9);
        }
    }
}
