using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest.Tests;

public sealed class SqliteReadingStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-readings-").FullName;
    private readonly SqliteReadingStore _store;

    public SqliteReadingStoreTests() => _store = new SqliteReadingStore(Path.Combine(_directory, "readings.db"));

    [Fact]
    public void A_replayed_batch_is_stored_once()
    {
        var batch = new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 4.0, T0), Temp("fridge-1", 4.1, T0.AddSeconds(10))], []);

        Assert.Equal((2, 0), _store.Write([batch]));
        Assert.Equal((0, 0), _store.Write([batch]));
        Assert.Equal(2, _store.CountReadings());
    }

    [Fact]
    public void The_same_device_name_at_two_sites_is_two_series()
    {
        _store.Write([
            new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 4.0, T0)], []),
            new IngestBatch("school-02", "gw-1", 1, [Temp("fridge-1", 6.0, T0)], []),
        ]);

        Assert.Equal(2, _store.CountReadings());
        Assert.Equal(6.0, Assert.Single(_store.Query("fridge-1", Metrics.Temperature, "school-02", T0, T0.AddMinutes(1), null, 100)).Mean);
    }

    [Fact]
    public void Events_are_stored_idempotently_with_their_panel_detail()
    {
        var e = new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, T0) { Point = "L1D126", Raw = "FIRE ALARM" };
        Assert.Equal((0, 1), _store.Write([new IngestBatch("school-01", "gw-1", 5, [], [e])]));
        Assert.Equal((0, 0), _store.Write([new IngestBatch("school-01", "gw-1", 5, [], [e])]));
    }

    [Fact]
    public void History_is_bucketed_by_step_with_mean_min_max_and_count()
    {
        // Two readings a minute for ten minutes: 0, 1, 2, ... 19 °C.
        var readings = Enumerable.Range(0, 20).Select(i => Temp("fridge-1", i, T0.AddSeconds(30 * i))).ToList();
        _store.Write([new IngestBatch("school-01", "gw-1", 1, readings, [])]);

        var buckets = _store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddMinutes(10), TimeSpan.FromMinutes(5), 100);

        Assert.Equal(2, buckets.Count);
        Assert.Equal(new ReadingBucket(T0, 4.5, 0, 9, 10), buckets[0]);
        Assert.Equal(new ReadingBucket(T0.AddMinutes(5), 14.5, 10, 19, 10), buckets[1]);
    }

    [Fact]
    public void History_without_a_step_returns_the_raw_readings_in_range_and_order()
    {
        _store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 2, T0.AddMinutes(2)), Temp("fridge-1", 1, T0.AddMinutes(1)), Temp("fridge-1", 3, T0.AddMinutes(3))], [])]);

        var raw = _store.Query("fridge-1", Metrics.Temperature, null, T0.AddMinutes(1), T0.AddMinutes(3), null, 100);

        Assert.Equal([1.0, 2.0], raw.Select(b => b.Mean));
        Assert.All(raw, b => Assert.Equal(1, b.Count));
    }

    [Theory]
    [InlineData(1, "raw")]
    [InlineData(60, "readings_1m")]
    [InlineData(90, "raw")]
    [InlineData(300, "readings_1m")]
    [InlineData(3600, "readings_1h")]
    public void History_at_every_step_agrees_with_statistics_computed_from_the_raw_readings(int stepSeconds, string source)
    {
        // Three hours of two devices every 7 s (not a divisor of a minute, so buckets hold 8 or 9 readings), seeded noise,
        // written in uneven batches; a third of them written a second time, as a replay would.
        var random = new Random(42);
        var all = new List<Reading>();
        for (var t = 0; t < 3 * 3600; t += 7)
        {
            all.Add(Temp("fridge-1", Math.Round(4 + random.NextDouble() * 3, 2), T0.AddSeconds(t)));
            all.Add(Temp("fridge-2", Math.Round(-18 + random.NextDouble(), 2), T0.AddSeconds(t).AddMilliseconds(250)));
        }

        foreach (var chunk in all.Chunk(397))
        {
            _store.Write([new IngestBatch("school-01", "gw-1", 1, chunk, [])]);
        }

        _store.Write([new IngestBatch("school-01", "gw-1", 1, all.Where((_, i) => i % 3 == 0).ToList(), [])]);

        var step = TimeSpan.FromSeconds(stepSeconds);
        var from = T0;
        var to = T0.AddHours(3);
        Assert.Equal(source, SqliteReadingStore.RollupFor((long)step.TotalMilliseconds, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds()) ?? "raw");
        var expected = all.Where(r => r.Device == "fridge-1")
            .GroupBy(r => r.Ts.ToUnixTimeMilliseconds() / (long)step.TotalMilliseconds * (long)step.TotalMilliseconds)
            .OrderBy(g => g.Key)
            .Select(g => new ReadingBucket(DateTimeOffset.FromUnixTimeMilliseconds(g.Key), g.Average(r => r.Value), g.Min(r => r.Value), g.Max(r => r.Value), g.Count()))
            .ToList();

        var actual = _store.Query("fridge-1", Metrics.Temperature, "school-01", from, to, step, 100_000);

        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Ts, actual[i].Ts);
            Assert.Equal(expected[i].Count, actual[i].Count);
            Assert.Equal(expected[i].Min, actual[i].Min);
            Assert.Equal(expected[i].Max, actual[i].Max);
            Assert.Equal(expected[i].Mean, actual[i].Mean, 9);
        }
    }

    [Fact]
    public void A_range_not_aligned_to_the_rollup_is_answered_from_the_raw_rows()
    {
        var readings = Enumerable.Range(0, 120).Select(i => Temp("fridge-1", i, T0.AddSeconds(30 * i))).ToList();
        _store.Write([new IngestBatch("school-01", "gw-1", 1, readings, [])]);
        var from = T0.AddSeconds(15);

        Assert.Null(SqliteReadingStore.RollupFor(60_000, from.ToUnixTimeMilliseconds(), T0.AddHours(1).ToUnixTimeMilliseconds()));
        var buckets = _store.Query("fridge-1", Metrics.Temperature, null, from, T0.AddHours(1), TimeSpan.FromMinutes(1), 1000);

        // The first minute holds only the reading at 30 s: the one at 0 s is before `from`.
        Assert.Equal(new ReadingBucket(T0, 1, 1, 1, 1), buckets[0]);
        Assert.Equal(new ReadingBucket(T0.AddMinutes(1), 2.5, 2, 3, 2), buckets[1]);
        Assert.Equal(60, buckets.Count);
    }

    [Fact]
    public void The_rollups_count_each_reading_once_however_often_it_is_written()
    {
        var readings = Enumerable.Range(0, 600).Select(i => Temp("fridge-1", i % 10, T0.AddSeconds(10 * i))).ToList();
        for (var i = 0; i < 3; i++)
        {
            _store.Write([new IngestBatch("school-01", "gw-1", 1, readings, [])]);
        }

        var hours = _store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddHours(2), TimeSpan.FromHours(1), 10);
        Assert.Equal([360L, 240L], hours.Select(h => h.Count));
        Assert.Equal(600, _store.CountReadings());
        Assert.Equal(100, _store.Count("readings_1m"));
        Assert.Equal(2, _store.Count("readings_1h"));
    }

    [Fact]
    public void Retention_deletes_each_table_by_its_own_age_and_keeps_the_rest()
    {
        var now = T0.AddDays(200);
        DateTimeOffset[] times = [T0, now.AddDays(-100), now.AddDays(-10), now.AddMinutes(-5)];
        _store.Write([new IngestBatch("school-01", "gw-1", 1, [.. times.Select(t => Temp("fridge-1", 1, t))], [])]);
        _store.Write([new IngestBatch("school-02", "gw-1", 1, [.. times.Select(t => Temp("fridge-1", 2, t))], [])]);

        var deleted = _store.ApplyRetention(now, raw: TimeSpan.FromDays(90), minute: TimeSpan.FromDays(150), hour: null);

        // raw: the two older than 90 days, per site; minute rollups: the one older than 150 days, per site; hours: kept.
        Assert.Equal((2 * 2) + (1 * 2), deleted);
        Assert.Equal(4, _store.CountReadings());
        Assert.Equal(6, _store.Count("readings_1m"));
        Assert.Equal(8, _store.Count("readings_1h"));
        Assert.Equal(2, _store.Query("fridge-1", Metrics.Temperature, "school-01", T0, now, null, 100).Count);
        Assert.Equal(0, _store.ApplyRetention(now, TimeSpan.FromDays(90), TimeSpan.FromDays(150), null));
    }

    [Fact]
    public void A_file_in_the_earlier_text_keyed_layout_is_moved_to_the_series_layout_with_its_rollups()
    {
        var path = Path.Combine(_directory, "old.db");
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE readings (device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, value REAL NOT NULL,
                    PRIMARY KEY (device, metric, ts, site)) WITHOUT ROWID;
                CREATE TABLE readings_1m (device TEXT, metric TEXT, ts INTEGER, site TEXT, count INTEGER, sum REAL, min REAL, max REAL);
                """;
            create.ExecuteNonQuery();
            for (var i = 0; i < 120; i++)
            {
                using var insert = old.CreateCommand();
                insert.CommandText = "INSERT INTO readings VALUES ('fridge-1', 'temperature', $ts, $site, 'gw-1', $value)";
                insert.Parameters.AddWithValue("$ts", T0.AddSeconds(30 * i).ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$site", i % 2 == 0 ? "school-01" : "school-02");
                insert.Parameters.AddWithValue("$value", (double)i);
                insert.ExecuteNonQuery();
            }
        }

        using var store = new SqliteReadingStore(path);

        Assert.Equal(120, store.CountReadings());
        var hour = Assert.Single(store.Query("fridge-1", Metrics.Temperature, "school-01", T0, T0.AddHours(1), TimeSpan.FromHours(1), 10));
        Assert.Equal(new ReadingBucket(T0, 59, 0, 118, 60), hour);
        Assert.Equal(120, store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddHours(1), null, 1000).Count);
        store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 0, T0)], [])]);
        Assert.Equal(120, store.CountReadings()); // still idempotent after the move
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static Reading Temp(string device, double value, DateTimeOffset ts) => new(device, Metrics.Temperature, value, ts);
}
