using Npgsql;

namespace Campus.IoT.Alerting;

/// <summary>
/// Creates the alarm stores' tables in PostgreSQL idempotently. Several nodes may start at the same moment, and
/// <c>CREATE TABLE IF NOT EXISTS</c> is not safe against itself, so each node creates the schema in one transaction under
/// <see cref="SchemaLock"/>.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The transaction-level advisory lock key held while the alarm schema is created.</summary>
    public const long SchemaLock = 0x43616D7075_0001;

    /// <summary>The transaction-level advisory lock key held by every save that appends to the audit chain.</summary>
    public const long AuditLock = 0x43616D7075_0002;

    public static void Create(NpgsqlDataSource source, IEnumerable<string> statements)
    {
        using var connection = source.OpenConnection();
        using var tx = connection.BeginTransaction();
        Lock(connection, tx, SchemaLock);
        foreach (var sql in statements)
        {
            using var command = new NpgsqlCommand(sql, connection, tx);
            command.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <summary>Waits for the transaction-level advisory lock <paramref name="key"/> (released at commit or rollback).</summary>
    public static void Lock(NpgsqlConnection connection, NpgsqlTransaction tx, long key)
    {
        using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = key, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.ExecuteNonQuery();
    }
}
