using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// Which devices have an alarm condition that bears on their health, kept from every stored alarm change
/// (<see cref="HealthAlarmNotifier"/>) after loading the open ones at start: an active offline rule's alarm
/// (<see cref="HealthReasons.OfflineAlarm"/>), a flatline rule's (<see cref="HealthReasons.Stuck"/>), a panel's trouble or
/// power fault (<see cref="HealthReasons.PanelTrouble"/>). Active means the condition holds: active (acknowledged or not),
/// suppressed, or shelved while active — not cleared, nor held open by flapping protection. Thread-safe; readers take a
/// snapshot that is rebuilt only after a change.
/// </summary>
internal sealed class DeviceAlarmIndex
{
    private static readonly string[] PanelFaultRules = ["panel-trouble", "panel-power-fault"];

    private readonly Lock _lock = new();
    private readonly RulesProvider _rules;
    private readonly Dictionary<string, (string Site, string Device, HealthReasons Reason)> _byId = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<(string Site, string Device), HealthReasons>? _snapshot;

    public DeviceAlarmIndex(IAlarmStore store, RulesProvider rules)
    {
        _rules = rules;
        foreach (var alarm in store.LoadOpen())
        {
            Apply(alarm);
        }
    }

    /// <summary>
    /// Replaces the index with the store's open alarms (a cluster node: the schools whose engines run on other nodes change
    /// the shared store without telling this node's notifier); true when that changed what the index says.
    /// </summary>
    public bool Reload(IReadOnlyList<Alarm> open)
    {
        var fresh = new Dictionary<string, (string Site, string Device, HealthReasons Reason)>(StringComparer.Ordinal);
        foreach (var alarm in open)
        {
            var reason = ActiveReason(alarm);
            if (reason != HealthReasons.None)
            {
                fresh[alarm.Id] = (alarm.Site, alarm.Device!, reason);
            }
        }

        bool changed;
        lock (_lock)
        {
            changed = fresh.Count != _byId.Count || fresh.Any(f => !_byId.TryGetValue(f.Key, out var known) || known != f.Value);
            if (changed)
            {
                _byId.Clear();
                foreach (var (id, entry) in fresh)
                {
                    _byId[id] = entry;
                }

                _snapshot = null;
            }
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return changed;
    }

    /// <summary>Raised after an alarm change altered the index (the health monitor re-evaluates).</summary>
    public event Action? Changed;

    /// <summary>Takes an alarm change into account; true when it changed what the index says.</summary>
    public bool Apply(Alarm alarm)
    {
        var reason = ActiveReason(alarm);
        bool changed;
        lock (_lock)
        {
            if (reason != HealthReasons.None)
            {
                changed = !_byId.TryGetValue(alarm.Id, out var known) || known.Reason != reason;
                _byId[alarm.Id] = (alarm.Site, alarm.Device!, reason);
            }
            else
            {
                changed = _byId.Remove(alarm.Id);
            }

            if (changed)
            {
                _snapshot = null;
            }
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return changed;
    }

    /// <summary>The reasons per (site, device) with at least one; an immutable view until the next change.</summary>
    public IReadOnlyDictionary<(string Site, string Device), HealthReasons> Snapshot()
    {
        lock (_lock)
        {
            if (_snapshot is null)
            {
                var map = new Dictionary<(string Site, string Device), HealthReasons>();
                foreach (var (site, device, reason) in _byId.Values)
                {
                    map[(site, device)] = map.GetValueOrDefault((site, device)) | reason;
                }

                _snapshot = map;
            }

            return _snapshot;
        }
    }

    /// <summary>What an alarm says about its device's health while its condition holds; none otherwise.</summary>
    private HealthReasons ActiveReason(Alarm alarm) =>
        alarm.Device is null || !IsActive(alarm) ? HealthReasons.None : ReasonOf(alarm.Rule);

    private HealthReasons ReasonOf(string rule)
    {
        if (PanelFaultRules.Contains(rule, StringComparer.Ordinal))
        {
            return HealthReasons.PanelTrouble;
        }

        foreach (var r in _rules.Current.Rules)
        {
            if (string.Equals(r.Name, rule, StringComparison.Ordinal))
            {
                return r.Detector switch
                {
                    DetectorKind.Offline => HealthReasons.OfflineAlarm,
                    DetectorKind.Flatline => HealthReasons.Stuck,
                    _ => HealthReasons.None,
                };
            }
        }

        return HealthReasons.None;
    }

    private static bool IsActive(Alarm alarm) =>
        alarm.ClearPendingSince is null
        && (alarm.State is AlarmState.ActiveUnack or AlarmState.ActiveAck or AlarmState.Suppressed
            || (alarm.State == AlarmState.Shelved && alarm.ShelvedFrom is not AlarmState.ClearedUnack));
}
