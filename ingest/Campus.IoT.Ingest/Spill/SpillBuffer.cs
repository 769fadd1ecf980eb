using System.Text.Json;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest.Spill;

/// <summary>
/// The disk buffer ingest writes batches to while the time-series store is down or too slow, so it can keep acknowledging
/// the broker without holding anything only in memory. A SQLite table in its own file (<c>ingest.db</c>), WAL with
/// <c>synchronous = FULL</c>: an append is on disk when it returns, a crash loses nothing appended, and the order is kept.
/// Batches are replayed into the store oldest first and removed only after the store has them.
/// </summary>
internal sealed class SpillBuffer : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private long _count;
    private long _bytes;

    public SpillBuffer(string path)
    {
        _connection = SqliteFiles.Open(path, "FULL", """
            CREATE TABLE IF NOT EXISTS spill (
                id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, gateway TEXT NOT NULL, seq INTEGER NOT NULL,
                readings BLOB, events BLOB, bytes INTEGER NOT NULL);
            """);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(sum(bytes), 0) FROM spill";
        using var reader = command.ExecuteReader();
        reader.Read();
        _count = reader.GetInt64(0);
        _bytes = reader.GetInt64(1);
    }

    /// <summary>Batches waiting to be replayed into the store.</summary>
    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Bytes of the waiting batches' content.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Appends the batches (those with content) in one transaction; durable when it returns.</summary>
    public void Append(IReadOnlyList<IngestBatch> batches)
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            using var insert = _connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO spill (site, gateway, seq, readings, events, bytes) VALUES ($site, $gateway, $seq, $readings, $events, $bytes)";
            var site = insert.Parameters.Add("$site", SqliteType.Text);
            var gateway = insert.Parameters.Add("$gateway", SqliteType.Text);
            var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var readings = insert.Parameters.Add("$readings", SqliteType.Blob);
            var events = insert.Parameters.Add("$events", SqliteType.Blob);
            var bytes = insert.Parameters.Add("$bytes", SqliteType.Integer);
            insert.Prepare();
            long added = 0, addedBytes = 0;
            foreach (var batch in batches)
            {
                if (batch.IsEmpty)
                {
                    continue;
                }

                var r = batch.Readings.Count == 0 ? null : JsonSerializer.SerializeToUtf8Bytes(new TelemetryMessage(batch.Seq, default, batch.Readings), TelemetryJsonContext.Default.TelemetryMessage);
                var e = batch.Events.Count == 0 ? null : JsonSerializer.SerializeToUtf8Bytes(new EventMessage(batch.Seq, default, batch.Events), TelemetryJsonContext.Default.EventMessage);
                var size = (r?.Length ?? 0) + (e?.Length ?? 0);
                site.Value = batch.Site;
                gateway.Value = batch.Gateway;
                seq.Value = batch.Seq;
                readings.Value = (object?)r ?? DBNull.Value;
                events.Value = (object?)e ?? DBNull.Value;
                bytes.Value = size;
                insert.ExecuteNonQuery();
                added++;
                addedBytes += size;
            }

            tx.Commit();
            _count += added;
            _bytes += addedBytes;
        }
    }

    /// <summary>The oldest batches, up to <paramref name="max"/>, without removing them.</summary>
    public SpillChunk Peek(int max)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT id, site, gateway, seq, readings, events, bytes FROM spill ORDER BY id LIMIT $max";
            select.Parameters.AddWithValue("$max", max);
            using var reader = select.ExecuteReader();
            var batches = new List<IngestBatch>();
            long lastId = 0, bytes = 0;
            while (reader.Read())
            {
                lastId = reader.GetInt64(0);
                var readings = reader.IsDBNull(4) ? [] : JsonSerializer.Deserialize((byte[])reader.GetValue(4), TelemetryJsonContext.Default.TelemetryMessage)!.Readings;
                var events = reader.IsDBNull(5) ? [] : JsonSerializer.Deserialize((byte[])reader.GetValue(5), TelemetryJsonContext.Default.EventMessage)!.Events;
                batches.Add(new IngestBatch(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), readings, events));
                bytes += reader.GetInt64(6);
            }

            return new SpillChunk(batches, lastId, bytes);
        }
    }

    /// <summary>The store has these batches: they leave the spill.</summary>
    public void Remove(SpillChunk chunk)
    {
        if (chunk.Batches.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            using var delete = _connection.CreateCommand();
            delete.CommandText = "DELETE FROM spill WHERE id <= $id";
            delete.Parameters.AddWithValue("$id", chunk.LastId);
            var removed = delete.ExecuteNonQuery();
            _count -= removed;
            _bytes -= chunk.Bytes;
            if (_count == 0)
            {
                _bytes = 0;
            }
        }
    }

    /// <summary>How long an append waits for a lock held by someone else before it fails (tests shorten it).</summary>
    internal void SetBusyTimeout(int milliseconds)
    {
        lock (_lock)
        {
            using var pragma = _connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {milliseconds}";
            pragma.ExecuteNonQuery();
            _connection.DefaultTimeout = Math.Max(1, milliseconds / 1000);
        }
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>Spilled batches read for replay, and the position to remove them up to.</summary>
internal sealed record SpillChunk(IReadOnlyList<IngestBatch> Batches, long LastId, long Bytes);
