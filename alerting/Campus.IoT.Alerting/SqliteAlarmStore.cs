using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Alerting;

/// <summary>
/// Alarms and their audit trail in SQLite (WAL). Each transition is written with its audit row in one transaction. The audit
/// trail is append-only (triggers refuse UPDATE and DELETE) and hash-chained (<see cref="AuditChain"/>), so an edit made
/// around the triggers is still found by <see cref="VerifyAudit"/>. One node's store: the chain head is kept in memory, so
/// only one process may write the file (several nodes share a <see cref="PostgresAlarmStore"/>).
/// </summary>
internal sealed class SqliteAlarmStore : IAlarmStore
{
    private const string Columns = AlarmRows.Columns;

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;

    // One connection, used by the alarm service (under its own lock) and by API reads on request threads: a command run
    // while another thread's transaction is open on the connection would fail, so every public method holds this.
    private readonly Lock _lock = new();
    private long _lastSeq;
    private string _lastHash = string.Empty;
    private int _saves;

    /// <param name="time">The clock input marks are pruned by (<see cref="AlarmRows.InputRetention"/>); the system clock by default.</param>
    public SqliteAlarmStore(string path, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS alarms (
                id TEXT PRIMARY KEY, rule TEXT NOT NULL, site TEXT NOT NULL, gateway TEXT NOT NULL, device TEXT, point TEXT,
                zone TEXT, label TEXT, type TEXT, metric TEXT, value REAL, severity TEXT NOT NULL, state TEXT NOT NULL,
                raised_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, acked_at INTEGER, acked_by TEXT, ack_note TEXT,
                cleared_at INTEGER, count INTEGER NOT NULL, escalation_level INTEGER NOT NULL, shelved_until INTEGER, shelved_from TEXT,
                escalation_from INTEGER, flapping INTEGER NOT NULL DEFAULT 0, clear_pending_since INTEGER, maintenance TEXT,
                next_escalation_at INTEGER);
            CREATE INDEX IF NOT EXISTS alarms_state ON alarms(state, site);
            CREATE INDEX IF NOT EXISTS alarms_raised ON alarms(raised_at);
            CREATE TABLE IF NOT EXISTS alarm_audit (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id TEXT NOT NULL, at INTEGER NOT NULL, transition TEXT NOT NULL,
                state TEXT NOT NULL, by TEXT NOT NULL, note TEXT);
            CREATE INDEX IF NOT EXISTS alarm_audit_alarm ON alarm_audit(alarm_id, seq);
            CREATE TABLE IF NOT EXISTS maintenance_windows (
                id TEXT PRIMARY KEY, site TEXT NOT NULL, gateway TEXT, devices TEXT NOT NULL, rules TEXT NOT NULL,
                start_at INTEGER NOT NULL, until_at INTEGER NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL,
                ended_at INTEGER, ended_by TEXT);
            CREATE TABLE IF NOT EXISTS alarm_inputs (
                site TEXT NOT NULL, gateway TEXT NOT NULL, seq INTEGER NOT NULL, sent INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (site, gateway, seq, sent));
            CREATE INDEX IF NOT EXISTS alarm_inputs_at ON alarm_inputs(site, at);
            """);
        AddColumns();
        SealAuditChain();
        using var last = _connection.CreateCommand();
        last.CommandText = "SELECT seq, hash FROM alarm_audit ORDER BY seq DESC LIMIT 1";
        using var reader = last.ExecuteReader();
        if (reader.Read())
        {
            _lastSeq = reader.GetInt64(0);
            _lastHash = reader.GetString(1);
        }

        PruneInputs(null);
    }

    /// <summary>Deletes the input marks older than <see cref="AlarmRows.InputRetention"/>.</summary>
    private void PruneInputs(SqliteTransaction? tx)
    {
        using var prune = _connection.CreateCommand();
        prune.Transaction = tx;
        prune.CommandText = "DELETE FROM alarm_inputs WHERE at < $before";
        prune.Parameters.AddWithValue("$before", (_time.GetUtcNow() - AlarmRows.InputRetention).ToUnixTimeMilliseconds());
        prune.ExecuteNonQuery();
    }

    /// <summary>Files from before a column existed get it (shelving; escalation base, flapping, maintenance).</summary>
    private void AddColumns()
    {
        (string Name, string Type)[] added =
        [
            ("shelved_until", "INTEGER"), ("shelved_from", "TEXT"), ("escalation_from", "INTEGER"),
            ("flapping", "INTEGER NOT NULL DEFAULT 0"), ("clear_pending_since", "INTEGER"), ("maintenance", "TEXT"), ("next_escalation_at", "INTEGER"),
        ];
        foreach (var (name, type) in added)
        {
            using var probe = _connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM pragma_table_info('alarms') WHERE name = $name";
            probe.Parameters.AddWithValue("$name", name);
            if ((long)probe.ExecuteScalar()! == 0)
            {
                Execute($"ALTER TABLE alarms ADD COLUMN {name} {type}");
            }
        }
    }

    /// <summary>
    /// Files from before the chain get its columns, their existing rows chained in order (sealed as they are found), and the
    /// append-only triggers.
    /// </summary>
    private void SealAuditChain()
    {
        using var probe = _connection.CreateCommand();
        probe.CommandText = "SELECT count(*) FROM pragma_table_info('alarm_audit') WHERE name = 'hash'";
        if ((long)probe.ExecuteScalar()! == 0)
        {
            using var tx = _connection.BeginTransaction();
            using (var alter = _connection.CreateCommand())
            {
                alter.Transaction = tx;
                alter.CommandText = """
                    ALTER TABLE alarm_audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
                    ALTER TABLE alarm_audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
                    """;
                alter.ExecuteNonQuery();
            }

            var rows = new List<(long Seq, string AlarmId, long At, string Transition, string State, string By, string? Note)>();
            using (var select = _connection.CreateCommand())
            {
                select.Transaction = tx;
                select.CommandText = "SELECT seq, alarm_id, at, transition, state, by, note FROM alarm_audit ORDER BY seq";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
                }
            }

            var previous = string.Empty;
            foreach (var r in rows)
            {
                var hash = AuditChain.Hash(previous, r.Seq, r.AlarmId, r.At, r.Transition, r.State, r.By, r.Note);
                using var update = _connection.CreateCommand();
                update.Transaction = tx;
                update.CommandText = "UPDATE alarm_audit SET prev_hash = $prev, hash = $hash WHERE seq = $seq";
                update.Parameters.AddWithValue("$prev", previous);
                update.Parameters.AddWithValue("$hash", hash);
                update.Parameters.AddWithValue("$seq", r.Seq);
                update.ExecuteNonQuery();
                previous = hash;
            }

            tx.Commit();
        }

        Execute("""
            CREATE TRIGGER IF NOT EXISTS alarm_audit_no_update BEFORE UPDATE ON alarm_audit
            BEGIN SELECT RAISE(ABORT, 'the alarm audit trail is append-only'); END;
            CREATE TRIGGER IF NOT EXISTS alarm_audit_no_delete BEFORE DELETE ON alarm_audit
            BEGIN SELECT RAISE(ABORT, 'the alarm audit trail is append-only'); END;
            """);
    }

    /// <summary>
    /// Walks the whole audit trail in order: every row must follow the previous one (seq + 1), name the previous row's hash,
    /// and hash to what it says. Reports the first row where that fails.
    /// </summary>
    public AuditVerification VerifyAudit()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT seq, alarm_id, at, transition, state, by, note, prev_hash, hash FROM alarm_audit ORDER BY seq";
            using var reader = command.ExecuteReader();
            return AlarmRows.VerifyAudit(reader);
        }
    }

    public void Save(IReadOnlyList<AlarmTransition> transitions, IReadOnlyList<InputMark>? inputs = null)
    {
        lock (_lock)
        {
            if (transitions.Count == 0 && inputs is not { Count: > 0 })
            {
                return;
            }

            var seq = _lastSeq;
            var hash = _lastHash;
            using var tx = _connection.BeginTransaction();
            foreach (var mark in inputs ?? [])
            {
                using var insert = _connection.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = "INSERT OR IGNORE INTO alarm_inputs (site, gateway, seq, sent, at) VALUES ($site, $gateway, $seq, $sent, $at)";
                insert.Parameters.AddWithValue("$site", mark.Site);
                insert.Parameters.AddWithValue("$gateway", mark.Gateway);
                insert.Parameters.AddWithValue("$seq", mark.Seq);
                insert.Parameters.AddWithValue("$sent", mark.Sent.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$at", mark.At.ToUnixTimeMilliseconds());
                insert.ExecuteNonQuery();
            }

            if (++_saves % AlarmRows.PruneEverySaves == 0)
            {
                PruneInputs(tx);
            }

            foreach (var t in transitions)
            {
                var a = t.Alarm;
                using var upsert = _connection.CreateCommand();
                upsert.Transaction = tx;
                upsert.CommandText = $"""
                    INSERT INTO alarms ({Columns}) VALUES ($id, $rule, $site, $gateway, $device, $point, $zone, $label, $type, $metric, $value,
                        $severity, $state, $raised_at, $updated_at, $acked_at, $acked_by, $ack_note, $cleared_at, $count, $escalation_level,
                        $shelved_until, $shelved_from, $escalation_from, $flapping, $clear_pending_since, $maintenance, $next_escalation_at)
                    ON CONFLICT(id) DO UPDATE SET zone = excluded.zone, label = excluded.label, type = excluded.type, value = excluded.value,
                        severity = excluded.severity, state = excluded.state, updated_at = excluded.updated_at, acked_at = excluded.acked_at,
                        acked_by = excluded.acked_by, ack_note = excluded.ack_note, cleared_at = excluded.cleared_at, count = excluded.count,
                        escalation_level = excluded.escalation_level, shelved_until = excluded.shelved_until, shelved_from = excluded.shelved_from,
                        escalation_from = excluded.escalation_from, flapping = excluded.flapping,
                        clear_pending_since = excluded.clear_pending_since, maintenance = excluded.maintenance,
                        next_escalation_at = excluded.next_escalation_at
                    """;
                var p = upsert.Parameters;
                p.AddWithValue("$id", a.Id);
                p.AddWithValue("$rule", a.Rule);
                p.AddWithValue("$site", a.Site);
                p.AddWithValue("$gateway", a.Gateway);
                p.AddWithValue("$device", (object?)a.Device ?? DBNull.Value);
                p.AddWithValue("$point", (object?)a.Point ?? DBNull.Value);
                p.AddWithValue("$zone", (object?)a.Zone ?? DBNull.Value);
                p.AddWithValue("$label", (object?)a.Label ?? DBNull.Value);
                p.AddWithValue("$type", (object?)a.Type?.ToWire() ?? DBNull.Value);
                p.AddWithValue("$metric", (object?)a.Metric ?? DBNull.Value);
                p.AddWithValue("$value", (object?)a.Value ?? DBNull.Value);
                p.AddWithValue("$severity", a.Severity.ToWire());
                p.AddWithValue("$state", a.State.ToWire());
                p.AddWithValue("$raised_at", a.RaisedAt.ToUnixTimeMilliseconds());
                p.AddWithValue("$updated_at", a.UpdatedAt.ToUnixTimeMilliseconds());
                p.AddWithValue("$acked_at", (object?)a.AckedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                p.AddWithValue("$acked_by", (object?)a.AckedBy ?? DBNull.Value);
                p.AddWithValue("$ack_note", (object?)a.AckNote ?? DBNull.Value);
                p.AddWithValue("$cleared_at", (object?)a.ClearedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                p.AddWithValue("$count", a.Count);
                p.AddWithValue("$escalation_level", a.EscalationLevel);
                p.AddWithValue("$shelved_until", (object?)a.ShelvedUntil?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                p.AddWithValue("$shelved_from", (object?)a.ShelvedFrom?.ToWire() ?? DBNull.Value);
                p.AddWithValue("$escalation_from", (object?)a.EscalationFrom?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                p.AddWithValue("$flapping", a.Flapping ? 1 : 0);
                p.AddWithValue("$clear_pending_since", (object?)a.ClearPendingSince?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                p.AddWithValue("$maintenance", (object?)a.Maintenance ?? DBNull.Value);
                p.AddWithValue("$next_escalation_at", (object?)a.NextEscalationAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                upsert.ExecuteNonQuery();

                using var audit = _connection.CreateCommand();
                audit.Transaction = tx;
                audit.CommandText = """
                    INSERT INTO alarm_audit (seq, alarm_id, at, transition, state, by, note, prev_hash, hash)
                    VALUES ($seq, $id, $at, $transition, $state, $by, $note, $prev, $hash)
                    """;
                var at = t.At.ToUnixTimeMilliseconds();
                var previous = hash;
                seq++;
                hash = AuditChain.Hash(previous, seq, a.Id, at, t.Kind.ToWire(), a.State.ToWire(), t.By, t.Note);
                audit.Parameters.AddWithValue("$seq", seq);
                audit.Parameters.AddWithValue("$id", a.Id);
                audit.Parameters.AddWithValue("$at", at);
                audit.Parameters.AddWithValue("$transition", t.Kind.ToWire());
                audit.Parameters.AddWithValue("$state", a.State.ToWire());
                audit.Parameters.AddWithValue("$by", t.By);
                audit.Parameters.AddWithValue("$note", (object?)t.Note ?? DBNull.Value);
                audit.Parameters.AddWithValue("$prev", previous);
                audit.Parameters.AddWithValue("$hash", hash);
                audit.ExecuteNonQuery();
            }

            tx.Commit();
            _lastSeq = seq;
            _lastHash = hash;
        }
    }

    public Alarm? Find(string id)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM alarms WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return ReadAll(command).FirstOrDefault();
        }
    }

    /// <summary>Alarms in any of <paramref name="states"/> (all when empty), optionally of one site, newest first.</summary>
    public IReadOnlyList<Alarm> Query(IReadOnlyCollection<AlarmState> states, string? site, int limit)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            var where = new List<string>();
            if (states.Count > 0)
            {
                var names = states.Select((s, i) => $"$s{i}").ToList();
                where.Add($"state IN ({string.Join(", ", names)})");
                var i = 0;
                foreach (var s in states)
                {
                    command.Parameters.AddWithValue($"$s{i++}", s.ToWire());
                }
            }

            if (site is not null)
            {
                where.Add("site = $site");
                command.Parameters.AddWithValue("$site", site);
            }

            command.CommandText = $"SELECT {Columns} FROM alarms {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : string.Empty)} ORDER BY raised_at DESC, id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$limit", limit);
            return ReadAll(command);
        }
    }

    /// <summary>
    /// Alarms raised in [from, to) (any state), newest first, as <paramref name="query"/> narrows them; at most its limit
    /// of those it lets through.
    /// </summary>
    public IReadOnlyList<Alarm> History(AlarmHistoryQuery query)
    {
        lock (_lock)
        {
            if (query.Sites is { Count: 0 } || query.Limit < 1)
            {
                return [];
            }

            using var command = _connection.CreateCommand();
            var where = HistoryWhere(command, query.From, query.To, query.Sites);
            if (query.Severity is { } severity)
            {
                where.Add("severity = $severity");
                command.Parameters.AddWithValue("$severity", severity.ToWire());
            }

            if (query.Rule is not null)
            {
                where.Add("rule = $rule");
                command.Parameters.AddWithValue("$rule", query.Rule);
            }

            // Without a visibility filter the database stops at the limit; with one, rows are read until enough pass it.
            command.CommandText = $"SELECT {Columns} FROM alarms WHERE {string.Join(" AND ", where)} ORDER BY raised_at DESC, id DESC";
            if (query.Visible is null)
            {
                command.CommandText += " LIMIT $limit";
                command.Parameters.AddWithValue("$limit", query.Limit);
            }

            return ReadAll(command, query.Visible is { } visible ? a => visible(a.Site, a.Device) : null, query.Limit);
        }
    }

    /// <summary>
    /// The times of the alarms raised in [from, to) of <paramref name="sites"/> (every site when null) that needed a person:
    /// those that were on the board unacknowledged at some point (active_unack or cleared_unack in their audit trail), so
    /// not those a maintenance window kept suppressed throughout.
    /// </summary>
    public IReadOnlyList<AlarmTiming> Timings(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites, Func<string, string?, bool>? visible = null)
    {
        lock (_lock)
        {
            if (sites is { Count: 0 })
            {
                return [];
            }

            using var command = _connection.CreateCommand();
            var where = HistoryWhere(command, from, to, sites);
            where.Add(AlarmRows.NeededAPerson);
            command.CommandText = $"SELECT {AlarmRows.TimingColumns} FROM alarms WHERE {string.Join(" AND ", where)}";
            using var reader = command.ExecuteReader();
            return AlarmRows.ReadTimings(reader, visible);
        }
    }

    private static List<string> HistoryWhere(SqliteCommand command, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites)
    {
        var where = new List<string> { "raised_at >= $from", "raised_at < $to" };
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        if (sites is not null)
        {
            var names = sites.Select((_, i) => $"$site{i}").ToList();
            where.Add($"site IN ({string.Join(", ", names)})");
            var i = 0;
            foreach (var site in sites)
            {
                command.Parameters.AddWithValue($"$site{i++}", site);
            }
        }

        return where;
    }

    public IReadOnlyList<Alarm> LoadOpen(string? site = null) => Query(AlarmRows.Open, site, int.MaxValue);

    public DateTimeOffset? LastChange(string site)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT max(updated_at) FROM alarms WHERE site = $site";
            select.Parameters.AddWithValue("$site", site);
            return select.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    public IReadOnlyList<InputMark> RecentInputs(string site, DateTimeOffset since)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT site, gateway, seq, sent, at FROM alarm_inputs WHERE site = $site AND at >= $since ORDER BY gateway, seq";
            select.Parameters.AddWithValue("$site", site);
            select.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            using var reader = select.ExecuteReader();
            var marks = new List<InputMark>();
            while (reader.Read())
            {
                marks.Add(AlarmRows.ReadInput(reader));
            }

            return marks;
        }
    }

    public IReadOnlyList<AlarmAuditEntry> Audit(string alarmId)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT at, transition, state, by, note FROM alarm_audit WHERE alarm_id = $id ORDER BY seq";
            command.Parameters.AddWithValue("$id", alarmId);
            using var reader = command.ExecuteReader();
            var entries = new List<AlarmAuditEntry>();
            while (reader.Read())
            {
                entries.Add(AlarmRows.ReadAudit(reader));
            }

            return entries;
        }
    }

    /// <summary>Stores a maintenance window (new, or ended early).</summary>
    public void SaveMaintenance(MaintenanceWindow window)
    {
        lock (_lock)
        {
            using var upsert = _connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO maintenance_windows (id, site, gateway, devices, rules, start_at, until_at, by, reason, ended_at, ended_by)
                VALUES ($id, $site, $gateway, $devices, $rules, $from, $until, $by, $reason, $ended_at, $ended_by)
                ON CONFLICT(id) DO UPDATE SET ended_at = excluded.ended_at, ended_by = excluded.ended_by
                """;
            var p = upsert.Parameters;
            p.AddWithValue("$id", window.Id);
            p.AddWithValue("$site", window.Site);
            p.AddWithValue("$gateway", (object?)window.Gateway ?? DBNull.Value);
            p.AddWithValue("$devices", window.Devices);
            p.AddWithValue("$rules", string.Join(',', window.Rules));
            p.AddWithValue("$from", window.From.ToUnixTimeMilliseconds());
            p.AddWithValue("$until", window.Until.ToUnixTimeMilliseconds());
            p.AddWithValue("$by", window.By);
            p.AddWithValue("$reason", window.Reason);
            p.AddWithValue("$ended_at", (object?)window.EndedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            p.AddWithValue("$ended_by", (object?)window.EndedBy ?? DBNull.Value);
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>Windows still running or planned at <paramref name="since"/> (their end after it), earliest first.</summary>
    public IReadOnlyList<MaintenanceWindow> LoadMaintenance(DateTimeOffset since) =>
        ReadMaintenance("WHERE coalesce(min(ended_at, until_at), until_at) > $since ORDER BY start_at, id", ("$since", since.ToUnixTimeMilliseconds()));

    public MaintenanceWindow? FindMaintenance(string id) => ReadMaintenance("WHERE id = $id", ("$id", id)).FirstOrDefault();

    private List<MaintenanceWindow> ReadMaintenance(string where, (string Name, object Value) parameter)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = $"SELECT {AlarmRows.MaintenanceColumns} FROM maintenance_windows {where}";
            select.Parameters.AddWithValue(parameter.Name, parameter.Value);
            using var reader = select.ExecuteReader();
            var windows = new List<MaintenanceWindow>();
            while (reader.Read())
            {
                windows.Add(AlarmRows.ReadMaintenance(reader));
            }

            return windows;
        }
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<Alarm> ReadAll(SqliteCommand command, Func<Alarm, bool>? keep = null, int limit = int.MaxValue)
    {
        using var reader = command.ExecuteReader();
        return AlarmRows.ReadAll(reader, keep, limit);
    }
}
