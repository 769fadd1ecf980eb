using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Benchmarks;

/// <summary>The key layouts compared with the project's <c>readings</c> table.</summary>
public enum ReadingsLayout
{
    /// <summary><c>PRIMARY KEY (device, metric, ts, site) WITHOUT ROWID</c>: the project's layout, re-created here as a control.</summary>
    DeviceFirstKey,

    /// <summary><c>PRIMARY KEY (ts, device, metric, site) WITHOUT ROWID</c>.</summary>
    TsFirstKey,

    /// <summary>A rowid table plus <c>UNIQUE INDEX (device, metric, ts, site)</c>.</summary>
    RowidUniqueIndex,
}

/// <summary>
/// The project's store as it was before the series layout (text-keyed <c>readings</c>, one prepared <c>INSERT OR IGNORE</c>
/// per reading, one transaction per <c>Write</c>, no rollups, the history query grouped from raw rows), with today's
/// pragmas (WAL, <c>synchronous = FULL</c>, 64 MiB page cache) so the comparison is of layout and write path only; the key
/// layout is a parameter.
/// </summary>
internal sealed class LayoutReadingStore : IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;

    public LayoutReadingStore(string path, ReadingsLayout layout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        var readings = layout switch
        {
            ReadingsLayout.DeviceFirstKey => """
                CREATE TABLE IF NOT EXISTS readings (
                    device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, value REAL NOT NULL,
                    PRIMARY KEY (device, metric, ts, site)) WITHOUT ROWID;
                """,
            ReadingsLayout.TsFirstKey => """
                CREATE TABLE IF NOT EXISTS readings (
                    device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, value REAL NOT NULL,
                    PRIMARY KEY (ts, device, metric, site)) WITHOUT ROWID;
                """,
            ReadingsLayout.RowidUniqueIndex => """
                CREATE TABLE IF NOT EXISTS readings (
                    device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, value REAL NOT NULL);
                CREATE UNIQUE INDEX IF NOT EXISTS readings_key ON readings (device, metric, ts, site);
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        };
        using var command = _writer.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 5000;
            PRAGMA cache_size = -65536;
            {readings}
            CREATE TABLE IF NOT EXISTS device_events (
                site TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
                point TEXT NOT NULL DEFAULT '', zone TEXT, label TEXT, raw TEXT, seq INTEGER NOT NULL,
                PRIMARY KEY (site, device, ts, type, state, point)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    public (int Readings, int Events) Write(IReadOnlyList<IngestBatch> batches)
    {
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
                rDevice.Value = r.Device;
                rMetric.Value = r.Metric;
                rTs.Value = r.Ts.ToUnixTimeMilliseconds();
                rValue.Value = r.Value;
                readings += reading.ExecuteNonQuery();
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

        tx.Commit();
        return (readings, events);
    }

    /// <summary>The same SQL as <c>SqliteReadingStore.Query</c>, on a new (pooled) connection per call as there.</summary>
    public IReadOnlyList<ReadingBucket> Query(string device, string metric, string? site, DateTimeOffset from, DateTimeOffset to, TimeSpan? step, int limit)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        var siteFilter = site is null ? string.Empty : " AND site = $site";
        command.CommandText = step is { } s
            ? $"""
               SELECT (ts / $step) * $step AS bucket, avg(value), min(value), max(value), count(*) FROM readings
               WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to{siteFilter}
               GROUP BY bucket ORDER BY bucket LIMIT $limit
               """
            : $"""
               SELECT ts, value, value, value, 1 FROM readings
               WHERE device = $device AND metric = $metric AND ts >= $from AND ts < $to{siteFilter}
               ORDER BY ts LIMIT $limit
               """;
        command.Parameters.AddWithValue("$device", device);
        command.Parameters.AddWithValue("$metric", metric);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        if (step is { } stepValue)
        {
            command.Parameters.AddWithValue("$step", (long)stepValue.TotalMilliseconds);
        }

        if (site is not null)
        {
            command.Parameters.AddWithValue("$site", site);
        }

        using var reader = command.ExecuteReader();
        return SqliteReadingStore.ReadBuckets(reader);
    }

    /// <summary>
    /// How many pages one <c>Write</c> puts into the WAL (what the commit costs in I/O): automatic checkpoints are turned off
    /// for this connection, the WAL is emptied, the batch is written, and the WAL's frame count is read back.
    /// </summary>
    public long WalPagesOfOneWrite(IReadOnlyList<IngestBatch> batches)
    {
        Execute("PRAGMA wal_autocheckpoint = 0; PRAGMA wal_checkpoint(TRUNCATE);");
        Write(batches);
        using var command = _writer.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetInt64(1);
    }

    /// <summary>The query plan SQLite picks for the history query, for the record.</summary>
    public string ExplainQuery()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            EXPLAIN QUERY PLAN SELECT (ts / 60000) * 60000 AS bucket, avg(value), min(value), max(value), count(*) FROM readings
            WHERE device = 'd-042' AND metric = 'temperature' AND ts >= 0 AND ts < 1 AND site = 'school-01'
            GROUP BY bucket ORDER BY bucket LIMIT 10
            """;
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join(" | ", lines);
    }

    public void Dispose() => _writer.Dispose();

    private void Execute(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
