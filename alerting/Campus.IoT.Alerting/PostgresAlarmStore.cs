using Campus.IoT.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Campus.IoT.Alerting;

/// <summary>
/// Alarms and their audit trail in PostgreSQL, shared by several rules/dashboard nodes; the same tables, columns (times as
/// Unix milliseconds) and behaviour as <see cref="SqliteAlarmStore"/>. Each save writes its transitions, their audit rows and
/// its input marks in one transaction. The audit trail is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and
/// hash-chained (<see cref="AuditChain"/>); since other nodes append too, every save that adds audit rows takes
/// <see cref="PostgresSchema.AuditLock"/> and reads the chain head from the database inside its transaction, never from memory.
/// Pooled connections, one per call, so API reads on request threads never wait for the writer.
/// </summary>
internal sealed class PostgresAlarmStore : IAlarmStore
{
    private const string Columns = AlarmRows.Columns;

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS alarms (
            id text PRIMARY KEY, rule text NOT NULL, site text NOT NULL, gateway text NOT NULL, device text, point text,
            zone text, label text, type text, metric text, value double precision, severity text NOT NULL, state text NOT NULL,
            raised_at bigint NOT NULL, updated_at bigint NOT NULL, acked_at bigint, acked_by text, ack_note text,
            cleared_at bigint, count integer NOT NULL, escalation_level integer NOT NULL, shelved_until bigint, shelved_from text,
            escalation_from bigint, flapping integer NOT NULL DEFAULT 0, clear_pending_since bigint, maintenance text,
            next_escalation_at bigint)
        """,
        "CREATE INDEX IF NOT EXISTS alarms_state ON alarms(state, site)",
        "CREATE INDEX IF NOT EXISTS alarms_raised ON alarms(raised_at)",
        """
        CREATE TABLE IF NOT EXISTS alarm_audit (
            seq bigint PRIMARY KEY, alarm_id text NOT NULL, at bigint NOT NULL, transition text NOT NULL, state text NOT NULL,
            by text NOT NULL, note text, prev_hash text NOT NULL, hash text NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS alarm_audit_alarm ON alarm_audit(alarm_id, seq)",
        """
        CREATE TABLE IF NOT EXISTS maintenance_windows (
            id text PRIMARY KEY, site text NOT NULL, gateway text, devices text NOT NULL, rules text NOT NULL,
            start_at bigint NOT NULL, until_at bigint NOT NULL, by text NOT NULL, reason text NOT NULL,
            ended_at bigint, ended_by text)
        """,
        """
        CREATE TABLE IF NOT EXISTS alarm_inputs (
            site text NOT NULL, gateway text NOT NULL, seq bigint NOT NULL, sent bigint NOT NULL, at bigint NOT NULL, PRIMARY KEY (site, gateway, seq, sent))
        """,
        "CREATE INDEX IF NOT EXISTS alarm_inputs_at ON alarm_inputs(site, at)",
        """
        CREATE OR REPLACE FUNCTION alarm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the alarm audit trail is append-only';
        END
        $$
        """,
        """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'alarm_audit'::regclass AND tgname = 'alarm_audit_no_change') THEN
                CREATE TRIGGER alarm_audit_no_change BEFORE UPDATE OR DELETE ON alarm_audit
                    FOR EACH ROW EXECUTE FUNCTION alarm_audit_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'alarm_audit'::regclass AND tgname = 'alarm_audit_no_truncate') THEN
                CREATE TRIGGER alarm_audit_no_truncate BEFORE TRUNCATE ON alarm_audit
                    FOR EACH STATEMENT EXECUTE FUNCTION alarm_audit_append_only();
            END IF;
        END
        $$
        """,
    ];

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;
    private int _saves;

    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="time">The clock input marks are pruned by (<see cref="AlarmRows.InputRetention"/>); the system clock by default.</param>
    public PostgresAlarmStore(string connectionString, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _source = NpgsqlDataSource.Create(connectionString);
        try
        {
            PostgresSchema.Create(_source, Schema);
            using var connection = _source.OpenConnection();
            using var prune = PruneInputs(connection, null);
            prune.ExecuteNonQuery();
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    public void Save(IReadOnlyList<AlarmTransition> transitions, IReadOnlyList<InputMark>? inputs = null)
    {
        if (transitions.Count == 0 && inputs is not { Count: > 0 })
        {
            return;
        }

        using var connection = _source.OpenConnection();
        using var tx = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, tx);
        foreach (var mark in inputs ?? [])
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO alarm_inputs (site, gateway, seq, sent, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                Text(mark.Site), Text(mark.Gateway), Bigint(mark.Seq), Bigint(mark.Sent.ToUnixTimeMilliseconds()), Bigint(mark.At.ToUnixTimeMilliseconds())));
        }

