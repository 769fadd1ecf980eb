using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

public sealed class AlarmEngineTests
{
    private const string Site = "school-01";
    private const string Gw = "gw-1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));
    private readonly AlarmEngine _engine;

    public AlarmEngineTests() => _engine = new AlarmEngine(_time);

    private DateTimeOffset Now => _time.GetUtcNow();

    [Theory]
    [InlineData(EventType.Smoke)]
    [InlineData(EventType.FireAlarm)]
    [InlineData(EventType.Heat)]
    [InlineData(EventType.ManualCallPoint)]
    public void A_fire_event_raises_a_critical_unacknowledged_alarm_at_once(EventType type)
    {
        var t = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", type, EventState.Active)]));

        Assert.Equal(AlarmTransitionKind.Raised, t.Kind);
        Assert.Equal(AlarmEngine.FireRule, t.Alarm.Rule);
        Assert.Equal(AlarmSeverity.Critical, t.Alarm.Severity);
        Assert.Equal(AlarmState.ActiveUnack, t.Alarm.State);
        Assert.Equal(type, t.Alarm.Type);
        Assert.Equal("d1", t.Alarm.Device);
        Assert.Equal(Site, t.Alarm.Site);
    }

    [Fact]
    public void Repeats_update_the_one_open_alarm_instead_of_raising_another()
    {
        var raised = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        _time.Advance(TimeSpan.FromSeconds(5));
        var repeat = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));

        Assert.Equal(AlarmTransitionKind.Updated, repeat.Kind);
        Assert.Equal(raised.Alarm.Id, repeat.Alarm.Id);
        Assert.Equal(2, repeat.Alarm.Count);
        Assert.Single(_engine.OpenAlarms);
    }

    [Fact]
    public void Different_panel_points_are_different_alarms()
    {
        var transitions = _engine.OnEvents(Site, Gw, [
            Event("panel-main", EventType.FireAlarm, EventState.Active) with { Point = "L1D126" },
            Event("panel-main", EventType.FireAlarm, EventState.Active) with { Point = "L1D127" },
        ]);
        Assert.Equal(2, transitions.Count);
        Assert.NotEqual(transitions[0].Alarm.Id, transitions[1].Alarm.Id);
    }

    [Fact]
    public void Cleared_before_acknowledgement_goes_to_cleared_unack_and_acknowledging_closes_it()
    {
        var raised = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        var cleared = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Cleared)]));

        Assert.Equal(AlarmTransitionKind.Cleared, cleared.Kind);
        Assert.Equal(AlarmState.ClearedUnack, cleared.Alarm.State);

        var ack = _engine.Acknowledge(raised.Alarm.Id, "张三", "误报：厨房蒸汽");
        Assert.NotNull(ack);
        Assert.Equal(AlarmState.Cleared, ack.Alarm.State);
        Assert.Equal("张三", ack.Alarm.AckedBy);
        Assert.Empty(_engine.OpenAlarms);
    }

    [Fact]
    public void Acknowledged_then_cleared_is_closed()
    {
        var raised = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        _time.Advance(TimeSpan.FromSeconds(30));
        var ack = _engine.Acknowledge(raised.Alarm.Id, "guard", null)!;
        Assert.Equal(AlarmState.ActiveAck, ack.Alarm.State);
        Assert.Equal(Now, ack.Alarm.AckedAt);

        var cleared = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Cleared)]));
        Assert.Equal(AlarmState.Cleared, cleared.Alarm.State);
        Assert.Empty(_engine.OpenAlarms);
        Assert.Null(_engine.Acknowledge(raised.Alarm.Id, "guard", null));
    }

    [Fact]
    public void A_condition_that_returns_before_acknowledgement_reactivates_the_same_alarm()
    {
        var raised = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        _engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Cleared)]);
        var again = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));

        Assert.Equal(raised.Alarm.Id, again.Alarm.Id);
        Assert.Equal(AlarmState.ActiveUnack, again.Alarm.State);
        Assert.Null(again.Alarm.ClearedAt);
    }

    [Fact]
    public void A_new_alarm_is_raised_after_the_previous_one_is_closed()
    {
        var first = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        _engine.Acknowledge(first.Alarm.Id, "guard", null);
        _engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Cleared)]);

        var second = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        Assert.Equal(AlarmTransitionKind.Raised, second.Kind);
        Assert.NotEqual(first.Alarm.Id, second.Alarm.Id);
    }

    [Fact]
    public void A_panel_reset_clears_every_fire_alarm_of_that_panel_only()
    {
        _engine.OnEvents(Site, Gw, [
            Event("panel-main", EventType.FireAlarm, EventState.Active) with { Point = "L1D1" },
            Event("panel-main", EventType.ManualCallPoint, EventState.Active) with { Point = "L1M2" },
            Event("panel-annex", EventType.FireAlarm, EventState.Active) with { Point = "L1D1" },
            Event("panel-main", EventType.Trouble, EventState.Active) with { Point = "L1D9" },
        ]);

        var cleared = _engine.OnEvents(Site, Gw, [Event("panel-main", EventType.Reset, EventState.Active)]);

        Assert.Equal(2, cleared.Count);
        Assert.All(cleared, t => Assert.Equal(AlarmState.ClearedUnack, t.Alarm.State));
        Assert.All(cleared, t => Assert.Equal("panel-main", t.Alarm.Device));
        Assert.Contains(_engine.OpenAlarms, a => a.Device == "panel-annex" && a.State == AlarmState.ActiveUnack);
        Assert.Contains(_engine.OpenAlarms, a => a.Rule == "panel-trouble" && a.State == AlarmState.ActiveUnack);
    }

    [Theory]
    [InlineData(EventType.Supervisory, "panel-supervisory", AlarmSeverity.Major)]
    [InlineData(EventType.Trouble, "panel-trouble", AlarmSeverity.Minor)]
    [InlineData(EventType.PowerFault, "panel-power-fault", AlarmSeverity.Major)]
    public void Panel_conditions_raise_with_the_default_severity_and_clear_on_cleared(EventType type, string rule, AlarmSeverity severity)
    {
        var raised = Assert.Single(_engine.OnEvents(Site, Gw, [Event("panel-main", type, EventState.Active)]));
        Assert.Equal(rule, raised.Alarm.Rule);
        Assert.Equal(severity, raised.Alarm.Severity);
        Assert.Equal(AlarmState.ClearedUnack, Assert.Single(_engine.OnEvents(Site, Gw, [Event("panel-main", type, EventState.Cleared)])).Alarm.State);
    }

    [Theory]
    [InlineData(EventType.Waterflow)]
    [InlineData(EventType.Disabled)]
    [InlineData(EventType.Silence)]
    [InlineData(EventType.Acknowledge)]
    [InlineData(EventType.Test)]
    public void Events_without_a_default_profile_raise_nothing(EventType type)
    {
        Assert.Empty(_engine.OnEvents(Site, Gw, [Event("panel-main", type, EventState.Active)]));
    }

    [Fact]
    public void Fixed_heat_raises_at_57_degrees_and_not_below()
    {
        Assert.Empty(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", 56.99)]));
        var raised = Assert.Single(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", 57.0)]));
        Assert.Equal(AlarmEngine.FixedHeatRule, raised.Alarm.Rule);
        Assert.Equal(AlarmSeverity.Critical, raised.Alarm.Severity);
        Assert.Equal(57.0, raised.Alarm.Value);
        Assert.Equal(Metrics.Temperature, raised.Alarm.Metric);
    }

    [Fact]
    public void Fixed_heat_clears_only_after_five_minutes_below_50_degrees()
    {
        _engine.OnReadings(Site, Gw, [Temp("kitchen-1", 61)]);
        var start = Now;
        foreach (var minute in new[] { 1, 2, 3, 4 })
        {
            Assert.Empty(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", minute == 4 ? 49 : 45, start.AddMinutes(minute))]));
        }

        // Back up to 52 °C (between the clear and raise levels, and slowly: 6 °C/min is no rate-of-rise alarm): the hold restarts.
        Assert.Empty(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", 52, start.AddMinutes(4.5))]));
        Assert.Empty(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", 45, start.AddMinutes(5))]));
        Assert.Empty(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", 45, start.AddMinutes(9.99))]));
        var cleared = Assert.Single(_engine.OnReadings(Site, Gw, [Temp("kitchen-1", 44, start.AddMinutes(10))]));
        Assert.Equal(AlarmTransitionKind.Cleared, cleared.Kind);
        Assert.Equal(AlarmState.ClearedUnack, cleared.Alarm.State);
        Assert.Equal(44, cleared.Alarm.Value);
    }

    [Fact]
    public void Other_metrics_never_trigger_fixed_heat()
    {
        Assert.Empty(_engine.OnReadings(Site, Gw, [new Reading("room-1", Metrics.Humidity, 95, Now), new Reading("room-1", Metrics.Gas, 900, Now)]));
    }

    [Fact]
    public void Alarms_are_per_site_and_gateway()
    {
        var a = Assert.Single(_engine.OnEvents("school-01", Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        var b = Assert.Single(_engine.OnEvents("school-02", Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        Assert.Equal(AlarmTransitionKind.Raised, b.Kind);
        Assert.NotEqual(a.Alarm.Id, b.Alarm.Id);
    }

    [Fact]
    public void An_engine_restarted_from_stored_open_alarms_keeps_updating_them()
    {
        var raised = Assert.Single(_engine.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        var restarted = new AlarmEngine(_time, [raised.Alarm]);

        var repeat = Assert.Single(restarted.OnEvents(Site, Gw, [Event("d1", EventType.Smoke, EventState.Active)]));
        Assert.Equal(raised.Alarm.Id, repeat.Alarm.Id);
        Assert.NotNull(restarted.Acknowledge(raised.Alarm.Id, "guard", null));
    }

    private DeviceEvent Event(string device, EventType type, EventState state) => new(device, type, state, Now);

    private Reading Temp(string device, double value, DateTimeOffset? ts = null) => new(device, Metrics.Temperature, value, ts ?? Now);
}
