using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// What a node taking a school over relies on (<see cref="AlarmEngine.Observe"/> and the receipt time of a replay): inputs
/// whose alarms are already stored rebuild the detectors without touching any alarm, and a replayed silence timer learns
/// the intervals the readings really came at.
/// </summary>
public sealed class EngineObserveTests
{
    private const string Site = "school-01";
    private const string Gw = "gw-1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Observed_inputs_of_an_alarm_raised_and_closed_elsewhere_leave_no_ghost_and_the_next_smoke_is_a_new_alarm()
    {
        // The store: the smoke alarm was raised, acknowledged and reset on the dead node (closed: not among the open ones).
        var engine = new AlarmEngine(_time);
        var raised = _time.GetUtcNow();
        var transitions = new List<AlarmTransition>();
        engine.Observe(e =>
        {
            transitions.AddRange(e.OnEvents(Site, Gw, [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, raised)], raised));
            transitions.AddRange(e.OnEvents(Site, Gw, [new DeviceEvent("smoke-1", EventType.Reset, EventState.Active, raised.AddSeconds(30))], raised.AddSeconds(30)));
        });
        Assert.Empty(transitions);
        Assert.Empty(engine.OpenAlarms);

        _time.Advance(TimeSpan.FromMinutes(2));
        var next = Assert.Single(engine.OnEvents(Site, Gw, [new DeviceEvent("smoke-1", EventType.Smoke, EventState.Active, _time.GetUtcNow())]));
        Assert.Equal(AlarmTransitionKind.Raised, next.Kind);
        Assert.Equal(1, next.Alarm.Count);
    }

    [Fact]
    public void Observed_readings_fill_a_held_condition_that_the_next_live_reading_completes_once()
    {
        var rules = Alerting.Rules.RulesParser.Parse("""
            rules:
              - name: cold-test
                profile: cold-test
                metric: temperature
                detector: level
                raise: { outside: [0, 8], for: 20s }
                clear: { inside: [0.5, 7.5], for: 5s }
                severity: major
            profiles:
              - devices: "fridge-*"
                profile: cold-test
            """, "rules.yaml").Rules!;
        var engine = new AlarmEngine(_time, rules: () => rules);
        var start = _time.GetUtcNow();
        engine.Observe(e =>
        {
            for (var i = 0; i <= 15; i += 5)
            {
                Assert.Empty(e.OnReadings(Site, Gw, [new Reading("fridge-1", "temperature", 12.0, start.AddSeconds(i))], null, start.AddSeconds(i)));
            }
        });

        _time.Advance(TimeSpan.FromSeconds(20));
        var raise = Assert.Single(engine.OnReadings(Site, Gw, [new Reading("fridge-1", "temperature", 12.0, _time.GetUtcNow())]));
        Assert.Equal(AlarmTransitionKind.Raised, raise.Kind);
    }

    [Fact]
    public void A_replayed_sensor_that_reports_every_8_minutes_is_not_offline_5_minutes_after_the_takeover()
    {
        var engine = new AlarmEngine(_time);
        var now = _time.GetUtcNow();

        // The journal: readings received 24, 16 and 8 minutes ago, replayed now with their receipt times.
        foreach (var ago in new[] { 24, 16, 8 })
        {
            var at = now.AddMinutes(-ago);
            engine.Observe(e => e.OnReadings(Site, Gw, [new Reading("slow-1", "temperature", 20.0, at)], null, at));
        }

        // Learnt: every 8 minutes (timeout 3 × 8 = 24 min after the last). Fed all at once, it would have learnt nothing
        // and the 5-minute floor would call it offline now.
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.DoesNotContain(engine.Tick(_time.GetUtcNow()), t => t.Alarm.Device == "slow-1");
    }

    [Fact]
    public void A_device_whose_offline_alarm_is_open_when_the_engine_starts_clears_it_with_its_first_reading()
    {
        // A restart or a takeover: the store holds the device's open offline alarm; this engine's timer is new.
        var offline = new Alarm
        {
            Id = "offline-1", Rule = "sensor-offline", Site = Site, Gateway = Gw, Device = "fridge-9", Severity = AlarmSeverity.Warning,
            State = AlarmState.ActiveUnack, RaisedAt = _time.GetUtcNow().AddMinutes(-20), UpdatedAt = _time.GetUtcNow().AddMinutes(-20),
        };
        var engine = new AlarmEngine(_time, [offline]);

        var cleared = Assert.Single(engine.OnReadings(Site, Gw, [new Reading("fridge-9", "temperature", 4.0, _time.GetUtcNow())]));
        Assert.Equal(("offline-1", AlarmTransitionKind.Cleared), (cleared.Alarm.Id, cleared.Kind));
        Assert.Empty(engine.OnReadings(Site, Gw, [new Reading("fridge-9", "temperature", 4.1, _time.GetUtcNow())]));
    }
}
