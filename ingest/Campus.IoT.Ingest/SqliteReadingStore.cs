using System.Text;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Campus.IoT.Ingest;

/// <summary>
/// The embedded time-series store: SQLite in WAL mode with <c>synchronous = FULL</c> (a committed batch survives a power
/// cut, not only a crash of the process: ingest acknowledges the broker on commit), one writer connection, one transaction
/// per batch.
/// <para>
/// Layout (as time-series databases do it): a <c>series</c> table names each (site, device, metric) once and gives it an
/// integer id; <c>reading_chunks</c> holds one row per series and minute, <c>PRIMARY KEY (minute, series)</c>, whose blob
/// holds that minute's readings in time order with no time twice (<see cref="ReadingChunk"/>). So (device, metric, ts) is
/// unique per site, and a replayed message is stored once: the writer merges it into the stored chunk under the write lock,
/// inside an immediate transaction (SQLite lets one writer at a time). A write costs one key lookup and one row write per
/// series and minute instead of one insert per reading, and keyed minute first (the minute rollup too) its new rows land
/// at the end of the tree, so a commit rewrites few pages. A series' history is read with one key lookup per minute of
/// the range. Figures against a row per reading: docs/benchmarks.md, section 2 and "Ingest end to end", run G.
/// </para>
/// <para>
/// Rollups: <c>readings_1m</c> and <c>readings_1h</c> hold count/sum/min/max per series and minute or hour, updated in the
/// same transaction as the chunks with the statistics of exactly the readings that were new (the merge knows which), so they
/// are exact, crash-safe and idempotent. Long-range history reads use them.
/// </para>
/// <para>Retention (<see cref="ApplyRetention"/>): raw rows, minute and hour rollups each have their own age limit.</para>
/// </summary>
internal sealed class SqliteReadingStore : ITimeSeriesStore, IDisposable
{
    private const long MinuteMs = 60_000;
    private const long HourMs = 3_600_000;
    private const int RowsPerStatement = 32;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly Dictionary<SeriesKey, long> _series = [];
    private readonly Dictionary<SeriesKey, long> _newSeries = [];
    private readonly List<Row> _rows = [];
    private readonly List<Chunk> _chunks = [];
    private readonly List<Chunk> _changedChunks = [];
    private readonly List<Bucket> _minuteBuckets = [];
    private readonly List<Bucket> _hourBuckets = [];
    private readonly Dictionary<(long Series, long Hour), Bucket> _hours = [];
    private byte[] _arena = new byte[64 * 1024];
    private int _arenaLength;

    public SqliteReadingStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FilePath = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();

