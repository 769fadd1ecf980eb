using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>
/// The first rules pipeline: the default fire / panel event rules and the fixed-heat rule of DESIGN.md, and the
/// alarm lifecycle (raise, repeat, acknowledge, clear). Pure logic: no I/O, time from the inputs and the injected clock.
/// Not thread-safe: one caller at a time (the host serialises per site).
/// </summary>
internal sealed class AlarmEngine
{
    public const string FireRule = "fire";
    public const string FixedHeatRule = "fixed-heat";
    public const string System = "system";

    /// <summary>Fixed heat: raise at or above this (°C).</summary>
    public const double FixedHeatRaise = 57.0;

    /// <summary>Fixed heat: clears when below this (°C) ...</summary>
    public const double FixedHeatClearBelow = 50.0;

    /// <summary>... for this long, measured on the readings' own timestamps.</summary>
    public static readonly TimeSpan FixedHeatClearHold = TimeSpan.FromMinutes(5);

    private static readonly Dictionary<EventType, (string Rule, AlarmSeverity Severity)> EventRules = new()
    {
        [EventType.FireAlarm] = (FireRule, AlarmSeverity.Critical),
        [EventType.Smoke] = (FireRule, AlarmSeverity.Critical),
        [EventType.Heat] = (FireRule, AlarmSeverity.Critical),
        [EventType.ManualCallPoint] = (FireRule, AlarmSeverity.Critical),
        [EventType.Supervisory] = ("panel-supervisory", AlarmSeverity.Major),
        [EventType.Trouble] = ("panel-trouble", AlarmSeverity.Minor),
        [EventType.PowerFault] = ("panel-power-fault", AlarmSeverity.Major),
    };

