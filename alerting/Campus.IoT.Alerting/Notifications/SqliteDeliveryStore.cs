using Microsoft.Data.Sqlite;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// Every delivery attempt, in the alarm database (its own connection: deliveries are written from the dispatcher's tasks,
/// alarms under the alarm service's lock; WAL lets both write). Thread-safe.
/// </summary>
internal sealed class SqliteDeliveryStore : IDeliveryStore
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    public SqliteDeliveryStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS alarm_deliveries (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id TEXT NOT NULL, notification TEXT NOT NULL, at INTEGER NOT NULL,
                transition TEXT NOT NULL, level INTEGER NOT NULL, recipient TEXT NOT NULL, channel TEXT NOT NULL,
                address TEXT NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL, error TEXT);
            CREATE INDEX IF NOT EXISTS alarm_deliveries_alarm ON alarm_deliveries(alarm_id, seq);
            """;
        create.ExecuteNonQuery();
    }

    public void Add(DeliveryRecord record)
    {
        lock (_lock)
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO alarm_deliveries (alarm_id, notification, at, transition, level, recipient, channel, address, attempt, outcome, error)
                VALUES ($alarm, $notification, $at, $transition, $level, $recipient, $channel, $address, $attempt, $outcome, $error)
                """;
            var p = insert.Parameters;
            p.AddWithValue("$alarm", record.AlarmId);
            p.AddWithValue("$notification", record.NotificationId);
            p.AddWithValue("$at", record.At.ToUnixTimeMilliseconds());
            p.AddWithValue("$transition", record.Transition);
            p.AddWithValue("$level", record.Level);
            p.AddWithValue("$recipient", record.Recipient);
            p.AddWithValue("$channel", record.Channel);
            p.AddWithValue("$address", record.Address);
            p.AddWithValue("$attempt", record.Attempt);
            p.AddWithValue("$outcome", DeliveryOutcomeNames.ToWire(record.Outcome));
            p.AddWithValue("$error", (object?)record.Error ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<DeliveryRecord> ForAlarm(string alarmId)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = """
                SELECT alarm_id, notification, at, transition, level, recipient, channel, address, attempt, outcome, error
                FROM alarm_deliveries WHERE alarm_id = $alarm ORDER BY seq
                """;
            select.Parameters.AddWithValue("$alarm", alarmId);
            using var reader = select.ExecuteReader();
            return DeliveryOutcomeNames.ReadAll(reader);
        }
    }

    public void Dispose() => _connection.Dispose();
}