        if (Interlocked.Increment(ref _saves) % AlarmRows.PruneEverySaves == 0)
        {
            batch.BatchCommands.Add(Command("DELETE FROM alarm_inputs WHERE at < $1", Bigint(PruneBefore())));
        }

        if (transitions.Count > 0)
        {
            // Other nodes append to the same chain: wait for the others' saves to commit, then continue from the head they left.
            PostgresSchema.Lock(connection, tx, PostgresSchema.AuditLock);
            var (seq, hash) = ChainHead(connection, tx);
            foreach (var t in transitions)
            {
                batch.BatchCommands.Add(Upsert(t.Alarm));
                var a = t.Alarm;
                var at = t.At.ToUnixTimeMilliseconds();
                var previous = hash;
                seq++;
                hash = AuditChain.Hash(previous, seq, a.Id, at, t.Kind.ToWire(), a.State.ToWire(), t.By, t.Note);
                batch.BatchCommands.Add(Command(
                    "INSERT INTO alarm_audit (seq, alarm_id, at, transition, state, by, note, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    Bigint(seq), Text(a.Id), Bigint(at), Text(t.Kind.ToWire()), Text(a.State.ToWire()), Text(t.By), Text(t.Note), Text(previous), Text(hash)));
            }
        }

        batch.ExecuteNonQuery();
        tx.Commit();
    }

    private static (long Seq, string Hash) ChainHead(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        using var head = new NpgsqlCommand("SELECT seq, hash FROM alarm_audit ORDER BY seq DESC LIMIT 1", connection, tx);
        using var reader = head.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0, string.Empty);
    }

    private static NpgsqlBatchCommand Upsert(Alarm a) => Command(
        $"""
        INSERT INTO alarms ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23, $24, $25, $26, $27, $28)
        ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, label = excluded.label, type = excluded.type, value = excluded.value,
            severity = excluded.severity, state = excluded.state, updated_at = excluded.updated_at, acked_at = excluded.acked_at,
            acked_by = excluded.acked_by, ack_note = excluded.ack_note, cleared_at = excluded.cleared_at, count = excluded.count,
            escalation_level = excluded.escalation_level, shelved_until = excluded.shelved_until, shelved_from = excluded.shelved_from,
            escalation_from = excluded.escalation_from, flapping = excluded.flapping,
            clear_pending_since = excluded.clear_pending_since, maintenance = excluded.maintenance,
            next_escalation_at = excluded.next_escalation_at
        """,
        Text(a.Id), Text(a.Rule), Text(a.Site), Text(a.Gateway), Text(a.Device), Text(a.Point), Text(a.Zone), Text(a.Label),
        Text(a.Type?.ToWire()), Text(a.Metric), new NpgsqlParameter { Value = (object?)a.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double },
        Text(a.Severity.ToWire()), Text(a.State.ToWire()), Time(a.RaisedAt), Time(a.UpdatedAt), Time(a.AckedAt), Text(a.AckedBy), Text(a.AckNote),
        Time(a.ClearedAt), Integer(a.Count), Integer(a.EscalationLevel), Time(a.ShelvedUntil), Text(a.ShelvedFrom?.ToWire()),
        Time(a.EscalationFrom), Integer(a.Flapping ? 1 : 0), Time(a.ClearPendingSince), Text(a.Maintenance), Time(a.NextEscalationAt));

