using Npgsql;
using NpgsqlTypes;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// Every delivery attempt, in the PostgreSQL alarm database that several rules/dashboard nodes share (the same table as
/// <see cref="SqliteDeliveryStore"/>). Pooled connections, one per call: thread-safe.
/// </summary>
internal sealed class PostgresDeliveryStore : IDeliveryStore
{
    private readonly NpgsqlDataSource _source;

    /// <param name="connectionString">An Npgsql connection string.</param>
    public PostgresDeliveryStore(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        try
        {
            PostgresSchema.Create(_source,
            [
                """
                CREATE TABLE IF NOT EXISTS alarm_deliveries (
                    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, alarm_id text NOT NULL, notification text NOT NULL,
                    at bigint NOT NULL, transition text NOT NULL, level integer NOT NULL, recipient text NOT NULL, channel text NOT NULL,
                    address text NOT NULL, attempt integer NOT NULL, outcome text NOT NULL, error text)
                """,
                "CREATE INDEX IF NOT EXISTS alarm_deliveries_alarm ON alarm_deliveries(alarm_id, seq)",
            ]);
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    public void Add(DeliveryRecord record)
    {
        using var insert = _source.CreateCommand("""
            INSERT INTO alarm_deliveries (alarm_id, notification, at, transition, level, recipient, channel, address, attempt, outcome, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """);
        var p = insert.Parameters;
        p.Add(new NpgsqlParameter { Value = record.AlarmId, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.NotificationId, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.At.ToUnixTimeMilliseconds(), NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = record.Transition, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Level, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = record.Recipient, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Channel, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Address, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Attempt, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = DeliveryOutcomeNames.ToWire(record.Outcome), NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)record.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.ExecuteNonQuery();
    }

    public IReadOnlyList<DeliveryRecord> ForAlarm(string alarmId)
    {
        using var select = _source.CreateCommand("""
            SELECT alarm_id, notification, at, transition, level, recipient, channel, address, attempt, outcome, error
            FROM alarm_deliveries WHERE alarm_id = $1 ORDER BY seq
            """);
        select.Parameters.Add(new NpgsqlParameter { Value = alarmId, NpgsqlDbType = NpgsqlDbType.Text });
        using var reader = select.ExecuteReader();
        return DeliveryOutcomeNames.ReadAll(reader);
    }

    public void Dispose() => _source.Dispose();
}
