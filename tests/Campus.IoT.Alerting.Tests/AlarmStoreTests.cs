using System.Data.Common;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// What every alarm store does, run on each provider (<see cref="SqliteAlarmStoreTests"/>, <see cref="PostgresAlarmStoreTests"/>),
/// each test on a database of its own: transitions with their audit rows, queries, open alarms per school, input marks
/// written with the transitions, maintenance windows, the audit chain and delivery records.
/// </summary>
public abstract class AlarmStoreTests : IAsyncLifetime
{
    private readonly List<IDisposable> _opened = [];
    private string? _directory;

    private protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));

    private protected string Directory => _directory!;

    /// <summary>Creates the test's empty database.</summary>
    private protected abstract Task CreateDatabaseAsync(string directory);

    /// <summary>A new store on the test's database (another "node" when called twice).</summary>
    private protected abstract IAlarmStore OpenStore();

    private protected abstract IDeliveryStore OpenDeliveryStore();

    /// <summary>Runs <paramref name="sql"/> on the test's database directly.</summary>
    private protected abstract void Execute(string sql);

    /// <summary>Runs <paramref name="sql"/> with the audit trail's append-only triggers out of the way.</summary>
    private protected abstract void ExecuteAroundTriggers(string sql);

    public async Task InitializeAsync()
    {
        _directory = System.IO.Directory.CreateTempSubdirectory("campus-alarm-store-").FullName;
        await CreateDatabaseAsync(_directory);
    }

    public Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp data; best effort.
        }

        return Task.CompletedTask;
    }

    private protected IAlarmStore Open()
    {
        var store = OpenStore();
        _opened.Add(store);
        return store;
    }

    [Fact]
    public void Transitions_are_stored_with_an_audit_row_each_and_survive_reopening()
    {
        var engine = new AlarmEngine(Time);
        string id;
        using (var store = OpenStore())
        {
            var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, Time.GetUtcNow()) { Point = "L1D126", Zone = "Z3", Label = "3层 实验室走廊" }]);
            store.Save(raised);
            id = raised[0].Alarm.Id;
            Time.Advance(TimeSpan.FromSeconds(42));
            store.Save([engine.Acknowledge(id, "李四", "已到现场")!]);
        }

        var reopened = Open();
        var alarm = reopened.Find(id)!;
        Assert.Equal(AlarmState.ActiveAck, alarm.State);
        Assert.Equal("L1D126", alarm.Point);
        Assert.Equal("3层 实验室走廊", alarm.Label);
        Assert.Equal(EventType.FireAlarm, alarm.Type);
        Assert.Equal("李四", alarm.AckedBy);
        Assert.Equal("已到现场", alarm.AckNote);
        Assert.Equal(Time.GetUtcNow(), alarm.AckedAt);
        Assert.Equal(AlarmSeverity.Critical, alarm.Severity);

        var audit = reopened.Audit(id);
        Assert.Equal(["raised", "acknowledged"], audit.Select(a => a.Transition));
        Assert.Equal(["system", "李四"], audit.Select(a => a.By));
        Assert.Equal(id, Assert.Single(reopened.LoadOpen()).Id);
    }

    [Fact]
    public void Every_field_of_an_alarm_round_trips()
    {
        var store = Open();
        var at = Time.GetUtcNow();
        var alarm = new Alarm
        {
            Id = "a-1", Rule = "cold-storage", Site = "school-01", Gateway = "gw-1", Device = "fridge-1", Point = "p", Zone = "z",
            Label = "食堂冷库", Type = EventType.Smoke, Metric = "temperature", Value = 8.25, Severity = AlarmSeverity.Major,
            State = AlarmState.Shelved, RaisedAt = at, UpdatedAt = at.AddSeconds(1), AckedAt = at.AddSeconds(2), AckedBy = "王五",
            AckNote = "note", ClearedAt = at.AddSeconds(3), Count = 3, EscalationLevel = 2, ShelvedUntil = at.AddHours(1),
            ShelvedFrom = AlarmState.ActiveAck, EscalationFrom = at.AddSeconds(4), Flapping = true, ClearPendingSince = at.AddSeconds(5),
            Maintenance = "mw-1", NextEscalationAt = at.AddMinutes(5),
        };
        store.Save([new AlarmTransition(AlarmTransitionKind.Raised, alarm, at, "rule")]);
        Assert.Equal(alarm, store.Find("a-1"));

        var bare = alarm with { Id = "a-2", Device = null, Point = null, Zone = null, Label = null, Type = null, Metric = null, Value = null, AckedAt = null, AckedBy = null, AckNote = null, ClearedAt = null, ShelvedUntil = null, ShelvedFrom = null, EscalationFrom = null, Flapping = false, ClearPendingSince = null, Maintenance = null, NextEscalationAt = null };
        store.Save([new AlarmTransition(AlarmTransitionKind.Raised, bare, at, "rule", "with a note")]);
        Assert.Equal(bare, store.Find("a-2"));
        Assert.Equal("with a note", Assert.Single(store.Audit("a-2")).Note);
        Assert.Null(store.Find("a-3"));
    }

    [Fact]
    public void Query_filters_by_state_and_site()
    {
        var store = Open();
        var engine = new AlarmEngine(Time);
        store.Save(engine.OnEvents("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, Time.GetUtcNow())]));
        store.Save(engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, Time.GetUtcNow())]));
        store.Save(engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Cleared, Time.GetUtcNow())]));

        Assert.Equal(2, store.Query([], null, 100).Count);
        Assert.Single(store.Query([], null, 1));
        Assert.Equal("school-01", Assert.Single(store.Query([AlarmState.ActiveUnack], null, 100)).Site);
        Assert.Equal(AlarmState.ClearedUnack, Assert.Single(store.Query([], "school-02", 100)).State);
        Assert.Empty(store.Query([AlarmState.Cleared], null, 100));
    }

    [Fact]
    public void LoadOpen_of_a_site_reads_only_that_schools_open_alarms()
    {
        var store = Open();
        var engine = new AlarmEngine(Time);
        store.Save(engine.OnEvents("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, Time.GetUtcNow())]));
        store.Save(engine.OnEvents("school-01", "gw-1", [new DeviceEvent("d2", EventType.Smoke, EventState.Active, Time.GetUtcNow())]));
        var other = engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, Time.GetUtcNow())]);
        store.Save(other);
        var closed = engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d9", EventType.Smoke, EventState.Active, Time.GetUtcNow())]);
        store.Save(closed);
        store.Save(engine.OnEvents("school-02", "gw-1", [new DeviceEvent("d9", EventType.Smoke, EventState.Cleared, Time.GetUtcNow())]));
        store.Save([engine.Acknowledge(closed[0].Alarm.Id, "王五", null)!]);

        Assert.Equal(["d1", "d2"], store.LoadOpen("school-01").Select(a => a.Device).Order(StringComparer.Ordinal));
        Assert.Equal(other[0].Alarm.Id, Assert.Single(store.LoadOpen("school-02")).Id);
        Assert.Empty(store.LoadOpen("school-03"));
        Assert.Equal(3, store.LoadOpen().Count);
        Assert.Equal(AlarmState.Cleared, store.Find(closed[0].Alarm.Id)!.State);
    }

    [Fact]
    public void Input_marks_are_read_back_by_another_store_by_school_and_time()
    {
        var start = Time.GetUtcNow();
        var engine = new AlarmEngine(Time);
        using (var node = OpenStore())
        {
            node.Save(
                engine.OnEvents("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, start)]),
                [new InputMark("school-01", "gw-1", 41, start, start), new InputMark("school-01", "gw-2", 7, start, start.AddSeconds(1))]);
            node.Save([], [new InputMark("school-02", "gw-1", 41, start, start.AddSeconds(2))]);
            // A message redelivered after a crash is marked again: kept once, at its first time.
            node.Save([], [new InputMark("school-01", "gw-1", 41, start, start.AddSeconds(9)), new InputMark("school-01", "gw-1", 42, start, start.AddSeconds(10))]);
        }

        var takeover = Open();
        Assert.Equal(
            [new InputMark("school-01", "gw-1", 41, start, start), new InputMark("school-01", "gw-1", 42, start, start.AddSeconds(10)), new InputMark("school-01", "gw-2", 7, start, start.AddSeconds(1))],
            takeover.RecentInputs("school-01", start));
        Assert.Equal([new InputMark("school-01", "gw-1", 42, start, start.AddSeconds(10))], takeover.RecentInputs("school-01", start.AddSeconds(2)));
        Assert.Equal([new InputMark("school-02", "gw-1", 41, start, start.AddSeconds(2))], takeover.RecentInputs("school-02", start));
        Assert.Empty(takeover.RecentInputs("school-03", start));
        Assert.Equal(new AuditVerification(true, 1, null, null), takeover.VerifyAudit());
    }

    [Fact]
    public void Input_marks_are_written_in_the_transitions_transaction()
    {
        var store = Open();
        var engine = new AlarmEngine(Time);
        var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent("d1", EventType.Smoke, EventState.Active, Time.GetUtcNow())]);
        var good = raised[0];
        // The second transition cannot be stored (no rule): nothing of the save is, neither the first alarm nor the mark.
        var bad = good with { Alarm = good.Alarm with { Id = "broken", Rule = null! } };
        Assert.ThrowsAny<Exception>(() => store.Save([good, bad], [new InputMark("school-01", "gw-1", 1, Time.GetUtcNow(), Time.GetUtcNow())]));

        Assert.Empty(store.RecentInputs("school-01", DateTimeOffset.UnixEpoch));
        Assert.Null(store.Find(good.Alarm.Id));
        Assert.Empty(store.Audit(good.Alarm.Id));
        Assert.Equal(new AuditVerification(true, 0, null, null), store.VerifyAudit());

        store.Save([good], [new InputMark("school-01", "gw-1", 1, Time.GetUtcNow(), Time.GetUtcNow())]);
        Assert.Single(store.RecentInputs("school-01", DateTimeOffset.UnixEpoch));
        Assert.NotNull(store.Find(good.Alarm.Id));
        Assert.Equal(new AuditVerification(true, 1, null, null), store.VerifyAudit());
    }

    [Fact]
    public void Input_marks_older_than_two_days_are_pruned_when_a_store_opens()
    {
        var first = Time.GetUtcNow();
        using (var store = OpenStore())
        {
            store.Save([], [new InputMark("school-01", "gw-1", 1, first, first)]);
            Time.Advance(TimeSpan.FromDays(1));
            store.Save([], [new InputMark("school-01", "gw-1", 2, Time.GetUtcNow(), Time.GetUtcNow())]);
            Time.Advance(TimeSpan.FromDays(1.5));
        }

        var reopened = Open();
        Assert.Equal([2L], reopened.RecentInputs("school-01", DateTimeOffset.UnixEpoch).Select(m => m.Seq));
    }

    [Fact]
    public void Maintenance_windows_are_stored_ended_early_and_read_while_they_run()
    {
        var store = Open();
        var now = Time.GetUtcNow();
        MaintenanceWindow Window(string id, double fromHours, double untilHours) => new()
        {
            Id = id, Site = "school-01", Gateway = id == "mw-1" ? "gw-1" : null, Devices = "smoke-*", Rules = ["fire", "smoke"],
            From = now.AddHours(fromHours), Until = now.AddHours(untilHours), By = "王五", Reason = "检修",
        };
        store.SaveMaintenance(Window("mw-2", 1, 3));
        store.SaveMaintenance(Window("mw-1", -1, 2));
        store.SaveMaintenance(Window("mw-0", -3, -1));
        var ended = Window("mw-3", -1, 5) with { EndedAt = now.AddMinutes(-5), EndedBy = "李四" };
        store.SaveMaintenance(Window("mw-3", -1, 5));
        store.SaveMaintenance(ended);

        Assert.Equal(["mw-1", "mw-2"], store.LoadMaintenance(now).Select(w => w.Id));
        Assert.Equal(["mw-1", "mw-3", "mw-2"], store.LoadMaintenance(now.AddMinutes(-10)).Select(w => w.Id));
        var found = store.FindMaintenance("mw-3")!;
        Assert.Equal((ended.EndedAt, ended.EndedBy, ended.Gateway, ended.Devices, ended.From, ended.Until), (found.EndedAt, found.EndedBy, found.Gateway, found.Devices, found.From, found.Until));
        Assert.Equal(["fire", "smoke"], found.Rules);
        Assert.Equal("gw-1", store.FindMaintenance("mw-1")!.Gateway);
        Assert.Null(store.FindMaintenance("mw-9"));
    }

    [Fact]
    public void A_trail_written_by_the_store_verifies_across_reopening()
    {
        WriteTrail();
        var store = Open();
        Assert.Equal(new AuditVerification(true, 6, null, null), store.VerifyAudit());
        store.Save(new AlarmEngine(Time).OnEvents("school-03", "gw-1", [new DeviceEvent("d9", EventType.Smoke, EventState.Active, Time.GetUtcNow())]));
        Assert.Equal(new AuditVerification(true, 7, null, null), store.VerifyAudit());
    }

    [Fact]
    public void The_trail_refuses_updates_and_deletes()
    {
        WriteTrail();
        var update = Assert.ThrowsAny<DbException>(() => Execute("UPDATE alarm_audit SET note = 'nobody came' WHERE seq = 2"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<DbException>(() => Execute("DELETE FROM alarm_audit WHERE seq = 2"));
        Assert.True(Open().VerifyAudit().Intact);
    }

    [Theory]
    [InlineData("UPDATE alarm_audit SET note = '无人到场' WHERE seq = 4", 4, "changed after it was written")]
    [InlineData("UPDATE alarm_audit SET by = 'someone-else' WHERE seq = 2", 2, "changed after it was written")]
    [InlineData("UPDATE alarm_audit SET at = at + 60000 WHERE seq = 6", 6, "changed after it was written")]
    [InlineData("DELETE FROM alarm_audit WHERE seq = 5", 6, "missing")]
    [InlineData("UPDATE alarm_audit SET hash = 'x' || substr(hash, 2) WHERE seq = 3", 3, "changed after it was written")]
    public void An_edit_made_around_the_triggers_is_found_at_its_row(string tamper, long brokenAt, string reason)
    {
        WriteTrail();
        ExecuteAroundTriggers(tamper);

        var result = Open().VerifyAudit();
        Assert.False(result.Intact);
        Assert.Equal(brokenAt, result.BrokenAtSeq);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Delivery_attempts_are_read_back_per_alarm_in_order()
    {
        using var deliveries = OpenDeliveryStore();
        var at = Time.GetUtcNow();
        DeliveryRecord Record(string alarm, int attempt, DeliveryOutcome outcome, string? error = null) =>
            new(alarm, "n-1", at.AddSeconds(attempt), "raised", 1, "safety-officer", "webhook", "https://example.invalid/hook", attempt, outcome, error);
        deliveries.Add(Record("a-1", 1, DeliveryOutcome.Failed, "HTTP 503"));
        deliveries.Add(Record("a-2", 1, DeliveryOutcome.Unrouted));
        deliveries.Add(Record("a-1", 2, DeliveryOutcome.Sent));
        deliveries.Add(Record("a-1", 3, DeliveryOutcome.GaveUp, "超时"));

        Assert.Equal([Record("a-1", 1, DeliveryOutcome.Failed, "HTTP 503"), Record("a-1", 2, DeliveryOutcome.Sent), Record("a-1", 3, DeliveryOutcome.GaveUp, "超时")], deliveries.ForAlarm("a-1"));
        Assert.Equal([Record("a-2", 1, DeliveryOutcome.Unrouted)], deliveries.ForAlarm("a-2"));
        Assert.Empty(deliveries.ForAlarm("a-3"));
    }

    /// <summary>Six audit rows: two alarms, each raised, acknowledged and cleared.</summary>
    private protected void WriteTrail()
    {
        using var store = OpenStore();
        var engine = new AlarmEngine(Time);
        foreach (var device in new[] { "smoke-1", "smoke-2" })
        {
            var raised = engine.OnEvents("school-01", "gw-1", [new DeviceEvent(device, EventType.Smoke, EventState.Active, Time.GetUtcNow())]);
            store.Save(raised);
            Time.Advance(TimeSpan.FromSeconds(30));
            store.Save([engine.Acknowledge(raised[0].Alarm.Id, "王五", "已到现场")!]);
            Time.Advance(TimeSpan.FromMinutes(5));
            store.Save(engine.OnEvents("school-01", "gw-1", [new DeviceEvent(device, EventType.Smoke, EventState.Cleared, Time.GetUtcNow())]));
        }

        // The trail's shape is what the seq numbers in the cases above refer to.
        Assert.Equal(new AuditVerification(true, 6, null, null), store.VerifyAudit());
    }
}
