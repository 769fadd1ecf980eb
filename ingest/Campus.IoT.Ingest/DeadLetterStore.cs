using System.Buffers;
using System.Text;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest;

/// <summary>
/// Rejected messages and items with their raw payload, kept for operators (<c>GET /api/ingest/rejects</c>) across restarts:
/// a table in <c>ingest.db</c>, bounded to the newest <c>capacity</c> rows. A message with several bad items is stored once per
/// rejection, sharing nothing, so each row stands alone.
/// </summary>
internal sealed class DeadLetterStore : IDisposable
{
    public const int PreviewChars = 4096;

    /// <summary>Payloads are kept whole up to this size (the decoder rejects payloads over 256 KiB as too_large without parsing them).</summary>
    public const int MaxStoredBytes = 257 * 1024;

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private int _sinceTrim;

    public DeadLetterStore(string path, int capacity)
    {
        _capacity = capacity;
        _connection = SqliteFiles.Open(path, "NORMAL", """
            CREATE TABLE IF NOT EXISTS dead_letters (
                id INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, topic TEXT NOT NULL, scope TEXT NOT NULL,
                reason TEXT NOT NULL, detail TEXT NOT NULL, item INTEGER, payload BLOB NOT NULL, payload_bytes INTEGER NOT NULL);
            """);
    }

    /// <summary>Failures to record a rejection (the rejection itself is still counted and logged).</summary>
    public long Failures { get; private set; }

    public void Add(DateTimeOffset at, string topic, string scope, string reason, string detail, int? index, ReadOnlySequence<byte> payload)
    {
        var stored = payload.Length > MaxStoredBytes ? payload.Slice(0, MaxStoredBytes).ToArray() : payload.ToArray();
        lock (_lock)
        {
            try
            {
                using var insert = _connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO dead_letters (received_at, topic, scope, reason, detail, item, payload, payload_bytes)
                    VALUES ($at, $topic, $scope, $reason, $detail, $item, $payload, $bytes)
                    """;
                insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$topic", topic);
                insert.Parameters.AddWithValue("$scope", scope);
                insert.Parameters.AddWithValue("$reason", reason);
                insert.Parameters.AddWithValue("$detail", detail);
                insert.Parameters.AddWithValue("$item", (object?)index ?? DBNull.Value);
                insert.Parameters.AddWithValue("$payload", stored);
                insert.Parameters.AddWithValue("$bytes", payload.Length);
                insert.ExecuteNonQuery();
                if (++_sinceTrim >= Math.Max(1, _capacity / 100))
                {
                    _sinceTrim = 0;
                    using var trim = _connection.CreateCommand();
                    trim.CommandText = "DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - $capacity";
                    trim.Parameters.AddWithValue("$capacity", _capacity);
                    trim.ExecuteNonQuery();
                }
            }
            catch (SqliteException)
            {
                Failures++;
                throw;
            }
        }
    }

    /// <summary>The newest rejections first, at most <paramref name="limit"/> (and never more than the capacity).</summary>
    public IReadOnlyList<RejectedMessage> Snapshot(int limit = 200, string? reason = null)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = $"""
                SELECT id, received_at, topic, scope, reason, detail, item, substr(payload, 1, {PreviewChars}), payload_bytes FROM dead_letters
                WHERE id > (SELECT coalesce(max(id), 0) FROM dead_letters) - $capacity {(reason is null ? string.Empty : "AND reason = $reason")}
                ORDER BY id DESC LIMIT $limit
                """;
            select.Parameters.AddWithValue("$capacity", _capacity);
            select.Parameters.AddWithValue("$limit", Math.Min(limit, _capacity));
            if (reason is not null)
            {
                select.Parameters.AddWithValue("$reason", reason);
            }

            using var reader = select.ExecuteReader();
            var items = new List<RejectedMessage>();
            while (reader.Read())
            {
                var preview = (byte[])reader.GetValue(7);
                var bytes = reader.GetInt64(8);
                var text = Encoding.UTF8.GetString(preview);
                if (bytes > preview.Length)
                {
                    text += $"… ({bytes} bytes)";
                }

                items.Add(new RejectedMessage(
                    reader.GetInt64(0),
                    Timestamps.FromUnixMilliseconds(reader.GetInt64(1)),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    text,
                    bytes));
            }

            return items;
        }
    }

    /// <summary>The raw payload of one rejection as received (up to <see cref="MaxStoredBytes"/>), or null.</summary>
    public byte[]? Payload(long id)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT payload FROM dead_letters WHERE id = $id";
            select.Parameters.AddWithValue("$id", id);
            return select.ExecuteScalar() as byte[];
        }
    }

    public void Dispose() => _connection.Dispose();
}
