using System.Data.Common;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>
/// The columns of the <c>alarms</c> and <c>maintenance_windows</c> tables and how a row becomes an <see cref="Alarm"/> or a
/// <see cref="MaintenanceWindow"/>: the same in every alarm store (times are Unix milliseconds).
/// </summary>
internal static class AlarmRows
{
    public const string Columns = "id, rule, site, gateway, device, point, zone, label, type, metric, value, severity, state, raised_at, updated_at, acked_at, acked_by, ack_note, cleared_at, count, escalation_level, shelved_until, shelved_from, escalation_from, flapping, clear_pending_since, maintenance, next_escalation_at";

    public const string MaintenanceColumns = "id, site, gateway, devices, rules, start_at, until_at, by, reason, ended_at, ended_by";

    /// <summary>How long input marks are kept (<see cref="IAlarmStore.RecentInputs"/>).</summary>
    public static readonly TimeSpan InputRetention = TimeSpan.FromDays(2);

    /// <summary>Input marks are pruned when a store opens and on every this many saves.</summary>
    public const int PruneEverySaves = 1000;

    /// <summary>The states <see cref="IAlarmStore.LoadOpen"/> reads.</summary>
    public static readonly AlarmState[] Open = [AlarmState.ActiveUnack, AlarmState.ActiveAck, AlarmState.ClearedUnack, AlarmState.Shelved, AlarmState.Suppressed];

    /// <summary>Reads up to <paramref name="limit"/> alarms (of those <paramref name="keep"/> lets through) selected as <see cref="Columns"/>.</summary>
    public static List<Alarm> ReadAll(DbDataReader reader, Func<Alarm, bool>? keep = null, int limit = int.MaxValue)
    {
        var alarms = new List<Alarm>();
        while (alarms.Count < limit && reader.Read())
        {
            var alarm = Read(reader);
            if (keep is null || keep(alarm))
            {
                alarms.Add(alarm);
            }
        }

        return alarms;
    }

    public static Alarm Read(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
        if (!AlarmNames.TryParseSeverity(reader.GetString(11), out var severity) || !AlarmNames.TryParseState(reader.GetString(12), out var state))
        {
            throw new InvalidDataException($"alarm {reader.GetString(0)} has an unknown severity or state in the store");
        }

        EventType? type = Text(8) is { } typeText && WireNames.TryParseEventType(typeText, out var parsed) ? parsed : null;
        return new Alarm
        {
            Id = reader.GetString(0),
            Rule = reader.GetString(1),
            Site = reader.GetString(2),
            Gateway = reader.GetString(3),
            Device = Text(4),
            Point = Text(5),
            Zone = Text(6),
            Label = Text(7),
            Type = type,
            Metric = Text(9),
            Value = reader.IsDBNull(10) ? null : reader.GetDouble(10),
            Severity = severity,
            State = state,
            RaisedAt = Time(13)!.Value,
            UpdatedAt = Time(14)!.Value,
            AckedAt = Time(15),
            AckedBy = Text(16),
            AckNote = Text(17),
            ClearedAt = Time(18),
            Count = reader.GetInt32(19),
            EscalationLevel = reader.GetInt32(20),
            ShelvedUntil = Time(21),
            ShelvedFrom = Text(22) is { } from && AlarmNames.TryParseState(from, out var shelvedFrom) ? shelvedFrom : null,
            EscalationFrom = Time(23),
            Flapping = reader.GetInt32(24) != 0,
            ClearPendingSince = Time(25),
            Maintenance = Text(26),
            NextEscalationAt = Time(27),
        };
    }

    /// <summary>A row selected as <see cref="MaintenanceColumns"/>.</summary>
    public static MaintenanceWindow ReadMaintenance(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Site = reader.GetString(1),
        Gateway = reader.IsDBNull(2) ? null : reader.GetString(2),
        Devices = reader.GetString(3),
        Rules = reader.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries),
        From = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        Until = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        By = reader.GetString(7),
        Reason = reader.GetString(8),
        EndedAt = reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
        EndedBy = reader.IsDBNull(10) ? null : reader.GetString(10),
    };

    /// <summary>A row selected as <c>at, transition, state, by, note</c>.</summary>
    /// <summary>The columns of <see cref="TimingColumns"/> of every row, the ones <paramref name="visible"/> refuses left out.</summary>
    public static List<AlarmTiming> ReadTimings(DbDataReader reader, Func<string, string?, bool>? visible)
    {
        var timings = new List<AlarmTiming>();
        while (reader.Read())
        {
            var site = reader.GetString(0);
            var device = reader.IsDBNull(1) ? null : reader.GetString(1);
            if (visible is not null && !visible(site, device))
            {
                continue;
            }

            if (!AlarmNames.TryParseSeverity(reader.GetString(2), out var severity))
            {
                throw new InvalidDataException($"alarm {reader.GetString(6)} has an unknown severity in the store");
            }

            DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
            timings.Add(new AlarmTiming(site, device, severity, Time(3)!.Value, Time(4), Time(5)));
        }

        return timings;
    }

    /// <summary>What <see cref="ReadTimings"/> reads, in order.</summary>
    public const string TimingColumns = "site, device, severity, raised_at, acked_at, cleared_at, id";

    /// <summary>The alarms that needed a person: on the board unacknowledged at some point (not suppressed throughout).</summary>
    public const string NeededAPerson = "EXISTS (SELECT 1 FROM alarm_audit u WHERE u.alarm_id = alarms.id AND u.state IN ('active_unack', 'cleared_unack'))";

    public static AlarmAuditEntry ReadAudit(DbDataReader reader) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4));

    /// <summary>A row selected as <c>site, gateway, seq, sent, at</c>.</summary>
    public static InputMark ReadInput(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));

    /// <summary>
    /// Walks an audit trail selected as <c>seq, alarm_id, at, transition, state, by, note, prev_hash, hash</c> ordered by seq:
    /// every row must follow the previous one (seq + 1), name the previous row's hash, and hash to what it says.
    /// </summary>
    public static AuditVerification VerifyAudit(DbDataReader reader)
    {
        long rows = 0;
        long? previousSeq = null;
        var previousHash = string.Empty;
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            var prev = reader.GetString(7);
            var hash = reader.GetString(8);
            if (previousSeq is { } p && seq != p + 1)
            {
                return new AuditVerification(false, rows, seq, $"row {seq} follows row {p}: {seq - p - 1} row(s) missing");
            }

            if (prev != previousHash)
            {
                return new AuditVerification(false, rows, seq, $"row {seq} does not name the previous row's hash");
            }

            var expected = AuditChain.Hash(prev, seq, reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
            if (hash != expected)
            {
                return new AuditVerification(false, rows, seq, $"row {seq} was changed after it was written (its hash does not match its content)");
            }

            rows++;
            previousSeq = seq;
            previousHash = hash;
        }

        return new AuditVerification(true, rows, null, null);
    }
}
