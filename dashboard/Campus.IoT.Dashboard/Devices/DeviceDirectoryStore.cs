using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// Keeps the <see cref="DeviceDirectory"/> across restarts in <c>devices.db</c> (SQLite, WAL) in the data directory: at start
/// it puts back every device and gateway saved before (so a sensor that stays silent after a restart shows as offline in
/// the health view instead of vanishing from it), then saves what was heard since the last save every
/// <see cref="SaveInterval"/> and once more at stop. A damaged or unreadable file is logged and set aside: the platform
/// starts with an empty directory rather than not at all, and never loses a reading over it (readings are in the
/// time-series store; this is only the directory of who reported).
/// </summary>
internal sealed partial class DeviceDirectoryStore(string path, DeviceDirectory directory, TimeProvider time, ILogger<DeviceDirectoryStore> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _saving = new(1, 1);
    private ITimer? _timer;
    private DateTimeOffset _savedUpTo = DateTimeOffset.MinValue;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        try
        {
            var (devices, gateways) = Load();
            LogRestored(logger, devices, gateways, path);
        }
        catch (Exception ex) when (ex is SqliteException or JsonException or InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            var aside = path + ".damaged-" + started.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            LogLoadFailed(logger, ex, path, aside);
            SqliteConnection.ClearAllPools();
            TrySetAside(aside);
        }

        // Restored entries are older than this: the first save writes only what is heard from now on.
        _savedUpTo = started;
        _timer = time.CreateTimer(_ => _ = SaveAsync(), null, SaveInterval, SaveInterval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        await SaveAsync();
    }

    /// <summary>Saves every device and gateway heard since the last save. Never throws: a failure is logged and the next save retries it.</summary>
    public async Task SaveAsync()
    {
        await _saving.WaitAsync();
        try
        {
            // Entries heard while this save runs are saved now or by the next one: the bound moves only on success.
            var upTo = time.GetUtcNow();
            var devices = directory.DevicesHeardSince(_savedUpTo);
            var gateways = directory.GatewaysHeardSince(_savedUpTo);
            if (devices.Count > 0 || gateways.Count > 0)
            {
                Save(devices, gateways);
            }

            _savedUpTo = upTo;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(logger, ex, path);
        }
        finally
        {
            _saving.Release();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _saving.Dispose();
    }

    private SqliteConnection Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS devices (
                site TEXT NOT NULL, device TEXT NOT NULL, gateway TEXT NOT NULL, first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL, newest_ts INTEGER, interval_ms INTEGER, metrics TEXT NOT NULL,
                PRIMARY KEY (site, device)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS gateways (
                site TEXT NOT NULL, gateway TEXT NOT NULL, last_seen INTEGER, version TEXT,
                PRIMARY KEY (site, gateway)) WITHOUT ROWID;
            """;
        create.ExecuteNonQuery();
        return connection;
    }

    private (int Devices, int Gateways) Load()
    {
        using var connection = Open();
        var devices = 0;
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT site, device, gateway, first_seen, last_seen, newest_ts, interval_ms, metrics FROM devices";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                directory.Restore(new DeviceRecord(
                    reader.GetString(0),
                    reader.GetString(2),
                    reader.GetString(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                    reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    reader.IsDBNull(6) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(6)),
                    ReadMetrics(reader.GetString(7))));
                devices++;
            }
        }

        var gateways = 0;
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT site, gateway, last_seen, version FROM gateways";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                directory.Restore(new GatewayRecord(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.IsDBNull(3) ? null : reader.GetString(3)));
                gateways++;
            }
        }

        return (devices, gateways);
    }

    private void Save(IReadOnlyList<DeviceRecord> devices, IReadOnlyList<GatewayRecord> gateways)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO devices (site, device, gateway, first_seen, last_seen, newest_ts, interval_ms, metrics)
                VALUES ($site, $device, $gateway, $first, $last, $newest, $interval, $metrics)
                ON CONFLICT (site, device) DO UPDATE SET gateway = excluded.gateway, first_seen = excluded.first_seen,
                    last_seen = excluded.last_seen, newest_ts = excluded.newest_ts, interval_ms = excluded.interval_ms,
                    metrics = excluded.metrics
                """;
            var site = upsert.Parameters.Add("$site", SqliteType.Text);
            var device = upsert.Parameters.Add("$device", SqliteType.Text);
            var gateway = upsert.Parameters.Add("$gateway", SqliteType.Text);
            var first = upsert.Parameters.Add("$first", SqliteType.Integer);
            var last = upsert.Parameters.Add("$last", SqliteType.Integer);
            var newest = upsert.Parameters.Add("$newest", SqliteType.Integer);
            var interval = upsert.Parameters.Add("$interval", SqliteType.Integer);
            var metrics = upsert.Parameters.Add("$metrics", SqliteType.Text);
            upsert.Prepare();
            foreach (var d in devices)
            {
                site.Value = d.Site;
                device.Value = d.Device;
                gateway.Value = d.Gateway;
                first.Value = d.FirstSeen.ToUnixTimeMilliseconds();
                last.Value = d.LastSeen.ToUnixTimeMilliseconds();
                newest.Value = d.NewestTs is { } ts ? ts.ToUnixTimeMilliseconds() : DBNull.Value;
                interval.Value = d.Interval is { } every ? (long)every.TotalMilliseconds : DBNull.Value;
                metrics.Value = WriteMetrics(d.Metrics);
                upsert.ExecuteNonQuery();
            }
        }

        using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO gateways (site, gateway, last_seen, version) VALUES ($site, $gateway, $last, $version)
                ON CONFLICT (site, gateway) DO UPDATE SET last_seen = excluded.last_seen, version = excluded.version
                """;
            foreach (var g in gateways)
            {
                upsert.Parameters.Clear();
                upsert.Parameters.AddWithValue("$site", g.Site);
                upsert.Parameters.AddWithValue("$gateway", g.Gateway);
                upsert.Parameters.AddWithValue("$last", g.LastSeen is { } seen ? seen.ToUnixTimeMilliseconds() : DBNull.Value);
                upsert.Parameters.AddWithValue("$version", (object?)g.Version ?? DBNull.Value);
                upsert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>Metrics as <c>{"temperature":[4.2,1764400000000],…}</c>: value and reading time in Unix milliseconds.</summary>
    private static string WriteMetrics(IReadOnlyDictionary<string, MetricValue> metrics) =>
        JsonSerializer.Serialize(metrics.ToDictionary(m => m.Key, m => new[] { m.Value.Value, m.Value.Ts.ToUnixTimeMilliseconds() }, StringComparer.Ordinal));

    private static Dictionary<string, MetricValue> ReadMetrics(string json)
    {
        var raw = JsonSerializer.Deserialize<Dictionary<string, double[]>>(json) ?? throw new InvalidDataException("metrics are null");
        var metrics = new Dictionary<string, MetricValue>(raw.Count, StringComparer.Ordinal);
        foreach (var (metric, pair) in raw)
        {
            if (pair.Length != 2 || !double.IsFinite(pair[0]))
            {
                throw new InvalidDataException($"metric {metric} is not [value, time]");
            }

            metrics[metric] = new MetricValue(pair[0], DateTimeOffset.FromUnixTimeMilliseconds((long)pair[1]));
        }

        return metrics;
    }

    private void TrySetAside(string aside)
    {
        try
        {
            foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                if (File.Exists(path + suffix))
                {
                    File.Move(path + suffix, aside + suffix);
                }
            }
        }
        catch (IOException ex)
        {
            LogLoadFailed(logger, ex, path, aside);
        }
    }

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Device directory restored: {Devices} devices and {Gateways} gateways from {Path}")]
    private static partial void LogRestored(ILogger logger, int devices, int gateways, string path);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Error, Message = "The device directory {Path} could not be read; it is set aside as {Aside} and devices reappear as they report")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string path, string aside);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning, Message = "Saving the device directory to {Path} failed; the next save tries again")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string path);
}