    private readonly TimeProvider _time;
    private readonly Dictionary<AlarmKey, Alarm> _open = [];
    private readonly Dictionary<string, AlarmKey> _keysById = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Site, string Gateway, string Device), DateTimeOffset> _belowClearSince = [];

    public AlarmEngine(TimeProvider time, IEnumerable<Alarm>? openAlarms = null)
    {
        _time = time;
        foreach (var alarm in openAlarms ?? [])
        {
            if (alarm.State.IsOpen())
            {
                Track(alarm);
            }
        }
    }

    public IEnumerable<Alarm> OpenAlarms => _open.Values;

    public bool TryGetOpen(string id, out Alarm alarm)
    {
        if (_keysById.TryGetValue(id, out var key))
        {
            alarm = _open[key];
            return true;
        }

        alarm = null!;
        return false;
    }

    public IReadOnlyList<AlarmTransition> OnEvents(string site, string gateway, IEnumerable<DeviceEvent> events)
    {
        var transitions = new List<AlarmTransition>();
        foreach (var e in events)
        {
            if (e.Type == EventType.Reset)
            {
                // A panel reset clears every fire alarm the panel (device) reported, whatever the point.
                foreach (var alarm in _open.Values.Where(a => a.Rule == FireRule && a.Site == site && a.Gateway == gateway && a.Device == e.Device).ToList())
                {
                    ClearCondition(alarm, transitions, $"panel reset {e.Raw}".TrimEnd());
                }

                continue;
            }

            if (!EventRules.TryGetValue(e.Type, out var rule))
            {
                continue;
            }

            var key = new AlarmKey(rule.Rule, site, gateway, e.Device, e.Point);
            if (e.State == EventState.Active)
            {
                Activate(key, rule.Severity, e.Ts, transitions, a => a with { Type = e.Type, Zone = e.Zone ?? a.Zone, Label = e.Label ?? a.Label });
            }
            else if (_open.TryGetValue(key, out var alarm))
            {
                ClearCondition(alarm, transitions, "event cleared");
            }
        }

        return transitions;
    }

    public IReadOnlyList<AlarmTransition> OnReadings(string site, string gateway, IEnumerable<Reading> readings)
    {
        var transitions = new List<AlarmTransition>();
        foreach (var r in readings)
        {
            if (r.Metric != Metrics.Temperature)
            {
                continue;
            }

            var key = new AlarmKey(FixedHeatRule, site, gateway, r.Device, null);
            var deviceKey = (site, gateway, r.Device);
            if (r.Value >= FixedHeatRaise)
            {
                _belowClearSince.Remove(deviceKey);
                Activate(key, AlarmSeverity.Critical, r.Ts, transitions, a => a with { Metric = r.Metric, Value = r.Value });
                continue;
            }

            if (!_open.TryGetValue(key, out var alarm) || alarm.State == AlarmState.ClearedUnack)
            {
                continue;
            }

            if (r.Value >= FixedHeatClearBelow)
            {
                _belowClearSince.Remove(deviceKey);
                continue;
            }

            if (!_belowClearSince.TryGetValue(deviceKey, out var since))
            {
                _belowClearSince[deviceKey] = r.Ts;
            }
            else if (r.Ts - since >= FixedHeatClearHold)
            {
                _belowClearSince.Remove(deviceKey);
                ClearCondition(alarm with { Value = r.Value }, transitions, $"below {FixedHeatClearBelow} °C for {FixedHeatClearHold.TotalMinutes:0} min");
            }
        }

        return transitions;
    }

    /// <summary>A person acknowledges an open alarm: active_unack -> active_ack, cleared_unack -> cleared.</summary>
    public AlarmTransition? Acknowledge(string id, string by, string? note)
    {
        if (!TryGetOpen(id, out var alarm) || alarm.State is not (AlarmState.ActiveUnack or AlarmState.ClearedUnack))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var acked = alarm with
        {
            State = alarm.State == AlarmState.ActiveUnack ? AlarmState.ActiveAck : AlarmState.Cleared,
            AckedAt = now,
            AckedBy = by,
            AckNote = note,
            UpdatedAt = now,
        };
        Track(acked);
        return new AlarmTransition(AlarmTransitionKind.Acknowledged, acked, now, by, note);
    }

    private void Activate(AlarmKey key, AlarmSeverity severity, DateTimeOffset sourceTs, List<AlarmTransition> transitions, Func<Alarm, Alarm> detail)
    {
        var now = _time.GetUtcNow();
        if (_open.TryGetValue(key, out var existing))
        {
            var updated = detail(existing) with
            {
                Count = existing.Count + 1,
                UpdatedAt = now,
                Severity = severity < existing.Severity ? severity : existing.Severity,
                // The condition came back before anyone acknowledged that it had gone: it needs attention again.
                State = existing.State == AlarmState.ClearedUnack ? AlarmState.ActiveUnack : existing.State,
                ClearedAt = existing.State == AlarmState.ClearedUnack ? null : existing.ClearedAt,
            };
            Track(updated);
            transitions.Add(new AlarmTransition(AlarmTransitionKind.Updated, updated, now, System));
            return;
        }

        var raised = detail(new Alarm
        {
            Id = Guid.CreateVersion7(now).ToString("N"),
            Rule = key.Rule,
            Site = key.Site,
            Gateway = key.Gateway,
            Device = key.Device,
            Point = key.Point,
            Severity = severity,
            State = AlarmState.ActiveUnack,
            RaisedAt = sourceTs,
            UpdatedAt = now,
        });
        Track(raised);
        transitions.Add(new AlarmTransition(AlarmTransitionKind.Raised, raised, now, System));
    }

    private void ClearCondition(Alarm alarm, List<AlarmTransition> transitions, string note)
    {
        if (alarm.State == AlarmState.ClearedUnack)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var cleared = alarm with
        {
            State = alarm.State == AlarmState.ActiveAck ? AlarmState.Cleared : AlarmState.ClearedUnack,
            ClearedAt = now,
            UpdatedAt = now,
        };
        Track(cleared);
        transitions.Add(new AlarmTransition(AlarmTransitionKind.Cleared, cleared, now, System, note));
    }

    private void Track(Alarm alarm)
    {
        if (alarm.State.IsOpen())
        {
            _open[alarm.Key] = alarm;
            _keysById[alarm.Id] = alarm.Key;
        }
        else
        {
            _open.Remove(alarm.Key);
            _keysById.Remove(alarm.Id);
        }
    }
}
