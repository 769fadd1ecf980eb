using System.Globalization;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest;

/// <summary>
/// The embedded time-series store: SQLite in WAL mode, one writer connection, one transaction and prepared statements per
/// batch, unique (device, metric, ts, site) so a replayed message is stored once. Readers open their own connections.
/// <para>
/// Rollups: <c>readings_1m</c> and <c>readings_1h</c> hold count/sum/min/max per series and minute or hour. Every minute
/// and hour a write touches is recomputed in the same transaction as the raw rows (minutes from the raw rows, hours from the
/// minutes), so they are exact, crash-safe and idempotent (a replay changes nothing). Long-range history reads use them.
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
    private const int RowsPerStatement = 64;
    private static readonly SqliteType[] ParameterTypes = [SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Real];

    private readonly Dictionary<RollupKey, byte> _minutes = [];
    private readonly Dictionary<RollupKey, byte> _hours = [];
    private readonly List<Row> _rows = [];

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
        _rows.Clear();
        foreach (var batch in batches)
        {
            foreach (var r in batch.Readings)
            {
                _rows.Add(new Row(r.Device, r.Metric, r.Ts.ToUnixTimeMilliseconds(), batch.Site, batch.Gateway, r.Value));
            }
        }

        // Key order: each series' rows land next to each other in the B-tree, so a commit touches fewer pages.
        _rows.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Device, b.Device);
            if (c == 0)
            {
                c = string.CompareOrdinal(a.Metric, b.Metric);
            }

            return c != 0 ? c : a.Ts.CompareTo(b.Ts);
        });

        using var tx = _writer.BeginTransaction();
        var readings = InsertReadings(tx);
        var events = InsertEvents(tx, batches);
        RecomputeRollups(tx);
        tx.Commit();
        return (readings, events);
    }

    /// <summary>Multi-row <c>INSERT OR IGNORE</c> statements of <see cref="RowsPerStatement"/> rows (far fewer statement executions).</summary>
    private int InsertReadings(SqliteTransaction tx)
    {
        var inserted = 0;
        SqliteCommand? full = null;
        try
        {
            for (var start = 0; start < _rows.Count; start += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, _rows.Count - start);
                var command = count == RowsPerStatement ? full ??= InsertCommand(tx, RowsPerStatement) : InsertCommand(tx, count);
                for (var i = 0; i < count; i++)
                {
                    var row = _rows[start + i];
                    var p = i * 6;
                    command.Parameters[p].Value = row.Device;
                    command.Parameters[p + 1].Value = row.Metric;
                    command.Parameters[p + 2].Value = row.Ts;
                    command.Parameters[p + 3].Value = row.Site;
                    command.Parameters[p + 4].Value = row.Gateway;
                    command.Parameters[p + 5].Value = row.Value;
                    _minutes.TryAdd(new RollupKey(row.Device, row.Metric, FloorTo(row.Ts, MinuteMs), row.Site), 0);
                }

                inserted += command.ExecuteNonQuery();
                if (!ReferenceEquals(command, full))
                {
                    command.Dispose();
                }
            }
        }
        finally
        {
            full?.Dispose();
        }

        return inserted;
    }

    private SqliteCommand InsertCommand(SqliteTransaction tx, int rows)
    {
        var command = _writer.CreateCommand();
        command.Transaction = tx;
        var sql = new System.Text.StringBuilder("INSERT OR IGNORE INTO readings (device, metric, ts, site, gateway, value) VALUES ", 80 + (rows * 16));
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "(" : ",(");
            for (var c = 0; c < 6; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"$p{(i * 6) + c}");
                sql.Append(c == 0 ? name : "," + name);
                command.Parameters.Add(name, ParameterTypes[c]);
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        command.Prepare();
        return command;
    }

    private int InsertEvents(SqliteTransaction tx, IReadOnlyList<IngestBatch> batches)
    {
        if (!batches.Any(b => b.Events.Count > 0))
        {
            return 0;
        }

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
        var events = 0;
        foreach (var batch in batches)
        {
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

        return events;
    }

    /// <summary>
    /// Recomputes every minute the batch touched from the raw rows, then every hour those minutes fall in from the minute
    /// rows. Recomputing (rather than adding the batch's values) keeps the rollups exact whatever was a duplicate, and is
    /// idempotent; each recompute reads one series' minute (or its 60 minute rows) through the key.
    /// </summary>
    private void RecomputeRollups(SqliteTransaction tx)
    {
        if (_minutes.Count == 0)
        {
            return;
        }

        using var minute = RollupCommand(tx, """
            INSERT OR REPLACE INTO readings_1m (device, metric, ts, site, count, sum, min, max)
            SELECT $device, $metric, $from, $site, count(*), sum(value), min(value), max(value) FROM readings
            WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to AND site = $site HAVING count(*) > 0
            """);
        using var hour = RollupCommand(tx, """
            INSERT OR REPLACE INTO readings_1h (device, metric, ts, site, count, sum, min, max)
            SELECT $device, $metric, $from, $site, sum(count), sum(sum), min(min), max(max) FROM readings_1m
            WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to AND site = $site HAVING count(*) > 0
            """);
        foreach (var key in _minutes.Keys)
        {
            Recompute(minute, key, MinuteMs);
            _hours.TryAdd(key with { Ts = FloorTo(key.Ts, HourMs) }, 0);
        }

        foreach (var key in _hours.Keys)
        {
            Recompute(hour, key, HourMs);
        }
    }

    private SqliteCommand RollupCommand(SqliteTransaction tx, string sql)
    {
        var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.Add("$device", SqliteType.Text);
        command.Parameters.Add("$metric", SqliteType.Text);
        command.Parameters.Add("$from", SqliteType.Integer);
        command.Parameters.Add("$to", SqliteType.Integer);
        command.Parameters.Add("$site", SqliteType.Text);
        command.Prepare();
        return command;
    }

    private static void Recompute(SqliteCommand command, RollupKey key, long unit)
    {
        command.Parameters[0].Value = key.Device;
        command.Parameters[1].Value = key.Metric;
        command.Parameters[2].Value = key.Ts;
        command.Parameters[3].Value = key.Ts + unit;
        command.Parameters[4].Value = key.Site;
        command.ExecuteNonQuery();
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

    private readonly record struct Row(string Device, string Metric, long Ts, string Site, string Gateway, double Value);
}