        // A write waits at most 5 s for a lock held by someone else (Microsoft.Data.Sqlite retries SQLITE_BUSY up to the
        // command timeout), then fails, so the writer can spill instead of hanging.
        _writer = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { DefaultTimeout = 5 }.ToString());
        _writer.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 5000;
            PRAGMA cache_size = -65536;
            """);
        MigrateTextKeyedTable();
        Execute("""
            CREATE TABLE IF NOT EXISTS series (
                id INTEGER PRIMARY KEY, device TEXT NOT NULL, metric TEXT NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL,
                UNIQUE (device, metric, site));
            CREATE TABLE IF NOT EXISTS reading_chunks (
                series INTEGER NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL,
                PRIMARY KEY (minute, series)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS readings_1m (
                series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (ts, series)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS readings_1h (
                series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (series, ts)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS device_events (
                site TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
                point TEXT NOT NULL DEFAULT '', zone TEXT, label TEXT, raw TEXT, seq INTEGER NOT NULL,
                PRIMARY KEY (site, device, ts, type, state, point)) WITHOUT ROWID;
            """);
        MigrateRowsToChunks();
        MigrateMinuteRollupKey();
        using var load = _writer.CreateCommand();
        load.CommandText = "SELECT id, device, metric, site FROM series";
        using var reader = load.ExecuteReader();
        while (reader.Read())
        {
            _series[new SeriesKey(reader.GetString(1), reader.GetString(2), reader.GetString(3))] = reader.GetInt64(0);
        }
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

    /// <summary>Writes the batches in one transaction; returns the readings actually stored (duplicates are ignored).</summary>
    public (int Readings, int Events) Write(IReadOnlyList<IngestBatch> batches)
    {
        lock (_writeLock)
        {
            _rows.Clear();
            _newSeries.Clear();
            using var tx = _writer.BeginTransaction();
            try
            {
                foreach (var batch in batches)
                {
                    foreach (var r in batch.Readings)
                    {
                        _rows.Add(new Row(SeriesId(tx, new SeriesKey(r.Device, r.Metric, batch.Site), batch.Gateway), r.Ts.ToUnixTimeMilliseconds(), r.Value));
                    }
                }

                // Key order (minute, series, ts): one run of rows per chunk, and chunks written in the table's key order.
                _rows.Sort();
                var readings = MergeIntoChunks();
                var events = InsertEvents(tx, batches);
                AddToRollups();
                tx.Commit();
                foreach (var (key, id) in _newSeries)
                {
                    _series[key] = id;
                }

                return (readings, events);
            }
            finally
            {
                _newSeries.Clear();
            }
        }
    }

    private long SeriesId(SqliteTransaction tx, SeriesKey key, string gateway)
    {
        if (_series.TryGetValue(key, out var id) || _newSeries.TryGetValue(key, out id))
        {
            return id;
        }

        // New this transaction: known to the cache only once the transaction commits.
        using var insert = _writer.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO series (device, metric, site, gateway) VALUES ($device, $metric, $site, $gateway)
            ON CONFLICT (device, metric, site) DO UPDATE SET gateway = excluded.gateway
            RETURNING id
            """;
        insert.Parameters.AddWithValue("$device", key.Device);
        insert.Parameters.AddWithValue("$metric", key.Metric);
        insert.Parameters.AddWithValue("$site", key.Site);
        insert.Parameters.AddWithValue("$gateway", gateway);
        id = (long)insert.ExecuteScalar()!;
        _newSeries[key] = id;
        return id;
    }

    /// <summary>
    /// Merges the sorted rows into the chunks of their (series, minute): each run of rows of one series and minute reads the
    /// stored chunk (if any) through the key, merges by time (a time already stored keeps its stored value, as
    /// <c>INSERT OR IGNORE</c> would: a replay changes nothing), and the chunks that gained readings are written back in
    /// multi-row statements. The statistics of exactly the readings that were new go to the rollups. Returns the readings
    /// stored.
    /// </summary>
    private int MergeIntoChunks()
    {
        _chunks.Clear();
        _changedChunks.Clear();
        _minuteBuckets.Clear();
        _hourBuckets.Clear();
        _hours.Clear();
        _arenaLength = 0;
        var db = Handle;
        var stored = 0;
        Check(db, raw.sqlite3_prepare_v2(db, "SELECT data FROM reading_chunks WHERE series = ?1 AND minute = ?2", out var select));
        using (select)
        {
            var i = 0;
            while (i < _rows.Count)
            {
                var series = _rows[i].Series;
                var minute = _rows[i].Minute;
                var end = i + 1;
                while (end < _rows.Count && _rows[end].Minute == minute && _rows[end].Series == series)
                {
                    end++;
                }

                Check(db, raw.sqlite3_bind_int64(select, 1, series));
                Check(db, raw.sqlite3_bind_int64(select, 2, minute));
                var rc = raw.sqlite3_step(select);
                if (rc is not raw.SQLITE_ROW and not raw.SQLITE_DONE)
                {
                    throw Error(db, rc);
                }

                try
                {
                    stored += Merge(series, minute, rc == raw.SQLITE_ROW, rc == raw.SQLITE_ROW ? raw.sqlite3_column_blob(select, 0) : default, i, end);
                }
                finally
                {
                    raw.sqlite3_reset(select);
                }

                i = end;
            }
        }

        Check(db, raw.sqlite3_prepare_v2(db, "UPDATE reading_chunks SET count = ?3, data = ?4 WHERE series = ?1 AND minute = ?2", out var update));
        using (update)
        {
            foreach (var chunk in _changedChunks)
            {
                BindChunk(db, update, chunk, 1);
                var rc = raw.sqlite3_step(update);
                raw.sqlite3_reset(update);
                if (rc != raw.SQLITE_DONE)
                {
                    throw Error(db, rc);
                }
            }
        }

        ExecuteRows(_chunks, "INSERT INTO reading_chunks (series, minute, count, data) VALUES ", "(?,?,?,?)", string.Empty, BindChunk);
        return stored;
    }

    /// <summary>Binds a chunk's series, minute, count and bytes from parameter <paramref name="p"/> on (the order of both the insert and the update).</summary>
    private void BindChunk(sqlite3 db, sqlite3_stmt stmt, Chunk chunk, int p)
    {
        Check(db, raw.sqlite3_bind_int64(stmt, p, chunk.Series));
        Check(db, raw.sqlite3_bind_int64(stmt, p + 1, chunk.Minute));
        Check(db, raw.sqlite3_bind_int(stmt, p + 2, chunk.Count));
        Check(db, raw.sqlite3_bind_blob(stmt, p + 3, _arena.AsSpan(chunk.Start, chunk.Length)));
    }

    /// <summary>
    /// Merges rows [<paramref name="from"/>, <paramref name="to"/>) (one series, one minute, sorted by time) with the stored
    /// chunk into the arena; records the chunk and the new readings' statistics when any reading was new.
    /// </summary>
    private int Merge(long series, long minute, bool exists, ReadOnlySpan<byte> stored, int from, int to)
    {
        if (!ReadingChunk.IsValid(stored))
        {
            throw new InvalidDataException($"reading_chunks row (series {series}, minute {minute}) is not a chunk this store wrote ({stored.Length} bytes): the file is damaged");
        }

        var needed = _arenaLength + stored.Length + ((to - from) * ReadingChunk.EntrySize);
        if (needed > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(needed, _arena.Length * 2));
        }

        var start = _arenaLength;
        var at = start;
        var last = -1;
        var s = 0;
        var storedCount = ReadingChunk.Count(stored);
        var r = from;
        int added = 0;
        double sum = 0, min = double.MaxValue, max = double.MinValue;
        while (s < storedCount || r < to)
        {
            int offset;
            double value;
            if (s < storedCount && (r == to || ReadingChunk.OffsetAt(stored, s) <= _rows[r].Ts - minute))
            {
                offset = ReadingChunk.OffsetAt(stored, s);
                value = ReadingChunk.ValueAt(stored, s++);
            }
            else
            {
                offset = (int)(_rows[r].Ts - minute);
                value = _rows[r++].Value;
                if (offset == last)
                {
                    continue; // stored already, or twice in this write: the first one stays
                }

                added++;
                sum += value;
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }

            ReadingChunk.Put(_arena.AsSpan(at), offset, value);
            at += ReadingChunk.EntrySize;
            last = offset;
        }

        if (added == 0)
        {
            return 0;
        }

        _arenaLength = at;
        (exists ? _changedChunks : _chunks).Add(new Chunk(series, minute, (at - start) / ReadingChunk.EntrySize, start, at - start));
        _minuteBuckets.Add(new Bucket(series, minute, added, sum, min, max));
        var hour = (series, FloorTo(minute, HourMs));
        _hours[hour] = _hours.TryGetValue(hour, out var h)
            ? new Bucket(series, hour.Item2, h.Count + added, h.Sum + sum, Math.Min(h.Min, min), Math.Max(h.Max, max))
            : new Bucket(series, hour.Item2, added, sum, min, max);

        return added;
    }

    /// <summary>
    /// Runs <c>head</c> + <c>values</c> × n + <c>tail</c> over <paramref name="items"/> in statements of
    /// <see cref="RowsPerStatement"/> rows (the last one shorter), prepared through SQLitePCLRaw on the writer's own handle (so
    /// inside the transaction Microsoft.Data.Sqlite began) and bound by parameter index: Microsoft.Data.Sqlite binds every
    /// parameter by name (<c>sqlite3_bind_parameter_index</c>, a linear search per parameter), which grows quadratically with
    /// a statement's parameters. Returns the rows changed.
    /// </summary>
    private int ExecuteRows<T>(List<T> items, string head, string values, string tail, Action<sqlite3, sqlite3_stmt, T, int> bind)
    {
        var db = Handle;
        var perRow = values.Count(c => c == '?');
        var changed = 0;
        sqlite3_stmt? full = null;
        try
        {
            for (var start = 0; start < items.Count; start += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, items.Count - start);
                var stmt = count == RowsPerStatement ? full ??= Prepare(db, head, values, RowsPerStatement, tail) : Prepare(db, head, values, count, tail);
                try
                {
                    for (var i = 0; i < count; i++)
                    {
                        bind(db, stmt, items[start + i], (i * perRow) + 1);
                    }

                    var rc = raw.sqlite3_step(stmt);
                    if (rc != raw.SQLITE_DONE)
                    {
                        throw Error(db, rc);
                    }

                    changed += raw.sqlite3_changes(db);
                    raw.sqlite3_reset(stmt);
                }
                finally
                {
                    if (!ReferenceEquals(stmt, full))
                    {
                        stmt.Dispose();
                    }
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                raw.sqlite3_reset(full);
                full.Dispose();
            }
        }

        return changed;
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string head, string values, int rows, string tail)
    {
        var sql = new StringBuilder(head, head.Length + tail.Length + (rows * (values.Length + 1)));
        for (var i = 0; i < rows; i++)
        {
            if (i > 0)
            {
                sql.Append(',');
            }

            sql.Append(values);
        }

        Check(db, raw.sqlite3_prepare_v2(db, sql.Append(tail).ToString(), out var stmt));
        return stmt;
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(db, rc);
        }
    }

    private static SqliteException Error(sqlite3 db, int rc) => new($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc);

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

    /// <summary>The statistics of the readings this write stored (none of them stored before) are added to the rollups, with no reads.</summary>
    private void AddToRollups()
    {
        _hourBuckets.AddRange(_hours.Values);
        _hourBuckets.Sort(static (a, b) => a.Series != b.Series ? a.Series.CompareTo(b.Series) : a.Ts.CompareTo(b.Ts));
        AddTo("readings_1m", _minuteBuckets);
        AddTo("readings_1h", _hourBuckets);
    }

    private void AddTo(string table, List<Bucket> buckets) =>
        ExecuteRows(
            buckets,
            $"INSERT INTO {table} (series, ts, count, sum, min, max) VALUES ",
            "(?,?,?,?,?,?)",
            " ON CONFLICT (series, ts) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)",
            static (db, stmt, b, p) =>
            {
                Check(db, raw.sqlite3_bind_int64(stmt, p, b.Series));
                Check(db, raw.sqlite3_bind_int64(stmt, p + 1, b.Ts));
                Check(db, raw.sqlite3_bind_int64(stmt, p + 2, b.Count));
                Check(db, raw.sqlite3_bind_double(stmt, p + 3, b.Sum));
                Check(db, raw.sqlite3_bind_double(stmt, p + 4, b.Min));
                Check(db, raw.sqlite3_bind_double(stmt, p + 5, b.Max));
            });

    /// <summary>
    /// History of one device's metric in [from, to). With a step: mean/min/max/count per step-aligned bucket (multiples of the
    /// step since the Unix epoch); without: the raw readings, each as a bucket of one. A step that is a whole number of hours
    /// (or minutes) over a range aligned to the hour (or minute) is answered from the hour (or minute) rollup, which gives the
    /// same numbers as the raw rows (mean = sum of sums / sum of counts) for a fraction of the rows read. Without a site, the
    /// device's series at every site are merged.
    /// </summary>
    public IReadOnlyList<ReadingBucket> Query(string device, string metric, string? site, DateTimeOffset from, DateTimeOffset to, TimeSpan? step, int limit)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var stepMs = step is { } s ? (long)s.TotalMilliseconds : 0;
        if (step is not null && RollupFor(stepMs, fromMs, toMs) is not null)
        {
            using var command = RollupCommand(connection, device, metric, site, from, to, stepMs, limit);
            using var reader = command.ExecuteReader();
            return ReadBuckets(reader);
        }

        // The raw readings: one key lookup (minute, series) per minute of the range and series of the device (one per site),
        // the minutes generated by a recursive CTE, an hour of minutes per statement. Without a step, reading stops after
        // the first hour that brings the readings to `limit`.
        var readings = new List<(long Ts, double Value)>();
        using (var chunks = RawChunksCommand(connection, device, metric, site))
        {
            var pFrom = chunks.Parameters["$from"];
            var pTo = chunks.Parameters["$to"];
            for (var window = FloorTo(fromMs, MinuteMs); window < toMs && (step is not null || readings.Count < limit); window += HourMs)
            {
                pFrom.Value = window;
                pTo.Value = Math.Min(window + HourMs, toMs);
                using var reader = chunks.ExecuteReader();
                while (reader.Read())
                {
                    ReadingChunk.Decode(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), fromMs, toMs, readings);
                }
            }
        }

        // Time order within a minute across the sites' series (stable: a site's readings keep theirs).
        var ordered = readings.OrderBy(r => r.Ts);
        var buckets = new List<ReadingBucket>();
        if (step is null)
        {
            buckets.AddRange(ordered.Take(limit).Select(r => new ReadingBucket(Timestamps.FromUnixMilliseconds(r.Ts), r.Value, r.Value, r.Value, 1)));
            return buckets;
        }

        // Buckets aligned to multiples of the step since the epoch, as SQL's (ts / step) * step.
        foreach (var group in ordered.GroupBy(r => r.Ts / stepMs * stepMs).Take(limit))
        {
            long count = 0;
            double sum = 0, min = double.MaxValue, max = double.MinValue;
            foreach (var (_, value) in group)
            {
                count++;
                sum += value;
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }

            buckets.Add(new ReadingBucket(Timestamps.FromUnixMilliseconds(group.Key), sum / count, min, max, count));
        }

        return buckets;
    }

    /// <summary>Buckets from rows of (bucket start in Unix ms, mean, min, max, count).</summary>
    internal static List<ReadingBucket> ReadBuckets(SqliteDataReader reader)
    {
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

    /// <summary>The query plans (SQLite's <c>EXPLAIN QUERY PLAN</c> details) of a history read, for tests and the benchmarks.</summary>
    internal List<string> ExplainQuery(string device, string metric, string? site, DateTimeOffset from, DateTimeOffset to, TimeSpan? step)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var stepMs = step is { } s ? (long)s.TotalMilliseconds : 0;
        SqliteCommand command;
        if (step is not null && RollupFor(stepMs, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds()) is not null)
        {
            command = RollupCommand(connection, device, metric, site, from, to, stepMs, 1);
        }
        else
        {
            command = RawChunksCommand(connection, device, metric, site);
            command.Parameters["$from"].Value = from.ToUnixTimeMilliseconds();
            command.Parameters["$to"].Value = to.ToUnixTimeMilliseconds();
        }

        using var _ = command;
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }

    /// <summary>The chunks of the device's series (at one site, or every site) in the minutes of [$from, $to), prepared.</summary>
    private static SqliteCommand RawChunksCommand(SqliteConnection connection, string device, string metric, string? site)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"""
            WITH RECURSIVE minutes(m) AS (SELECT $from WHERE $from < $to UNION ALL SELECT m + 60000 FROM minutes WHERE m + 60000 < $to)
            SELECT c.minute, c.data FROM minutes CROSS JOIN reading_chunks c ON c.minute = minutes.m WHERE c.{SeriesFilter(site)}
            """;
        command.Parameters.Add("$from", SqliteType.Integer);
        command.Parameters.Add("$to", SqliteType.Integer);
        AddSeries(command, device, metric, site);
        command.Prepare();
        return command;
    }

    private static string SeriesFilter(string? site) => site is null
        ? "series IN (SELECT id FROM series WHERE device = $device AND metric = $metric)"
        : "series = (SELECT id FROM series WHERE device = $device AND metric = $metric AND site = $site)";

    private static void AddSeries(SqliteCommand command, string device, string metric, string? site)
    {
        command.Parameters.AddWithValue("$device", device);
        command.Parameters.AddWithValue("$metric", metric);
        if (site is not null)
        {
            command.Parameters.AddWithValue("$site", site);
        }
    }

    /// <summary>
    /// Buckets of a step a rollup answers. The minute rollup is keyed minute first: a series' range is read as one key
    /// lookup (minute, series) per minute of the range, the minutes generated by a recursive CTE; the hour rollup is keyed
    /// series first and read as one key range.
    /// </summary>
    private static SqliteCommand RollupCommand(SqliteConnection connection, string device, string metric, string? site, DateTimeOffset from, DateTimeOffset to, long stepMs, int limit)
    {
        var command = connection.CreateCommand();
        var seriesFilter = SeriesFilter(site);
        var table = RollupFor(stepMs, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var rows = table == "readings_1m"
            ? $"""
               WITH RECURSIVE minutes(m) AS (SELECT $from WHERE $from < $to UNION ALL SELECT m + 60000 FROM minutes WHERE m + 60000 < $to),
               rows AS (SELECT r.* FROM minutes CROSS JOIN readings_1m r ON r.ts = minutes.m WHERE r.{seriesFilter})
               """
            : $"WITH rows AS (SELECT * FROM {table} WHERE {seriesFilter} AND ts >= $from AND ts < $to)";
        command.CommandText = $"""
            {rows}
            SELECT (ts / $step) * $step AS bucket, sum(sum) / sum(count), min(min), max(max), sum(count) FROM rows
            GROUP BY bucket ORDER BY bucket LIMIT $limit
            """;
        command.Parameters.AddWithValue("$step", stepMs);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        AddSeries(command, device, metric, site);
        return command;
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
    /// Deletes raw readings older than <paramref name="raw"/>, minute rollups older than <paramref name="minute"/> and hour
    /// rollups older than <paramref name="hour"/> (a null age keeps them). Deletes through the keys, at most an hour of the
    /// minute-first tables (or one series of the hour rollup) per transaction, so it never scans a table and never holds
    /// the write lock for long; the chunks of the minute the raw cutoff falls in keep their readings from the cutoff on.
    /// Returns the readings and rollup rows deleted.
    /// </summary>
    public long ApplyRetention(DateTimeOffset now, TimeSpan? raw, TimeSpan? minute, TimeSpan? hour)
    {
        long deleted = 0;
        if (raw is { } keepRaw)
        {
            var cutoff = (now - keepRaw).ToUnixTimeMilliseconds();
            deleted += DeleteOlder("reading_chunks", "minute", FloorTo(cutoff, MinuteMs), "count");
            if (cutoff > FloorTo(cutoff, MinuteMs))
            {
                lock (_writeLock)
                {
                    using var tx = _writer.BeginTransaction();
                    deleted += TrimChunks(tx, FloorTo(cutoff, MinuteMs), cutoff);
                    tx.Commit();
                }
            }
        }

        if (minute is { } keepMinute)
        {
            deleted += DeleteOlder("readings_1m", "ts", (now - keepMinute).ToUnixTimeMilliseconds(), "1");
        }

        if (hour is { } keepHour)
        {
            List<long> series;
            lock (_writeLock)
            {
                series = [.. _series.Values];
            }

            var cutoff = (now - keepHour).ToUnixTimeMilliseconds();
            foreach (var id in series)
            {
                lock (_writeLock)
                {
                    using var delete = _writer.CreateCommand();
                    delete.CommandText = "DELETE FROM readings_1h WHERE series = $series AND ts < $cutoff";
                    delete.Parameters.AddWithValue("$series", id);
                    delete.Parameters.AddWithValue("$cutoff", cutoff);
                    deleted += delete.ExecuteNonQuery();
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes the rows of a minute-first table whose <paramref name="key"/> is before <paramref name="cutoff"/>, an hour of
    /// keys per transaction from the oldest row on; returns the sum of <paramref name="counted"/> over the deleted rows.
    /// </summary>
    private long DeleteOlder(string table, string key, long cutoff, string counted)
    {
        long deleted = 0;
        while (true)
        {
            lock (_writeLock)
            {
                using var tx = _writer.BeginTransaction();
                using var command = _writer.CreateCommand();
                command.Transaction = tx;
                command.CommandText = $"SELECT min({key}) FROM {table}";
                if (command.ExecuteScalar() is not long oldest || oldest >= cutoff)
                {
                    return deleted;
                }

                command.CommandText = $"DELETE FROM {table} WHERE {key} < $until RETURNING {counted}";
                command.Parameters.AddWithValue("$until", Math.Min(oldest + HourMs, cutoff));
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        deleted += reader.GetInt64(0);
                    }
                }

                tx.Commit();
            }
        }
    }

    /// <summary>Drops the readings before <paramref name="cutoff"/> from the chunks of one minute (a chunk's row when none is left).</summary>
    private long TrimChunks(SqliteTransaction tx, long minute, long cutoff)
    {
        var chunks = new List<(long Series, byte[] Data)>();
        using (var read = _writer.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT series, data FROM reading_chunks WHERE minute = $minute";
            read.Parameters.AddWithValue("$minute", minute);
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                chunks.Add((reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
            }
        }

        long removed = 0;
        var kept = new List<(long Ts, double Value)>();
        foreach (var (series, data) in chunks)
        {
            kept.Clear();
            ReadingChunk.Decode(minute, data, cutoff, long.MaxValue, kept);
            if (kept.Count == ReadingChunk.Count(data))
            {
                continue;
            }

            removed += ReadingChunk.Count(data) - kept.Count;
            using var write = _writer.CreateCommand();
            write.Transaction = tx;
            write.Parameters.AddWithValue("$series", series);
            write.Parameters.AddWithValue("$minute", minute);
            if (kept.Count == 0)
            {
                write.CommandText = "DELETE FROM reading_chunks WHERE minute = $minute AND series = $series";
            }
            else
            {
                write.CommandText = "UPDATE reading_chunks SET count = $count, data = $data WHERE minute = $minute AND series = $series";
                write.Parameters.AddWithValue("$count", kept.Count);
                write.Parameters.AddWithValue("$data", ReadingChunk.Encode(minute, kept));
            }

            write.ExecuteNonQuery();
        }

        return removed;
    }

    /// <summary>Total raw readings, for health and tests.</summary>
    public long CountReadings()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(sum(count), 0) FROM reading_chunks";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Rows of a table (the rollups', for tests).</summary>
    internal long Count(string table)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Every raw reading in a store file (optionally of one site), read through its own read-only connection: for tools and
    /// tests that check what a running ingest process stored. Decoded from the chunks as stored, so a time stored twice
    /// would show twice.
    /// </summary>
    internal static List<StoredReading> ReadAll(string path, string? site = null)
    {
        var all = new List<StoredReading>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT s.site, s.device, s.metric, c.minute, c.data FROM reading_chunks c JOIN series s ON s.id = c.series
            {(site is null ? string.Empty : "WHERE s.site = $site")} ORDER BY c.series, c.minute
            """;
        if (site is not null)
        {
            command.Parameters.AddWithValue("$site", site);
        }

        using var reader = command.ExecuteReader();
        var readings = new List<(long Ts, double Value)>();
        while (reader.Read())
        {
            var (rowSite, device, metric) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
            readings.Clear();
            ReadingChunk.Decode(reader.GetInt64(3), reader.GetFieldValue<byte[]>(4), long.MinValue, long.MaxValue, readings);
            all.AddRange(readings.Select(r => new StoredReading(rowSite, device, metric, r.Ts, r.Value)));
        }

        return all;
    }

    public void Dispose() => _writer.Dispose();

    private sqlite3 Handle => _writer.Handle ?? throw new InvalidOperationException("the writer connection is closed");

    private static long FloorTo(long ms, long unit) => ms >= 0 ? ms - (ms % unit) : ms - (((ms % unit) + unit) % unit);

    private long WriterScalar(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private void Execute(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Files written before the series layout have <c>readings (device, metric, ts, site, gateway, value)</c>: their rows move
    /// to the series layout once, in one transaction, and the old tables go (their rollups are rebuilt from the moved rows).
    /// </summary>
    private void MigrateTextKeyedTable()
    {
        if (WriterScalar("SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'device'") == 0)
        {
            return;
        }

        using var tx = _writer.BeginTransaction();
        using var migrate = _writer.CreateCommand();
        migrate.Transaction = tx;
        migrate.CommandText = """
            ALTER TABLE readings RENAME TO readings_v0;
            DROP TABLE IF EXISTS readings_1m;
            DROP TABLE IF EXISTS readings_1h;
            CREATE TABLE series (
                id INTEGER PRIMARY KEY, device TEXT NOT NULL, metric TEXT NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL,
                UNIQUE (device, metric, site));
            CREATE TABLE readings (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
            CREATE TABLE readings_1m (
                series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (series, ts)) WITHOUT ROWID;
            CREATE TABLE readings_1h (
                series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (series, ts)) WITHOUT ROWID;
            INSERT INTO series (device, metric, site, gateway) SELECT device, metric, site, max(gateway) FROM readings_v0 GROUP BY device, metric, site;
            INSERT INTO readings (series, ts, value)
                SELECT s.id, r.ts, r.value FROM readings_v0 r JOIN series s ON s.device = r.device AND s.metric = r.metric AND s.site = r.site;
            INSERT INTO readings_1m SELECT series, (ts / 60000) * 60000 AS m, count(*), sum(value), min(value), max(value) FROM readings GROUP BY series, m;
            INSERT INTO readings_1h SELECT series, (ts / 3600000) * 3600000 AS h, sum(count), sum(sum), min(min), max(max) FROM readings_1m GROUP BY series, h;
            DROP TABLE readings_v0;
            """;
        migrate.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>
    /// Files written before the chunk layout have <c>readings (series, ts, value)</c>, a row per reading: their readings move
    /// into chunks once, in one transaction, and the table goes. The rollups hold the same readings and stay as they are.
    /// </summary>
    private void MigrateRowsToChunks()
    {
        if (WriterScalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'readings'") == 0)
        {
            return;
        }

        using var tx = _writer.BeginTransaction();
        using var insert = _writer.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO reading_chunks (series, minute, count, data) VALUES ($series, $minute, $count, $data)";
        var pSeries = insert.Parameters.Add("$series", SqliteType.Integer);
        var pMinute = insert.Parameters.Add("$minute", SqliteType.Integer);
        var pCount = insert.Parameters.Add("$count", SqliteType.Integer);
        var pData = insert.Parameters.Add("$data", SqliteType.Blob);
        var chunk = new List<(long Ts, double Value)>();
        long series = 0, minute = 0;
        void Flush()
        {
            if (chunk.Count == 0)
            {
                return;
            }

            pSeries.Value = series;
            pMinute.Value = minute;
            pCount.Value = chunk.Count;
            pData.Value = ReadingChunk.Encode(minute, chunk);
            insert.ExecuteNonQuery();
            chunk.Clear();
        }

        using (var read = _writer.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT series, ts, value FROM readings ORDER BY series, ts";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                var (s, ts) = (reader.GetInt64(0), reader.GetInt64(1));
                var m = FloorTo(ts, MinuteMs);
                if (s != series || m != minute)
                {
                    Flush();
                    (series, minute) = (s, m);
                }

                chunk.Add((ts, reader.GetDouble(2)));
            }
        }

        Flush();
        using var drop = _writer.CreateCommand();
        drop.Transaction = tx;
        drop.CommandText = "DROP TABLE readings";
        drop.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>
    /// Files written before the minute-first keys have <c>readings_1m</c> keyed (series, ts): its rows move to the (ts, series)
    /// key once, in one transaction.
    /// </summary>
    private void MigrateMinuteRollupKey()
    {
        if (WriterScalar("SELECT pk FROM pragma_table_info('readings_1m') WHERE name = 'ts'") == 1)
        {
            return;
        }

        using var tx = _writer.BeginTransaction();
        using var migrate = _writer.CreateCommand();
        migrate.Transaction = tx;
        migrate.CommandText = """
            ALTER TABLE readings_1m RENAME TO readings_1m_v1;
            CREATE TABLE readings_1m (
                series INTEGER NOT NULL, ts INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
                PRIMARY KEY (ts, series)) WITHOUT ROWID;
            INSERT INTO readings_1m SELECT series, ts, count, sum, min, max FROM readings_1m_v1 ORDER BY ts, series;
            DROP TABLE readings_1m_v1;
            """;
        migrate.ExecuteNonQuery();
        tx.Commit();
    }

    private readonly record struct SeriesKey(string Device, string Metric, string Site);

    /// <summary>A raw row; its natural order is (minute, series, ts), the chunk key then time, so a sort of rows runs the runtime's specialised generic sort.</summary>
    private readonly record struct Row(long Series, long Ts, double Value) : IComparable<Row>
    {
        public long Minute { get; } = FloorTo(Ts, MinuteMs);

        public int CompareTo(Row other)
        {
            var byMinute = Minute.CompareTo(other.Minute);
            return byMinute != 0 ? byMinute : Series != other.Series ? Series.CompareTo(other.Series) : Ts.CompareTo(other.Ts);
        }
    }

    /// <summary>A chunk to write: its key, its readings, and where its bytes are in the arena.</summary>
    private readonly record struct Chunk(long Series, long Minute, int Count, int Start, int Length);

    private readonly record struct Bucket(long Series, long Ts, long Count, double Sum, double Min, double Max);
}

/// <summary>One raw reading as the embedded store holds it (<see cref="SqliteReadingStore.ReadAll"/>).</summary>
internal readonly record struct StoredReading(string Site, string Device, string Metric, long Ts, double Value);
