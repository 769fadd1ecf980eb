using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest;

/// <summary>
/// The embedded time-series store: SQLite in WAL mode, one writer connection, one transaction and prepared statements per
/// batch, unique (device, metric, ts, site) so a replayed message is stored once. Readers open their own connections.
/// <para>
/// Rollups: <c>readings_1m</c> and <c>readings_1h</c> hold count/sum/min/max per series and minute or hour. They are updated
/// in the same transaction as the raw rows, from the rows that transaction actually inserted, so they are exact, crash-safe
/// and idempotent (a replay inserts nothing and adds nothing). Long-range history reads use them.
/// </para>
/// <para>Retention (<see cref="ApplyRetention"/>): raw rows, minute and hour rollups each have their own age limit in days.</para>
/// </summary>
internal sealed class SqliteReadingStore : ITimeSeriesStore, IDisposable
{
    private const long MinuteMs = 60_000;
    private const long HourMs = 3_600_000;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly Dictionary<RollupKey, Rollup> _minutes = [];
    private readonly Dictionary<RollupKey, Rollup> _hours = [];

    public SqliteReadingStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FilePath = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
        // A write waits at most 5 s for a lock held by someone else (Microsoft.Data.Sqlite retries SQLITE_BUSY up to the
        // command timeout), then fails, so the writer can spill instead of hanging.
        _writer = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { DefaultTimeout = 5 }.ToString());
        _writer.Open();
        using var command = _writer.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 5000;
            PRAGMA cache_size = -65536;
            CREATE TABLE IF NOT EXISTS readings (
                device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (device, metric, ts, site)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS readings_1m (
                device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL,
                count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (device, metric, ts, site)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS readings_1h (
                device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL,
                count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (device, metric, ts, site)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS device_events (
                site TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
                point TEXT NOT NULL DEFAULT '', zone TEXT, label TEXT, raw TEXT, seq INTEGER NOT NULL,
                PRIMARY KEY (site, device, ts, type, state, point)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    public string Kind => "sqlite";

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    public Task<StoreWriteResult> WriteAsync(IReadOnlyList<IngestBatch> batches, CancellationToken cancellationToken)
    {
        var (readings, events) = Write(batches);
        return Task.FromResult(new StoreWriteResult(readings, events));
    }

    public Task<IReadOnlyList<ReadingBucket>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(Query(query.Device, query.Metric, query.Site, query.From, query.To, query.Step, query.Limit));

    /// <summary>Writes the batches in one transaction; returns the rows actually inserted (duplicates are ignored).</summary>
    public (int Readings, int Events) Write(IReadOnlyList<IngestBatch> batches)
    {
        lock (_writeLock)
        {
            return WriteLocked(batches);
        }
    }

    private (int Readings, int Events) WriteLocked(IReadOnlyList<IngestBatch> batches)
    {
        _minutes.Clear();
        _hours.Clear();
        using var tx = _writer.BeginTransaction();
        using var reading = _writer.CreateCommand();
        reading.Transaction = tx;
        reading.CommandText = "INSERT OR IGNORE INTO readings (device, metric, ts, site, gateway, value) VALUES ($device, $metric, $ts, $site, $gateway, $value)";
        var rDevice = reading.Parameters.Add("$device", SqliteType.Text);
        var rMetric = reading.Parameters.Add("$metric", SqliteType.Text);
        var rTs = reading.Parameters.Add("$ts", SqliteType.Integer);
        var rSite = reading.Parameters.Add("$site", SqliteType.Text);
        var rGateway = reading.Parameters.Add("$gateway", SqliteType.Text);
        var rValue = reading.Parameters.Add("$value", SqliteType.Real);
        reading.Prepare();

        using var deviceEvent = _writer.CreateCommand();
        deviceEvent.Transaction = tx;
        deviceEvent.CommandText = """
            INSERT OR IGNORE INTO device_events (site, gateway, device, ts, type, state, point, zone, label, raw, seq)
            VALUES ($site, $gateway, $device, $ts, $type, $state, $point, $zone, $label, $raw, $seq)
            """;
        var eSite = deviceEvent.Parameters.Add("$site", SqliteType.Text);
        var eGateway = deviceEvent.Parameters.Add("$gateway", SqliteType.Text);
        var eDevice = deviceEvent.Parameters.Add("$device", SqliteType.Text);
        var eTs = deviceEvent.Parameters.Add("$ts", SqliteType.Integer);
        var eType = deviceEvent.Parameters.Add("$type", SqliteType.Text);
        var eState = deviceEvent.Parameters.Add("$state", SqliteType.Text);
        var ePoint = deviceEvent.Parameters.Add("$point", SqliteType.Text);
        var eZone = deviceEvent.Parameters.Add("$zone", SqliteType.Text);
        var eLabel = deviceEvent.Parameters.Add("$label", SqliteType.Text);
        var eRaw = deviceEvent.Parameters.Add("$raw", SqliteType.Text);
        var eSeq = deviceEvent.Parameters.Add("$seq", SqliteType.Integer);
        deviceEvent.Prepare();

        int readings = 0, events = 0;
        foreach (var batch in batches)
        {
            rSite.Value = batch.Site;
            rGateway.Value = batch.Gateway;
            foreach (var r in batch.Readings)
            {
                var ts = r.Ts.ToUnixTimeMilliseconds();
                rDevice.Value = r.Device;
                rMetric.Value = r.Metric;
                rTs.Value = ts;
                rValue.Value = r.Value;
                if (reading.ExecuteNonQuery() == 1)
                {
                    readings++;
                    Accumulate(_minutes, new RollupKey(r.Device, r.Metric, FloorTo(ts, MinuteMs), batch.Site), r.Value);
                    Accumulate(_hours, new RollupKey(r.Device, r.Metric, FloorTo(ts, HourMs), batch.Site), r.Value);
                }
            }

            eSite.Value = batch.Site;
            eGateway.Value = batch.Gateway;
            eSeq.Value = batch.Seq;
            foreach (var e in batch.Events)
            {
                eDevice.Value = e.Device;
                eTs.Value = e.Ts.ToUnixTimeMilliseconds();
                eType.Value = e.Type.ToWire();
                eState.Value = e.State.ToWire();
                ePoint.Value = e.Point ?? string.Empty;
                eZone.Value = (object?)e.Zone ?? DBNull.Value;
                eLabel.Value = (object?)e.Label ?? DBNull.Value;
                eRaw.Value = (object?)e.Raw ?? DBNull.Value;
                events += deviceEvent.ExecuteNonQuery();
            }
        }

        MergeRollups(tx, "readings_1m", _minutes);
        MergeRollups(tx, "readings_1h", _hours);
        tx.Commit();
        return (readings, events);
    }

    private static void Accumulate(Dictionary<RollupKey, Rollup> rollups, RollupKey key, double value)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(rollups, key, out var exists);
        slot = exists ? new Rollup(slot.Count + 1, slot.Sum + value, Math.Min(slot.Min, value), Math.Max(slot.Max, value)) : new Rollup(1, value, value, value);
    }

    private void MergeRollups(SqliteTransaction tx, string table, Dictionary<RollupKey, Rollup> rollups)
    {
        if (rollups.Count == 0)
        {
            return;
        }

        using var upsert = _writer.CreateCommand();
        upsert.Transaction = tx;
        upsert.CommandText = $"""
            INSERT INTO {table} (device, metric, ts, site, count, sum, min, max) VALUES ($device, $metric, $ts, $site, $count, $sum, $min, $max)
            ON CONFLICT (device, metric, ts, site) DO UPDATE SET
                count = count + excluded.count, sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)
            """;
        var device = upsert.Parameters.Add("$device", SqliteType.Text);
        var metric = upsert.Parameters.Add("$metric", SqliteType.Text);
        var ts = upsert.Parameters.Add("$ts", SqliteType.Integer);
        var site = upsert.Parameters.Add("$site", SqliteType.Text);
        var count = upsert.Parameters.Add("$count", SqliteType.Integer);
        var sum = upsert.Parameters.Add("$sum", SqliteType.Real);
        var min = upsert.Parameters.Add("$min", SqliteType.Real);
        var max = upsert.Parameters.Add("$max", SqliteType.Real);
        upsert.Prepare();
        foreach (var (key, value) in rollups)
        {
            device.Value = key.Device;
            metric.Value = key.Metric;
            ts.Value = key.Ts;
            site.Value = key.Site;
            count.Value = value.Count;
            sum.Value = value.Sum;
            min.Value = value.Min;
            max.Value = value.Max;
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// History of one device's metric in [from, to). With a step: mean/min/max/count per step-aligned bucket (multiples of the
    /// step since the Unix epoch); without: the raw readings, each as a bucket of one. A step that is a whole number of hours
    /// (or minutes) over a range aligned to the hour (or minute) is answered from the hour (or minute) rollup, which gives the
    /// same numbers as the raw rows (mean = sum of sums / sum of counts) for a fraction of the rows read.
    /// </summary>
    public IReadOnlyList<ReadingBucket> Query(string device, string metric, string? site, DateTimeOffset from, DateTimeOffset to, TimeSpan? step, int limit)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        var siteFilter = site is null ? string.Empty : " AND site = $site";
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        if (step is { } s)
        {
            var stepMs = (long)s.TotalMilliseconds;
            var table = RollupFor(stepMs, fromMs, toMs);
            command.CommandText = table is null
                ? $"""
                   SELECT (ts / $step) * $step AS bucket, avg(value), min(value), max(value), count(*) FROM readings
                   WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to{siteFilter}
                   GROUP BY bucket ORDER BY bucket LIMIT $limit
                   """
                : $"""
                   SELECT (ts / $step) * $step AS bucket, sum(sum) / sum(count), min(min), max(max), sum(count) FROM {table}
                   WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to{siteFilter}
                   GROUP BY bucket ORDER BY bucket LIMIT $limit
                   """;
            command.Parameters.AddWithValue("$step", stepMs);
        }
        else
        {
            command.CommandText = $"""
               SELECT ts, value, value, value, 1 FROM readings
               WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to{siteFilter}
               ORDER BY ts LIMIT $limit
               """;
        }

        command.Parameters.AddWithValue("$device", device);
        command.Parameters.AddWithValue("$metric", metric);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        command.Parameters.AddWithValue("$limit", limit);
        if (site is not null)
        {
            command.Parameters.AddWithValue("$site", site);
        }

        using var reader = command.ExecuteReader();
        var buckets = new List<ReadingBucket>();
        while (reader.Read())
        {
            buckets.Add(new ReadingBucket(
                Timestamps.FromUnixMilliseconds(reader.GetInt64(0)),
                reader.GetDouble(1),
                reader.GetDouble(2),
                reader.GetDouble(3),
                reader.GetInt64(4)));
        }

        return buckets;
    }

    /// <summary>Which rollup table answers a step exactly, or null for the raw rows.</summary>
    internal static string? RollupFor(long stepMs, long fromMs, long toMs)
    {
        static bool Aligned(long value, long unit) => value % unit == 0;
        if (Aligned(stepMs, HourMs) && Aligned(fromMs, HourMs) && Aligned(toMs, HourMs))
        {
            return "readings_1h";
        }

        return Aligned(stepMs, MinuteMs) && Aligned(fromMs, MinuteMs) && Aligned(toMs, MinuteMs) ? "readings_1m" : null;
    }

    /// <summary>
    /// Deletes raw rows older than <paramref name="raw"/>, minute rollups older than <paramref name="minute"/> and hour
    /// rollups older than <paramref name="hour"/> (a null age keeps them). Deletes series by series, through the key, so it
    /// never scans the table and never holds the write lock for long. Returns the rows deleted.
    /// </summary>
    public long ApplyRetention(DateTimeOffset now, TimeSpan? raw, TimeSpan? minute, TimeSpan? hour)
    {
        List<(string Device, string Metric, string Site)> series = [];
        using (var connection = new SqliteConnection(_connectionString))
        {
            connection.Open();
            using var list = connection.CreateCommand();
            list.CommandText = "SELECT DISTINCT device, metric, site FROM readings_1h";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                series.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        long deleted = 0;
        foreach (var (table, age) in new[] { ("readings", raw), ("readings_1m", minute), ("readings_1h", hour) })
        {
            if (age is not { } keep)
            {
                continue;
            }

            var cutoff = (now - keep).ToUnixTimeMilliseconds();
            foreach (var (device, metric, site) in series)
            {
                lock (_writeLock)
                {
                    using var delete = _writer.CreateCommand();
                    delete.CommandText = $"DELETE FROM {table} WHERE device = $device AND metric = $metric AND ts < $cutoff AND site = $site";
                    delete.Parameters.AddWithValue("$device", device);
                    delete.Parameters.AddWithValue("$metric", metric);
                    delete.Parameters.AddWithValue("$cutoff", cutoff);
                    delete.Parameters.AddWithValue("$site", site);
                    deleted += delete.ExecuteNonQuery();
                }
            }
        }

        return deleted;
    }

    /// <summary>Total rows, for health and tests.</summary>
    public long CountReadings() => Count("readings");

    internal long Count(string table)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _writer.Dispose();

    private static long FloorTo(long ms, long unit) => ms >= 0 ? ms - (ms % unit) : ms - (((ms % unit) + unit) % unit);

    private readonly record struct RollupKey(string Device, string Metric, long Ts, string Site);

    private readonly record struct Rollup(long Count, double Sum, double Min, double Max);
}
