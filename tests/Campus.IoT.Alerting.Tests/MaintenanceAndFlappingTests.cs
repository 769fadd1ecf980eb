using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>Maintenance windows, flapping protection and escalation policies from a rules file, all on fake time.</summary>
public sealed class MaintenanceAndFlappingTests
{
    private const string Site = "school-01";
    private const string Gw = "gw-1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _time.GetUtcNow();

    private MaintenanceWindow Window(TimeSpan length, string devices = "*", params string[] rules) => new()
    {
        Id = "w1",
        Site = Site,
        Devices = devices,
        Rules = rules,
        From = Now,
        Until = Now + length,
        By = "张工",
        Reason = "消防主机年检 / panel inspection",
    };

    private IReadOnlyList<AlarmTransition> Event(AlarmEngine engine, string device, EventType type, EventState state) =>
        engine.OnEvents(Site, Gw, [new DeviceEvent(device, type, state, Now)]);

    private List<AlarmTransition> Run(AlarmEngine engine, TimeSpan span, TimeSpan step)
    {
        var all = new List<AlarmTransition>();
        for (var t = TimeSpan.Zero; t < span; t += step)
        {
            _time.Advance(step);
            all.AddRange(engine.Tick(Now));
        }

        return all;
    }

    [Fact]
    public void A_trouble_raised_during_a_maintenance_window_is_suppressed_and_resumes_when_the_window_ends_with_it_still_there()
    {
        var engine = new AlarmEngine(_time);
        var start = Now;
        engine.SetMaintenance([Window(TimeSpan.FromMinutes(30), "panel-*")]);

        var raised = Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Active));
        Assert.Equal(AlarmTransitionKind.Suppressed, raised.Kind);
        Assert.Equal(AlarmState.Suppressed, raised.Alarm.State);
        Assert.Equal("w1", raised.Alarm.Maintenance);
        Assert.Contains("panel inspection", raised.Note);

        // A device the window does not cover raises as usual.
        Assert.Equal(AlarmTransitionKind.Raised, Assert.Single(Event(engine, "smoke-2", EventType.Trouble, EventState.Active)).Kind);

        var later = Run(engine, TimeSpan.FromMinutes(40), TimeSpan.FromSeconds(5));
        var resumed = Assert.Single(later);
        Assert.Equal(AlarmTransitionKind.Resumed, resumed.Kind);
        Assert.Equal(AlarmState.ActiveUnack, resumed.Alarm.State);
        Assert.Equal(start.AddMinutes(30), resumed.At);                              // the first tick at the window's end
        Assert.Null(resumed.Alarm.Maintenance);
    }

    [Fact]
    public void A_window_that_does_not_name_fire_never_hides_a_fire_alarm_and_one_that_does_suppresses_it()
    {
        var engine = new AlarmEngine(_time);
        engine.SetMaintenance([Window(TimeSpan.FromHours(1))]);
        Assert.Equal(AlarmState.ActiveUnack, Assert.Single(Event(engine, "smoke-1", EventType.Smoke, EventState.Active)).Alarm.State);

        var test = new AlarmEngine(_time);
        test.SetMaintenance([Window(TimeSpan.FromHours(1), "smoke-*", "fire")]);
        var suppressed = Assert.Single(Event(test, "smoke-1", EventType.Smoke, EventState.Active));
        Assert.Equal(AlarmState.Suppressed, suppressed.Alarm.State);

        // Suppressed fire alarms do not escalate.
        Assert.DoesNotContain(Run(test, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), t => t.Kind == AlarmTransitionKind.Escalated);
    }

    [Fact]
    public void A_window_suppresses_an_alarm_already_active_and_a_clear_meanwhile_ends_it_without_needing_an_ack()
    {
        var engine = new AlarmEngine(_time);
        var raised = Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Active));
        engine.SetMaintenance([Window(TimeSpan.FromMinutes(30))]);

        var suppressed = Assert.Single(Run(engine, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)));
        Assert.Equal((AlarmTransitionKind.Suppressed, AlarmState.Suppressed, raised.Alarm.Id), (suppressed.Kind, suppressed.Alarm.State, suppressed.Alarm.Id));

        var cleared = Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Cleared));
        Assert.Equal(AlarmState.Cleared, cleared.Alarm.State);
        Assert.Empty(engine.OpenAlarms);
        Assert.Empty(Run(engine, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_bouncing_contact_becomes_one_flapping_alarm_whose_clear_waits_until_it_stays_clear()
    {
        var engine = new AlarmEngine(_time);
        var transitions = new List<AlarmTransition>();
        string? id = null;

        // Three bounces a minute apart: each clear is an ordinary clear (cleared_unack), each return re-activates the alarm.
        for (var i = 0; i < 3; i++)
        {
            var up = Event(engine, "panel-1", EventType.Trouble, EventState.Active);
            id ??= up[0].Alarm.Id;
            Assert.Equal(AlarmState.ActiveUnack, up[0].Alarm.State);                  // a raise is never delayed
            _time.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(AlarmState.ClearedUnack, Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Cleared)).Alarm.State);
            _time.Advance(TimeSpan.FromSeconds(30));
        }

        // The fourth raise within 10 minutes: flapping.
        var fourth = Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Active));
        Assert.True(fourth.Alarm.Flapping);
        Assert.Contains("flapping: 4 raises", fourth.Note);
        Assert.Equal(id, fourth.Alarm.Id);

        // Now a clear is held: the alarm stays active (no cleared_unack for the board to bounce between).
        _time.Advance(TimeSpan.FromSeconds(30));
        var held = Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Cleared));
        Assert.Equal(AlarmState.ActiveUnack, held.Alarm.State);
        Assert.Equal(Now, held.Alarm.ClearPendingSince);

        // It bounces back 2 minutes later: a repeat of the same alarm, not a raise.
        _time.Advance(TimeSpan.FromMinutes(2));
        var bounce = Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Active));
        Assert.Equal((AlarmTransitionKind.Updated, id, AlarmState.ActiveUnack), (bounce.Kind, bounce.Alarm.Id, bounce.Alarm.State));
        Assert.Null(bounce.Alarm.ClearPendingSince);
        Assert.Equal(5, bounce.Alarm.Count);

        // Clear again; then it stays clear: it clears 5 minutes (the settle time) after that clear, at the tick.
        _time.Advance(TimeSpan.FromSeconds(10));
        Event(engine, "panel-1", EventType.Trouble, EventState.Cleared);
        var clearAt = Now;
        transitions.AddRange(Run(engine, TimeSpan.FromMinutes(6), TimeSpan.FromSeconds(5)));
        var cleared = Assert.Single(transitions);
        Assert.Equal((AlarmTransitionKind.Cleared, AlarmState.ClearedUnack), (cleared.Kind, cleared.Alarm.State));
        Assert.Equal(clearAt.AddMinutes(5), cleared.At);
    }

    [Fact]
    public void A_panel_reset_clears_a_flapping_fire_alarm_at_once()
    {
        var engine = new AlarmEngine(_time);
        for (var i = 0; i < 4; i++)
        {
            Event(engine, "smoke-1", EventType.Smoke, EventState.Active);
            _time.Advance(TimeSpan.FromSeconds(20));
            Event(engine, "smoke-1", EventType.Smoke, EventState.Cleared);
            _time.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.True(Assert.Single(engine.OpenAlarms).Flapping);
        var reset = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-1", EventType.Reset, EventState.Active, Now)]));
        Assert.Equal(AlarmTransitionKind.Cleared, reset.Kind);
    }

    [Fact]
    public void Escalation_policies_come_from_the_rules_file_with_repeats_until_acknowledged()
    {
        const string yaml = """
            escalations:
              - name: cold-chain
                levels:
                  - after: 0s
                    notify: [guard-room, canteen-manager]
                  - after: 30m
                    notify: [safety-officer]
                repeat: 1h
            rules:
              - name: cold-storage
                profile: cold-storage
                metric: temperature
                detector: level
                raise: { outside: [0, 8], for: 10m }
                clear: { inside: [0.5, 7.5], for: 5m }
                severity: major
                escalation: cold-chain
            profiles:
              - devices: "fridge-*"
                profile: cold-storage
            """;
        var parsed = RulesParser.Parse(yaml, "rules.yaml");
        Assert.Empty(parsed.Errors);
        var engine = new AlarmEngine(_time, rules: () => parsed.Rules!);
        var start = Now;

        engine.OnReadings(Site, Gw, [new Reading("fridge-1", Metrics.Temperature, 12, Now)]);
        var all = Run(engine, TimeSpan.FromHours(3), TimeSpan.FromSeconds(5));

        // Raised 10 min after the excursion began; level 1 30 min after the raise; repeats of level 1 every hour after that.
        // (The sensor, silent after its one reading, also raises sensor-offline: no policy, so it never escalates.)
        var raised = Assert.Single(all, t => t.Kind == AlarmTransitionKind.Raised && t.Alarm.Rule == "cold-storage");
        Assert.Equal(start.AddMinutes(10), raised.At);
        var escalations = all.Where(t => t.Kind == AlarmTransitionKind.Escalated).ToList();
        Assert.Equal([40.0, 100.0, 160.0], escalations.Select(t => (t.At - start).TotalMinutes));
        Assert.Equal(["level 1: safety-officer", "level 2 (repeat 1): safety-officer", "level 3 (repeat 2): safety-officer"], escalations.Select(t => t.Note));
        Assert.Equal(["safety-officer"], engine.PolicyOf("cold-storage")!.RecipientsAt(3));

        Assert.NotNull(engine.Acknowledge(raised.Alarm.Id, "李主管", "冷库门已关"));
        Assert.DoesNotContain(Run(engine, TimeSpan.FromHours(3), TimeSpan.FromMinutes(1)), t => t.Kind == AlarmTransitionKind.Escalated);
    }

    [Fact]
    public void A_late_fire_event_climbs_the_ladder_from_when_the_platform_raised_it_not_from_its_old_timestamp()
    {
        var engine = new AlarmEngine(_time);
        var raised = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, Now.AddMinutes(-30))]));
        Assert.Contains("late", raised.Note);
        Assert.Equal(Now, raised.Alarm.EscalationFrom);
        Assert.Equal((1, Now.AddSeconds(60)), engine.NextEscalation(raised.Alarm));
        Assert.Empty(engine.Tick(Now.AddSeconds(1)));                                  // not all levels at once
    }

    [Theory]
    [InlineData("escalations:\n  - name: x\n    levels:\n      - after: 30s\n        notify: [a]\n", "rules.yaml:4:9: the first level is the raise itself: its `after` must be 0s")]
    [InlineData("escalations:\n  - name: x\n    levels:\n      - after: 0s\n        notify: [a]\n      - after: 0s\n        notify: [b]\n", "rules.yaml:6:9: level 1 (after 0s) must come later than level 0 (after 0s)")]
    [InlineData("escalations:\n  - name: x\n    levels:\n      - after: 0s\n        notify: []\n", "rules.yaml:5:17: `notify` must be a non-empty list of recipient names")]
    [InlineData("escalations:\n  - name: x\n    repeat: 5s\n    levels:\n      - after: 0s\n        notify: [a]\n", "rules.yaml:3:13: `repeat` must be at least 30s (got 5s): a shorter repeat is a notification flood")]
    [InlineData("rules:\n  - name: r\n    profile: p\n    metric: temperature\n    detector: level\n    raise: { above: 5 }\n    clear: { below: 4, for: 1m }\n    severity: minor\n    escalation: nobody\n", "rules.yaml:2:1: rule `r`: no escalation policy `nobody` (known: console, fire)")]
    [InlineData("flapping: { raises: 1, within: 10m, settle: 5m }\n", "rules.yaml:1:21: `raises` must be a whole number from 2 to 64")]
    public void Escalation_and_flapping_errors_are_reported_with_their_place(string yaml, string expected)
    {
        var result = RulesParser.Parse(yaml, "rules.yaml");
        Assert.Null(result.Rules);
        Assert.Contains(expected, result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Flapping_thresholds_come_from_the_rules_file()
    {
        var parsed = RulesParser.Parse("flapping: { raises: 2, within: 1m, settle: 30s }\n", "rules.yaml");
        Assert.Equal(new FlappingPolicy(2, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)) { Line = 1 }, parsed.Rules!.Flapping);
        var engine = new AlarmEngine(_time, rules: () => parsed.Rules!);
        Event(engine, "panel-1", EventType.Trouble, EventState.Active);
        _time.Advance(TimeSpan.FromSeconds(10));
        Event(engine, "panel-1", EventType.Trouble, EventState.Cleared);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(Assert.Single(Event(engine, "panel-1", EventType.Trouble, EventState.Active)).Alarm.Flapping);
    }
}
