using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>Shelving (ISA-18.2): by a person, with a reason and an expiry; no escalation while shelved.</summary>
public sealed class ShelvingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-shelve-").FullName;

    private Alarm RaiseSmoke(AlarmEngine engine) =>
        Assert.Single(engine.OnEvents("school-01", "gw-1", [new DeviceEvent("smoke-3f", EventType.Smoke, EventState.Active, _time.GetUtcNow())])).Alarm;

    [Fact]
    public void A_shelved_alarm_does_not_escalate_and_comes_back_when_the_shelf_expires()
    {
        var engine = new AlarmEngine(_time);
        var alarm = RaiseSmoke(engine);
        _time.Advance(TimeSpan.FromSeconds(30));
        var shelved = engine.Shelve(alarm.Id, "安全员张三", "探测器故障，已报修", _time.GetUtcNow().AddMinutes(10))!;
        Assert.Equal(AlarmTransitionKind.Shelved, shelved.Kind);
        Assert.Equal(AlarmState.Shelved, shelved.Alarm.State);
        Assert.Equal("安全员张三", shelved.By);
        Assert.Contains("探测器故障", shelved.Note, StringComparison.Ordinal);
        Assert.Null(engine.Shelve(alarm.Id, "someone", "again", _time.GetUtcNow().AddMinutes(5)));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(engine.Tick(_time.GetUtcNow()));                      // +5.5 min: no escalation while shelved

        _time.Advance(TimeSpan.FromMinutes(5));
        var back = engine.Tick(_time.GetUtcNow());                          // +10.5 min: the shelf has expired
        Assert.Equal(AlarmTransitionKind.Unshelved, back[0].Kind);
        Assert.Equal(AlarmState.ActiveUnack, back[0].Alarm.State);
        Assert.Equal([1, 2], back.Skip(1).Select(t => t.Alarm.EscalationLevel));   // still unanswered: the ladder goes on
    }

    [Fact]
    public void A_shelved_alarm_whose_condition_clears_is_simply_cleared()
    {
        var engine = new AlarmEngine(_time);
        var alarm = RaiseSmoke(engine);
        engine.Shelve(alarm.Id, "guard", "testing the detector", _time.GetUtcNow().AddMinutes(30));
        var cleared = Assert.Single(engine.OnEvents("school-01", "gw-1", [new DeviceEvent("smoke-3f", EventType.Smoke, EventState.Cleared, _time.GetUtcNow())]));
        Assert.Equal(AlarmState.Cleared, cleared.Alarm.State);
        Assert.Null(cleared.Alarm.ShelvedUntil);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(engine.Tick(_time.GetUtcNow()));
    }

    [Fact]
    public void The_shelf_survives_a_restart()
    {
        var path = Path.Combine(_directory, "alarms.db");
        var engine = new AlarmEngine(_time);
        var alarm = RaiseSmoke(engine);
        var until = _time.GetUtcNow().AddMinutes(10);
        using (var store = new SqliteAlarmStore(path))
        {
            store.Save([new AlarmTransition(AlarmTransitionKind.Raised, alarm, _time.GetUtcNow(), "system")]);
            store.Save([engine.Shelve(alarm.Id, "guard", "maintenance", until)!]);
        }

        using var reopened = new SqliteAlarmStore(path);
        var stored = reopened.Find(alarm.Id)!;
        Assert.Equal((AlarmState.Shelved, until, AlarmState.ActiveUnack), (stored.State, stored.ShelvedUntil!.Value, stored.ShelvedFrom!.Value));
        var restarted = new AlarmEngine(_time, reopened.LoadOpen());
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(AlarmTransitionKind.Unshelved, restarted.Tick(_time.GetUtcNow())[0].Kind);
        Assert.True(reopened.VerifyAudit().Intact);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
