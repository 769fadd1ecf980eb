using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests.Rules;

/// <summary>The engine running the rules in force, on fake time: the default profiles end to end, ticks, reloads.</summary>
public sealed class EngineRulesTests
{
    private const string Site = "school-01";
    private const string Gw = "gw-1";

    private static readonly RuleSet Assigned = RulesParser.Parse("""
        profiles:
          - { devices: "canteen-fridge-*", profile: cold-storage }
          - { devices: "lab-fridge-*", profile: lab-fridge }
          - { devices: "freezer-*", profile: freezer }
          - { devices: "chem-*", profile: chem-store }
        """, "rules.yaml").Rules!;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private RuleSet _rules = Assigned;

    private AlarmEngine NewEngine() => new(_time, rules: () => _rules);

    /// <summary>Readings every <paramref name="step"/> seconds from now for <paramref name="seconds"/>, the clock following them.</summary>
    private List<AlarmTransition> Run(AlarmEngine engine, string device, int seconds, double value, int step = 30) =>
        Run(engine, device, seconds, _ => value, step);

    private List<AlarmTransition> Run(AlarmEngine engine, string device, int seconds, Func<int, double> value, int step = 30)
    {
        var all = new List<AlarmTransition>();
        for (var s = 0; s < seconds; s += step)
        {
            all.AddRange(engine.OnReadings(Site, Gw, [new Reading(device, Metrics.Temperature, value(s), _time.GetUtcNow())]));
            _time.Advance(TimeSpan.FromSeconds(step));
        }

        return all;
    }

    [Theory]
    [InlineData("canteen-fridge-1", "cold-storage", 9.0, 10)]
    [InlineData("lab-fridge-1", "lab-fridge", 1.5, 5)]
    [InlineData("freezer-1", "freezer", -11.0, 15)]
    [InlineData("chem-1", "chem-store", 31.0, 10)]
    public void Each_storage_profile_raises_a_major_alarm_after_its_duration_and_not_before(string device, string rule, double excursion, int minutes)
    {
        var engine = NewEngine();
        var normal = rule switch { "freezer" => -18.0, "chem-store" => 26.0, _ => 4.5 };   // steps slow enough for rate of rise
        Assert.Empty(Run(engine, device, 600, normal));
        Assert.Empty(Run(engine, device, (minutes * 60) - 30, excursion));      // one reading short of the duration

        var raised = Assert.Single(Run(engine, device, 60, excursion));
        Assert.Equal(AlarmTransitionKind.Raised, raised.Kind);
        Assert.Equal(rule, raised.Alarm.Rule);
        Assert.Equal(AlarmSeverity.Major, raised.Alarm.Severity);
        Assert.Equal(excursion, raised.Alarm.Value);

        var cleared = Run(engine, device, 900, normal);
        Assert.Equal(AlarmTransitionKind.Cleared, Assert.Single(cleared).Kind);
    }