    public Alarm? Find(string id)
    {
        using var command = _source.CreateCommand($"SELECT {Columns} FROM alarms WHERE id = $1");
        command.Parameters.Add(Text(id));
        return ReadAll(command).FirstOrDefault();
    }

    public IReadOnlyList<Alarm> Query(IReadOnlyCollection<AlarmState> states, string? site, int limit)
    {
        using var command = _source.CreateCommand();
        var where = new List<string>();
        if (states.Count > 0)
        {
            where.Add($"state = ANY({Add(command, Texts(states.Select(s => s.ToWire())))})");
        }

        if (site is not null)
        {
            where.Add($"site = {Add(command, Text(site))}");
        }

        command.CommandText = $"SELECT {Columns} FROM alarms {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : string.Empty)} ORDER BY raised_at DESC, id COLLATE \"C\" DESC LIMIT {Add(command, Bigint(limit))}";
        return ReadAll(command);
    }

    public IReadOnlyList<Alarm> History(AlarmHistoryQuery query)
    {
        if (query.Sites is { Count: 0 } || query.Limit < 1)
        {
            return [];
        }

        using var command = _source.CreateCommand();
        var where = HistoryWhere(command, query.From, query.To, query.Sites);
        if (query.Severity is { } severity)
        {
            where.Add($"severity = {Add(command, Text(severity.ToWire()))}");
        }

        if (query.Rule is not null)
        {
            where.Add($"rule = {Add(command, Text(query.Rule))}");
        }

        // Without a visibility filter the database stops at the limit; with one, rows are read until enough pass it.
        command.CommandText = $"SELECT {Columns} FROM alarms WHERE {string.Join(" AND ", where)} ORDER BY raised_at DESC, id COLLATE \"C\" DESC";
        if (query.Visible is null)
        {
            command.CommandText += $" LIMIT {Add(command, Bigint(query.Limit))}";
        }

        return ReadAll(command, query.Visible is { } visible ? a => visible(a.Site, a.Device) : null, query.Limit);
    }

    public IReadOnlyList<AlarmTiming> Timings(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites, Func<string, string?, bool>? visible = null)
    {
        if (sites is { Count: 0 })
        {
            return [];
        }

        using var command = _source.CreateCommand();
        var where = HistoryWhere(command, from, to, sites);
        where.Add(AlarmRows.NeededAPerson);
        command.CommandText = $"SELECT {AlarmRows.TimingColumns} FROM alarms WHERE {string.Join(" AND ", where)}";
        using var reader = command.ExecuteReader();
        return AlarmRows.ReadTimings(reader, visible);
    }

    private static List<string> HistoryWhere(NpgsqlCommand command, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites)
    {
        var where = new List<string>
        {
            $"raised_at >= {Add(command, Bigint(from.ToUnixTimeMilliseconds()))}",
            $"raised_at < {Add(command, Bigint(to.ToUnixTimeMilliseconds()))}",
        };
        if (sites is not null)
        {
            where.Add($"site = ANY({Add(command, Texts(sites))})");
        }

        return where;
    }

    public IReadOnlyList<Alarm> LoadOpen(string? site = null) => Query(AlarmRows.Open, site, int.MaxValue);

    public IReadOnlyList<AlarmAuditEntry> Audit(string alarmId)
    {
        using var command = _source.CreateCommand("SELECT at, transition, state, by, note FROM alarm_audit WHERE alarm_id = $1 ORDER BY seq");
        command.Parameters.Add(Text(alarmId));
        using var reader = command.ExecuteReader();
        var entries = new List<AlarmAuditEntry>();
        while (reader.Read())
        {
            entries.Add(AlarmRows.ReadAudit(reader));
        }

        return entries;
    }

