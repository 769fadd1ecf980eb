using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>The fire escalation ladder of DESIGN.md on fake time: +60 s, +180 s, stopped by acknowledgement, restart-safe.</summary>
public sealed class EscalationTests : IDisposable
{
    private const string Site = "school-01";
    private const string Gw = "gw-1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-escalation-").FullName;

    private AlarmTransition RaiseSmoke(AlarmEngine engine) =>
        Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-3f", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));

    private List<AlarmTransition> TickEverySecond(AlarmEngine engine, int seconds)
    {
        var all = new List<AlarmTransition>();
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            all.AddRange(engine.Tick(_time.GetUtcNow()));
        }

        return all;
    }

    [Fact]
    public void An_unacknowledged_fire_alarm_climbs_to_level_1_at_60_s_and_level_2_at_180_s_and_no_further()
    {
        var engine = new AlarmEngine(_time);
        var raised = RaiseSmoke(engine);
        var start = _time.GetUtcNow();

        var escalations = TickEverySecond(engine, 600);

        Assert.Equal([(60.0, 1), (180.0, 2)], escalations.Select(t => ((t.At - start).TotalSeconds, t.Alarm.EscalationLevel)));
        Assert.All(escalations, t => Assert.Equal(AlarmTransitionKind.Escalated, t.Kind));
        Assert.Equal("level 1: safety-officer, principal", escalations[0].Note);
        Assert.Equal("level 2: district-duty-office", escalations[1].Note);
        Assert.All(escalations, t => Assert.Equal(raised.Alarm.Id, t.Alarm.Id));
    }

    [Fact]
    public void Each_alarm_carries_when_its_next_step_is_due_for_the_boards_countdown()
    {
        var engine = new AlarmEngine(_time);
        var start = _time.GetUtcNow();
        var raised = RaiseSmoke(engine);
        Assert.Equal(start.AddSeconds(60), raised.Alarm.NextEscalationAt);

        var escalations = TickEverySecond(engine, 200);
        Assert.Equal([start.AddSeconds(180), null], escalations.Select(t => t.Alarm.NextEscalationAt));

        var panel = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("panel-1", EventType.Trouble, EventState.Active, _time.GetUtcNow())]));
        Assert.Null(panel.Alarm.NextEscalationAt);                      // no policy, no ladder
        var second = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-9", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));
        Assert.Null(engine.Acknowledge(second.Alarm.Id, "王五", null)!.Alarm.NextEscalationAt);
    }

    [Fact]
    public void Acknowledging_stops_the_ladder()
    {
        var engine = new AlarmEngine(_time);
        var raised = RaiseSmoke(engine);
        Assert.Single(TickEverySecond(engine, 90));                       // level 1 at 60 s
        Assert.NotNull(engine.Acknowledge(raised.Alarm.Id, "王五", "到场处置"));
        Assert.Empty(TickEverySecond(engine, 600));                       // no level 2
    }

    [Fact]
    public void A_late_tick_still_passes_through_every_level()
    {
        var engine = new AlarmEngine(_time);
        RaiseSmoke(engine);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([1, 2], engine.Tick(_time.GetUtcNow()).Select(t => t.Alarm.EscalationLevel));
    }

    [Fact]
    public void A_restart_in_the_middle_of_the_ladder_neither_repeats_nor_skips_a_level()
    {
        var path = Path.Combine(_directory, "alarms.db");
        string id;
        using (var store = new SqliteAlarmStore(path))
        {
            var engine = new AlarmEngine(_time);
            var raised = RaiseSmoke(engine);
            id = raised.Alarm.Id;
            store.Save([raised]);
            store.Save(TickEverySecond(engine, 100));                     // level 1 stored at 60 s
        }

        // The process restarts 100 s after the raise; the engine is rebuilt from the store.
        using var reopened = new SqliteAlarmStore(path);
        Assert.Equal(1, reopened.Find(id)!.EscalationLevel);
        var restarted = new AlarmEngine(_time, reopened.LoadOpen());
        var after = TickEverySecond(restarted, 300);
        var step = Assert.Single(after);
        Assert.Equal(2, step.Alarm.EscalationLevel);
        Assert.Equal(TimeSpan.FromSeconds(180), step.At - reopened.Find(id)!.RaisedAt);
        reopened.Save(after);
        Assert.Equal(["raised", "escalated", "escalated"], reopened.Audit(id).Select(a => a.Transition));
    }

    [Fact]
    public void The_same_due_step_fired_twice_climbs_one_level_as_a_clustered_scheduler_may_fire_it_again_after_a_failover()
    {
        var engine = new AlarmEngine(_time, escalateOnTick: false);
        var id = RaiseSmoke(engine).Alarm.Id;

        _time.Advance(TimeSpan.FromSeconds(60));
        var first = Assert.Single(engine.Escalate(id, _time.GetUtcNow()));
        Assert.Equal(1, first.Alarm.EscalationLevel);
        Assert.Empty(engine.Escalate(id, _time.GetUtcNow()));             // the same step again, at once

        _time.Advance(TimeSpan.FromSeconds(15));                           // or recovered on another node later
        Assert.Empty(engine.Escalate(id, _time.GetUtcNow()));
        Assert.Equal(1, engine.OpenAlarms.Single(a => a.Id == id).EscalationLevel);

        _time.Advance(TimeSpan.FromSeconds(105));                          // level 2 at 180 s, twice
        Assert.Equal(2, Assert.Single(engine.Escalate(id, _time.GetUtcNow())).Alarm.EscalationLevel);
        Assert.Empty(engine.Escalate(id, _time.GetUtcNow()));
        Assert.Equal(2, engine.OpenAlarms.Single(a => a.Id == id).EscalationLevel);
    }

    [Fact]
    public void A_step_fired_by_a_scheduler_clock_a_little_ahead_is_taken_and_one_far_ahead_is_not()
    {
        var engine = new AlarmEngine(_time, escalateOnTick: false);
        var id = RaiseSmoke(engine).Alarm.Id;

        // The trigger fired by another node's clock, 2 s ahead of this one: level 1 (due at 60 s) is taken now.
        _time.Advance(TimeSpan.FromSeconds(58));
        Assert.Equal(1, Assert.Single(engine.Escalate(id, _time.GetUtcNow())).Alarm.EscalationLevel);

        // A call a minute early (not a clock difference: a stale trigger) takes nothing.
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(engine.Escalate(id, _time.GetUtcNow()));
        Assert.Equal(1, engine.OpenAlarms.Single(a => a.Id == id).EscalationLevel);
    }

    [Fact]
    public void A_step_whose_trigger_was_lost_is_taken_by_the_tick_half_a_minute_late()
    {
        var engine = new AlarmEngine(_time, escalateOnTick: false);
        var id = RaiseSmoke(engine).Alarm.Id;

        // No scheduler call at 60 s (its node died while firing it): the tick leaves the step to the scheduler for 30 s…
        var early = TickEverySecond(engine, 89);
        Assert.DoesNotContain(early, t => t.Kind == AlarmTransitionKind.Escalated);

        // …then takes it.
        var late = TickEverySecond(engine, 1);
        Assert.Equal(1, Assert.Single(late, t => t.Kind == AlarmTransitionKind.Escalated).Alarm.EscalationLevel);
        Assert.Equal(1, engine.OpenAlarms.Single(a => a.Id == id).EscalationLevel);
    }

    [Fact]
    public void Rules_without_an_escalation_policy_do_not_escalate()
    {
        var engine = new AlarmEngine(_time);
        Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("panel-main", EventType.Trouble, EventState.Active, _time.GetUtcNow())]));
        Assert.Empty(TickEverySecond(engine, 600));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