    [Fact]
    public void A_thousand_devices_behind_one_gateway_each_keep_their_own_windows()
    {
        // The gateway's device table grows from 16 slots to 2048 on the way; messages mix the devices in any order. One fridge
        // of the thousand goes warm, and only its alarm is raised, at its own tenth minute.
        var engine = NewEngine();
        var ids = Enumerable.Range(0, 1000).Select(i => $"canteen-fridge-{i}").ToArray();
        var transitions = new List<AlarmTransition>();
        for (var minute = 0; minute < 30; minute++)
        {
            var order = minute % 2 == 0 ? ids : ids.Reverse();
            var readings = order.Select(id => new Reading(
                id, Metrics.Temperature, id == "canteen-fridge-577" && minute >= 5 ? 9.0 : 4.0 + (minute % 3 * 0.1), _time.GetUtcNow())).ToList();
            transitions.AddRange(engine.OnReadings(Site, Gw, readings));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var raised = Assert.Single(transitions);
        Assert.Equal(("cold-storage", "canteen-fridge-577", AlarmTransitionKind.Raised), (raised.Alarm.Rule, raised.Alarm.Device, raised.Kind));
        Assert.Equal(_time.GetUtcNow().AddMinutes(-30 + 15), raised.At);
    }

    [Fact]
    public void A_fridge_door_open_for_two_minutes_wakes_nobody()
    {
        var engine = NewEngine();
        Assert.Empty(Run(engine, "canteen-fridge-1", 600, 4.0));
        Assert.Empty(Run(engine, "canteen-fridge-1", 120, 12.0));
        Assert.Empty(Run(engine, "canteen-fridge-1", 3600, 4.0));
        Assert.Empty(engine.OpenAlarms);
    }

    [Fact]
    public void A_sensor_without_a_profile_still_gets_fixed_heat_and_rate_of_rise_but_no_storage_band()
    {
        var engine = NewEngine();
        Assert.Empty(Run(engine, "classroom-1", 3600, 12.0));                  // would be outside 0..8, but no profile

        var fire = Run(engine, "classroom-1", 120, s => 22 + (s * 0.25));       // 15 °C/min
        var rise = Assert.Single(fire, t => t.Alarm.Rule == "rate-of-rise");
        Assert.Equal(AlarmSeverity.Critical, rise.Alarm.Severity);
    }

    [Fact]
    public void A_silent_sensor_raises_offline_at_the_tick_after_5_minutes_and_clears_when_it_speaks()
    {
        var engine = NewEngine();
        Run(engine, "canteen-fridge-1", 300, 4.0);
        Assert.Empty(engine.Tick(_time.GetUtcNow().AddMinutes(4)));
        var offline = Assert.Single(engine.Tick(_time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(("sensor-offline", AlarmSeverity.Warning), (offline.Alarm.Rule, offline.Alarm.Severity));
        Assert.Empty(engine.Tick(_time.GetUtcNow().AddMinutes(6)));             // one alarm, not one per tick

        _time.Advance(TimeSpan.FromMinutes(7));
        var back = Assert.Single(engine.OnReadings(Site, Gw, [new Reading("canteen-fridge-1", Metrics.Temperature, 4.0, _time.GetUtcNow())]));
        Assert.Equal(AlarmTransitionKind.Cleared, back.Kind);
        Assert.Equal("sensor-offline", back.Alarm.Rule);
    }

    [Fact]
    public void A_held_condition_completes_at_a_tick_between_readings()
    {
        var engine = NewEngine();
        Assert.Empty(engine.OnReadings(Site, Gw, [new Reading("lab-fridge-1", Metrics.Temperature, 9.0, _time.GetUtcNow())]));
        Assert.Empty(engine.Tick(_time.GetUtcNow().AddMinutes(4)));
        var raised = Assert.Single(engine.Tick(_time.GetUtcNow().AddMinutes(5)), t => t.Alarm.Rule == "lab-fridge");
        Assert.Equal(AlarmTransitionKind.Raised, raised.Kind);
    }

    [Fact]
    public void A_stuck_sensor_raises_a_minor_alarm_after_6_hours()
    {
        var engine = NewEngine();
        var stuck = Run(engine, "canteen-fridge-1", (6 * 3600) + 60, 4.0, step: 60);
        var alarm = Assert.Single(stuck);
        Assert.Equal(("sensor-stuck", AlarmSeverity.Minor), (alarm.Alarm.Rule, alarm.Alarm.Severity));
    }

    [Fact]
    public void Reloaded_rules_take_effect_and_a_changed_rule_starts_its_window_again()
    {
        var engine = NewEngine();
        Assert.Empty(Run(engine, "canteen-fridge-1", 540, 9.0));              // 9 minutes outside 0..8 of the 10 allowed

        _rules = RulesParser.Parse("""
            rules:
              - name: cold-storage
                profile: cold-storage
                metric: temperature
                detector: level
                raise: { outside: [0, 10], for: 2m }
                clear: { inside: [0.5, 9.5], for: 5m }
                severity: major
            profiles:
              - { devices: "canteen-fridge-*", profile: cold-storage }
            """, "rules.yaml").Rules!;

        Assert.Empty(Run(engine, "canteen-fridge-1", 600, 9.0));              // 9 °C is inside the new band
        var raised = Assert.Single(Run(engine, "canteen-fridge-1", 150, 10.5)); // outside 0..10 for 2 min
        Assert.Equal("cold-storage", raised.Alarm.Rule);
    }

    [Fact]
    public void Late_readings_are_history_they_raise_nothing_and_leave_the_windows_alone()
    {
        var engine = NewEngine();
        var old = _time.GetUtcNow().AddMinutes(-30);
        Assert.Empty(engine.OnReadings(Site, Gw, [new Reading("kitchen-1", Metrics.Temperature, 80, old)]));      // a spool replay of a hot reading
        Assert.Equal(1, engine.LateReadings);
        Assert.Empty(engine.OpenAlarms);

        var live = engine.OnReadings(Site, Gw, [new Reading("kitchen-1", Metrics.Temperature, 80, _time.GetUtcNow())]);
        Assert.Contains(live, t => t.Alarm.Rule == "fixed-heat" && t.Kind == AlarmTransitionKind.Raised);
    }

    [Fact]
    public void A_late_fire_event_is_still_an_alarm_but_marked_late()
    {
        var engine = NewEngine();
        var at = _time.GetUtcNow().AddHours(-2);
        var raised = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, at)]));
        Assert.Equal(AlarmTransitionKind.Raised, raised.Kind);
        Assert.StartsWith("late: event at 2026-11-28T06:00:00.000Z", raised.Note, StringComparison.Ordinal);
        Assert.Equal(at, raised.Alarm.RaisedAt);

        var live = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-2", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));
        Assert.Null(live.Note);
    }
}