    public AuditVerification VerifyAudit()
    {
        using var command = _source.CreateCommand("SELECT seq, alarm_id, at, transition, state, by, note, prev_hash, hash FROM alarm_audit ORDER BY seq");
        using var reader = command.ExecuteReader();
        return AlarmRows.VerifyAudit(reader);
    }

    public void SaveMaintenance(MaintenanceWindow window)
    {
        using var upsert = _source.CreateCommand($"""
            INSERT INTO maintenance_windows ({AlarmRows.MaintenanceColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, ended_by = excluded.ended_by
            """);
        upsert.Parameters.AddRange(new[]
        {
            Text(window.Id), Text(window.Site), Text(window.Gateway), Text(window.Devices), Text(string.Join(',', window.Rules)),
            Time(window.From), Time(window.Until), Text(window.By), Text(window.Reason), Time(window.EndedAt), Text(window.EndedBy),
        });
        upsert.ExecuteNonQuery();
    }

    public IReadOnlyList<MaintenanceWindow> LoadMaintenance(DateTimeOffset since) =>
        ReadMaintenance("WHERE least(ended_at, until_at) > $1 ORDER BY start_at, id COLLATE \"C\"", Time(since));

    public MaintenanceWindow? FindMaintenance(string id) => ReadMaintenance("WHERE id = $1", Text(id)).FirstOrDefault();

    private List<MaintenanceWindow> ReadMaintenance(string where, NpgsqlParameter parameter)
    {
        using var select = _source.CreateCommand($"SELECT {AlarmRows.MaintenanceColumns} FROM maintenance_windows {where}");
        select.Parameters.Add(parameter);
        using var reader = select.ExecuteReader();
        var windows = new List<MaintenanceWindow>();
        while (reader.Read())
        {
            windows.Add(AlarmRows.ReadMaintenance(reader));
        }

        return windows;
    }

    public DateTimeOffset? LastChange(string site)
    {
        using var select = _source.CreateCommand("SELECT max(updated_at) FROM alarms WHERE site = $1");
        select.Parameters.Add(Text(site));
        return select.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    public IReadOnlyList<InputMark> RecentInputs(string site, DateTimeOffset since)
    {
        using var select = _source.CreateCommand("SELECT site, gateway, seq, sent, at FROM alarm_inputs WHERE site = $1 AND at >= $2 ORDER BY gateway COLLATE \"C\", seq");
        select.Parameters.Add(Text(site));
        select.Parameters.Add(Time(since));
        using var reader = select.ExecuteReader();
        var marks = new List<InputMark>();
        while (reader.Read())
        {
            marks.Add(AlarmRows.ReadInput(reader));
        }

        return marks;
    }

    public void Dispose() => _source.Dispose();

    private NpgsqlCommand PruneInputs(NpgsqlConnection connection, NpgsqlTransaction? tx)
    {
        var prune = new NpgsqlCommand("DELETE FROM alarm_inputs WHERE at < $1", connection, tx);
        prune.Parameters.Add(Bigint(PruneBefore()));
        return prune;
    }

    private long PruneBefore() => (_time.GetUtcNow() - AlarmRows.InputRetention).ToUnixTimeMilliseconds();

    private static List<Alarm> ReadAll(NpgsqlCommand command, Func<Alarm, bool>? keep = null, int limit = int.MaxValue)
    {
        using var reader = command.ExecuteReader();
        return AlarmRows.ReadAll(reader, keep, limit);
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>Adds a positional parameter; its placeholder (<c>$n</c>).</summary>
    private static string Add(NpgsqlCommand command, NpgsqlParameter parameter)
    {
        command.Parameters.Add(parameter);
        return "$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Texts(IEnumerable<string> values) => new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Bigint(long value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private static NpgsqlParameter Integer(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    private static NpgsqlParameter Time(DateTimeOffset? value) => new() { Value = (object?)value?.ToUnixTimeMilliseconds() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };
}
