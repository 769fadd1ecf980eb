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

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static Reading Temp(string device, double value, DateTimeOffset ts) => new(device, Metrics.Temperature, value, ts);
}
