using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

public sealed class SqliteAlarmStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-alarms-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Transitions_are_stored_with_an_audit_row_each_and_survive_reopening()
    {
        var path = Path.Combine(_directory, "alarms.db");
        var engine = new AlarmEngine(_time);
        string id;
        using (var store = new SqliteAlarmStore(path))
        {
            var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, _time.GetUtcNow()) { Point = "L1D126", Zone = "Z3", Label = "3层 实验室走廊" }]);
            store.Save(raised);
            id = raised[0].Alarm.Id;
            _time.Advance(TimeSpan.FromSeconds(42));
            store.Save([engine.Acknowledge(id, "李四", "已到现场")!]);
        }

        using (var reopened = new SqliteAlarmStore(path))
        {
            var alarm = reopened.Find(id)!;
            Assert.Equal(AlarmState.ActiveAck, alarm.State);
            Assert.Equal("L1D126", alarm.Point);
            Assert.Equal("3层 实验室走廊", alarm.Label);
            Assert.Equal(EventType.FireAlarm, alarm.Type);
            Assert.Equal("李四", alarm.AckedBy);
            Assert.Equal("已到现场", alarm.AckNote);
            Assert.Equal(_time.GetUtcNow(), alarm.AckedAt);
            Assert.Equal(AlarmSeverity.Critical, alarm.Severity);

            var audit = reopened.Audit(id);
            Assert.Equal(["raised", "acknowledged"], audit.Select(a => a.Transition));
            Assert.Equal(["system", "李四"], audit.Select(a => a.By));
            Assert.Equal(id, Assert.Single(reopened.LoadOpen()).Id);
        }
    }

    [Fact]
    public void Query_filters_by_state_and_site()
    {
        using var store = new SqliteAlarmStore(Path.Combine(_directory, "q.db"));
        var engine = new AlarmEngine(_time);
        store.Save(engine.OnEvents("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));
        store.Save(engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));
        store.Save(engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Cleared, _time.GetUtcNow())]));

        Assert.Equal(2, store.Query([], null, 100).Count);
        Assert.Equal("school-01", Assert.Single(store.Query([AlarmState.ActiveUnack], null, 100)).Site);
        Assert.Equal(AlarmState.ClearedUnack, Assert.Single(store.Query([], "school-02", 100)).State);
        Assert.Empty(store.Query([AlarmState.Cleared], null, 100));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
