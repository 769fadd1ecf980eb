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

    [Fact]
    public void A_partly_replayed_minute_keeps_the_stored_values_and_adds_only_the_new_times()
    {
        // 0 s, 20 s, 40 s of a minute stored; then a write with 20 s again (another value), 30 s, and 50 s twice.
        _store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 1, T0), Temp("fridge-1", 2, T0.AddSeconds(20)), Temp("fridge-1", 3, T0.AddSeconds(40))], [])]);
        var second = _store.Write([new IngestBatch("school-01", "gw-1", 2, [
            Temp("fridge-1", 99, T0.AddSeconds(20)), Temp("fridge-1", 4, T0.AddSeconds(30)), Temp("fridge-1", 5, T0.AddSeconds(50)), Temp("fridge-1", 6, T0.AddSeconds(50))], [])]);

        Assert.Equal((2, 0), second);
        var raw = _store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddMinutes(1), null, 100);
        Assert.Equal([0.0, 20, 30, 40, 50], raw.Select(b => (b.Ts - T0).TotalSeconds));
        Assert.Equal(2.0, raw[1].Mean); // the stored value, not the replay's 99
        Assert.Contains(raw[4].Mean, new[] { 5.0, 6.0 }); // one of the two written in one message, once
        Assert.Equal(5, _store.CountReadings());
        var minute = Assert.Single(_store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), 10));
        Assert.Equal(5, minute.Count);
        Assert.Equal(raw.Sum(b => b.Mean) / 5, minute.Mean, 12);
        Assert.Equal(raw.Max(b => b.Mean), minute.Max);
    }

    [Fact]
    public void Readings_of_one_series_across_minutes_and_negative_times_land_in_their_own_minute()
    {
        var before1970 = DateTimeOffset.FromUnixTimeMilliseconds(-90_500); // inside the minute starting at -120 000 ms
        var readings = new[] { Temp("fridge-1", 1, before1970), Temp("fridge-1", 2, T0.AddMilliseconds(59_999)), Temp("fridge-1", 3, T0.AddMinutes(1)) };
        _store.Write([new IngestBatch("school-01", "gw-1", 1, readings, [])]);

        Assert.Equal(3, _store.Count("reading_chunks"));
        var stored = SqliteReadingStore.ReadAll(_store.FilePath);
        Assert.Equal(readings.Select(r => r.Ts.ToUnixTimeMilliseconds()), stored.Select(r => r.Ts).Order());
        Assert.All(stored, r => Assert.Equal(("school-01", "fridge-1", Metrics.Temperature), (r.Site, r.Device, r.Metric)));
        Assert.Equal(1.0, Assert.Single(_store.Query("fridge-1", Metrics.Temperature, null, before1970, before1970.AddSeconds(1), null, 10)).Mean);
    }

    [Fact]
    public void Retention_inside_a_minute_keeps_that_minutes_later_readings()
    {
        var readings = Enumerable.Range(0, 12).Select(i => Temp("fridge-1", i, T0.AddSeconds(10 * i))).ToList();
        _store.Write([new IngestBatch("school-01", "gw-1", 1, readings, [])]);

        // Raw readings older than T0 + 25 s go: 0, 10 and 20 s.
        Assert.Equal(3, _store.ApplyRetention(T0.AddSeconds(25).AddDays(1), raw: TimeSpan.FromDays(1), minute: null, hour: null));
        Assert.Equal(9, _store.CountReadings());
        Assert.Equal(30, (_store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddMinutes(2), null, 100)[0].Ts - T0).TotalSeconds);

        // A cutoff after the minute's last reading removes its row.
        Assert.Equal(3, _store.ApplyRetention(T0.AddSeconds(55).AddDays(1), raw: TimeSpan.FromDays(1), minute: null, hour: null));
        Assert.Equal(1, _store.Count("reading_chunks"));
    }

    [Theory]
    [InlineData(null, "SEARCH c USING PRIMARY KEY (minute=? AND series=?)")]
    [InlineData(60, "SEARCH r USING PRIMARY KEY (ts=? AND series=?)")]
    public void A_series_history_reads_the_minute_first_tables_by_key_one_minute_at_a_time(int? stepSeconds, string search)
    {
        _store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 1, T0)], [])]);
        var step = stepSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;

        // With a site and without (every site's series of the device).
        foreach (var site in new[] { "school-01", null })
        {
            var plan = _store.ExplainQuery("fridge-1", Metrics.Temperature, site, T0, T0.AddHours(1), step);
            Assert.Contains(search, plan);
            Assert.DoesNotContain(plan, p => p.StartsWith("SCAN c", StringComparison.Ordinal) || p.StartsWith("SCAN r", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Raw_history_of_every_site_is_in_time_order_and_cut_at_the_limit()
    {
        _store.Write([
            new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 1, T0.AddSeconds(10)), Temp("fridge-1", 3, T0.AddSeconds(50)), Temp("fridge-1", 5, T0.AddSeconds(70))], []),
            new IngestBatch("school-02", "gw-1", 1, [Temp("fridge-1", 2, T0.AddSeconds(20)), Temp("fridge-1", 4, T0.AddSeconds(65))], []),
        ]);

        // Read an hour of minutes per statement: a range of several hours, cut at the limit or not.
        _store.Write([new IngestBatch("school-02", "gw-1", 2, [Temp("fridge-1", 6, T0.AddHours(2).AddMinutes(59)), Temp("fridge-1", 7, T0.AddHours(3))], [])]);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], _store.Query("fridge-1", Metrics.Temperature, null, T0.AddSeconds(-1), T0.AddHours(3), null, 100).Select(b => b.Mean));
        Assert.Equal([1.0, 2, 3, 4, 5], _store.Query("fridge-1", Metrics.Temperature, null, T0.AddSeconds(-1), T0.AddHours(4), null, 5).Select(b => b.Mean));
        Assert.Equal([5.0, 6, 7], _store.Query("fridge-1", Metrics.Temperature, "school-01", T0.AddMinutes(1), T0.AddHours(4), null, 100).Select(b => b.Mean).Concat(
            _store.Query("fridge-1", Metrics.Temperature, "school-02", T0.AddMinutes(2), T0.AddHours(4), null, 100).Select(b => b.Mean)));

        Assert.Equal([1.0, 2], _store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddHours(1), null, 2).Select(b => b.Mean));
        Assert.Equal([1.0, 2, 3, 4], _store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddHours(1), null, 4).Select(b => b.Mean));
        Assert.Equal([1.0, 2, 3, 4, 5], _store.Query("fridge-1", Metrics.Temperature, null, T0, T0.AddHours(1), null, 100).Select(b => b.Mean));
        Assert.Equal([4.0, 5], _store.Query("fridge-1", Metrics.Temperature, null, T0.AddSeconds(51), T0.AddHours(1), null, 100).Select(b => b.Mean));
        Assert.Empty(_store.Query("fridge-9", Metrics.Temperature, null, T0, T0.AddHours(1), null, 100));
    }

    [Fact]
    public async Task Two_stores_writing_the_same_readings_into_one_file_at_once_store_each_time_once()
    {
        // Two ingest processes on one file (an operator's mistake, or a restart overlapping the old process): each write is
        // one immediate transaction, so one merge sees the other's chunk and neither adds a time twice.
        using var second = new SqliteReadingStore(_store.FilePath);
        var readings = Enumerable.Range(0, 3000).Select(i => Temp($"fridge-{i % 7}", i, T0.AddSeconds(i))).ToList();
        var batches = readings.Chunk(100).Select((c, i) => new IngestBatch("school-01", "gw-1", i, c, [])).ToList();

        var stored = await Task.WhenAll(
            Task.Run(() => batches.Sum(b => _store.Write([b]).Readings)),
            Task.Run(() => batches.AsEnumerable().Reverse().Sum(b => second.Write([b]).Readings)));

        Assert.Equal(3000, stored.Sum());
        Assert.Equal(3000, _store.CountReadings());
        var all = SqliteReadingStore.ReadAll(_store.FilePath);
        Assert.Equal(3000, all.DistinctBy(r => (r.Device, r.Ts)).Count());
        var hour = _store.Query("fridge-3", Metrics.Temperature, "school-01", T0, T0.AddHours(1), TimeSpan.FromHours(1), 10);
        Assert.Equal(readings.Count(r => r.Device == "fridge-3"), hour.Sum(h => h.Count));
    }

    [Fact]
    public void A_damaged_chunk_fails_the_write_with_its_key_and_loses_nothing_stored()
    {
        _store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 1, T0), Temp("fridge-2", 1, T0)], [])]);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_store.FilePath};Pooling=False"))
        {
            connection.Open();
            using var damage = connection.CreateCommand();
            damage.CommandText = "UPDATE reading_chunks SET data = x'0102' WHERE series = (SELECT id FROM series WHERE device = 'fridge-1')";
            Assert.Equal(1, damage.ExecuteNonQuery());
        }

        var error = Assert.Throws<InvalidDataException>(() => _store.Write([new IngestBatch("school-01", "gw-1", 2, [Temp("fridge-2", 2, T0.AddSeconds(5)), Temp("fridge-1", 2, T0.AddSeconds(5))], [])]));

        Assert.Contains("reading_chunks", error.Message);
        Assert.Contains("2 bytes", error.Message);
        Assert.Single(_store.Query("fridge-2", Metrics.Temperature, null, T0, T0.AddMinutes(1), null, 10)); // the failed write left nothing
        Assert.Equal((1, 0), _store.Write([new IngestBatch("school-01", "gw-1", 3, [Temp("fridge-2", 2, T0.AddSeconds(5))], [])]));
    }

    [Fact]
    public void A_file_with_a_row_per_reading_is_moved_to_chunks_keeping_its_rollups()
    {
        var path = Path.Combine(_directory, "rows.db");
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE series (id INTEGER PRIMARY KEY, device TEXT NOT NULL, metric TEXT NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, UNIQUE (device, metric, site));
                CREATE TABLE readings (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
                CREATE TABLE readings_1m (series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
                CREATE TABLE readings_1h (series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
                INSERT INTO series VALUES (1, 'fridge-1', 'temperature', 'school-01', 'gw-1'), (2, 'fridge-2', 'temperature', 'school-01', 'gw-1');
                """;
            create.ExecuteNonQuery();
            for (var i = 0; i < 150; i++)
            {
                using var insert = old.CreateCommand();
                insert.CommandText = "INSERT INTO readings VALUES ($series, $ts, $value)";
                insert.Parameters.AddWithValue("$series", 1 + (i % 2));
                insert.Parameters.AddWithValue("$ts", T0.AddSeconds(7 * i).ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$value", (double)i);
                insert.ExecuteNonQuery();
            }

            using var rollup = old.CreateCommand();
            rollup.CommandText = """
                INSERT INTO readings_1m SELECT series, (ts / 60000) * 60000 AS m, count(*), sum(value), min(value), max(value) FROM readings GROUP BY series, m;
                INSERT INTO readings_1h SELECT series, (ts / 3600000) * 3600000 AS h, sum(count), sum(sum), min(min), max(max) FROM readings_1m GROUP BY series, h;
                """;
            rollup.ExecuteNonQuery();
        }

        using var store = new SqliteReadingStore(path);

        Assert.Equal(150, store.CountReadings());
        Assert.Equal(0, store.Count("sqlite_master WHERE name = 'readings'"));
        var raw = store.Query("fridge-1", Metrics.Temperature, "school-01", T0, T0.AddHours(1), null, 1000);
        Assert.Equal(Enumerable.Range(0, 75).Select(i => (double)(2 * i)), raw.Select(b => b.Mean));
        Assert.Equal(Enumerable.Range(0, 75).Select(i => T0.AddSeconds(14 * i)), raw.Select(b => b.Ts));
        var hour = Assert.Single(store.Query("fridge-1", Metrics.Temperature, "school-01", T0, T0.AddHours(1), TimeSpan.FromHours(1), 10));
        Assert.Equal(new ReadingBucket(T0, 74, 0, 148, 75), hour);
        var minutes = store.Query("fridge-1", Metrics.Temperature, "school-01", T0, T0.AddHours(1), TimeSpan.FromMinutes(1), 100);
        Assert.Equal(18, minutes.Count); // 150 readings 7 s apart span 17.4 minutes
        Assert.Equal(75, minutes.Sum(m => m.Count));
        Assert.Equal(new ReadingBucket(T0, 4, 0, 8, 5), minutes[0]); // 0, 14, 28, 42, 56 s: values 0, 2, 4, 6, 8
        Assert.Equal((0, 0), store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 0, T0), Temp("fridge-2", 1, T0.AddSeconds(7))], [])]));
        Assert.Equal((1, 0), store.Write([new IngestBatch("school-01", "gw-1", 1, [Temp("fridge-1", 0, T0.AddSeconds(1))], [])]));
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static Reading Temp(string device, double value, DateTimeOffset ts) => new(device, Metrics.Temperature, value, ts);
}
