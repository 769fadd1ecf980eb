using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest;

/// <summary>
/// The embedded time-series store: SQLite in WAL mode, one writer connection, one transaction and prepared statements per
/// batch, unique (device, metric, ts, site) so a replayed message is stored once. Readers open their own connections.
/// </summary>
internal sealed class SqliteReadingStore : IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;

    public SqliteReadingStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        using var command = _writer.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS readings (
                device TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (device, metric, ts, site)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS device_events (
                site TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
                point TEXT NOT NULL DEFAULT '', zone TEXT, label TEXT, raw TEXT, seq INTEGER NOT NULL,
                PRIMARY KEY (site, device, ts, type, state, point)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Writes the batches in one transaction; returns the rows actually inserted (duplicates are ignored).</summary>
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

    /// <summary>
    /// History of one device's metric in [from, to). With a step: mean/min/max/count per step-aligned bucket; without: the raw
    /// readings, each as a bucket of one.
    /// </summary>
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

    /// <summary>Total rows, for health and tests.</summary>
    public long CountReadings()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM readings";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _writer.Dispose();
}
