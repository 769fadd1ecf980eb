using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// The SQLite alarm audit trail beyond what every store does (<see cref="AlarmStoreTests"/>): a forged row re-hashed by someone
/// who knows the scheme is found, and a file from before the chain is sealed when opened.
/// </summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-audit-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));

    private string File => Path.Combine(_directory, "alarms.db");

    [Fact]
    public void A_row_rewritten_with_a_fresh_hash_breaks_the_next_row_link()
    {
        WriteTrail();
        using (var store = new SqliteAlarmStore(File))
        {
            Assert.True(store.VerifyAudit().Intact);
        }

        // Someone who knows the scheme re-hashes the row they edited; the next row still names the old hash.
        string prev;
        string alarmId;
        long at;
        string transition, state, by;
        using (var connection = new SqliteConnection($"Data Source={File};Pooling=False"))
        {
            connection.Open();
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT prev_hash, alarm_id, at, transition, state, by FROM alarm_audit WHERE seq = 3";
            using var reader = read.ExecuteReader();
            reader.Read();
            (prev, alarmId, at, transition, state, by) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5));
        }

        var forged = AuditChain.Hash(prev, 3, alarmId, at, transition, state, by, "forged note");
        Execute($"DROP TRIGGER alarm_audit_no_update; UPDATE alarm_audit SET note = 'forged note', hash = '{forged}' WHERE seq = 3");

        using var reopened = new SqliteAlarmStore(File);
        var result = reopened.VerifyAudit();
        Assert.Equal(4, result.BrokenAtSeq);
        Assert.Contains("previous row's hash", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trail_written_before_the_chain_existed_is_sealed_when_the_store_opens_it()
    {
        using (var old = new SqliteConnection($"Data Source={File};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE alarm_audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id TEXT NOT NULL, at INTEGER NOT NULL,
                    transition TEXT NOT NULL, state TEXT NOT NULL, by TEXT NOT NULL, note TEXT);
                INSERT INTO alarm_audit (alarm_id, at, transition, state, by, note) VALUES ('a1', 1, 'raised', 'active_unack', 'system', NULL);
                INSERT INTO alarm_audit (alarm_id, at, transition, state, by, note) VALUES ('a1', 2, 'acknowledged', 'active_ack', '张三', '已处理');
                """;
            create.ExecuteNonQuery();
        }

        using var store = new SqliteAlarmStore(File);
        Assert.Equal(new AuditVerification(true, 2, null, null), store.VerifyAudit());
        store.Save(new AlarmEngine(_time).OnEvents("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));
        Assert.Equal(new AuditVerification(true, 3, null, null), store.VerifyAudit());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Six audit rows: two alarms, each raised, acknowledged and cleared.</summary>
    private void WriteTrail()
    {
        using var store = new SqliteAlarmStore(File);
        var engine = new AlarmEngine(_time);
        foreach (var device in new[] { "smoke-1", "smoke-2" })
        {
            var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent(device, EventType.Smoke, EventState.Active, _time.GetUtcNow())]);
            store.Save(raised);
            _time.Advance(TimeSpan.FromSeconds(30));
            store.Save([engine.Acknowledge(raised[0].Alarm.Id, "王五", "已到现场")!]);
            _time.Advance(TimeSpan.FromMinutes(5));
            store.Save(engine.OnEvents("school-01", "gw-1", [new DeviceEvent(device, EventType.Smoke, EventState.Cleared, _time.GetUtcNow())]));
        }

        using var count = new SqliteConnection($"Data Source={File};Pooling=False");
        count.Open();
        using var command = count.CreateCommand();
        command.CommandText = "SELECT count(*) FROM alarm_audit";
        var rows = (long)command.ExecuteScalar()!;
        if (rows != 6)
        {
            // The trail's shape is what the seq numbers in the cases above refer to.
            throw new InvalidOperationException($"expected 6 audit rows, the engine wrote {rows}");
        }
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
