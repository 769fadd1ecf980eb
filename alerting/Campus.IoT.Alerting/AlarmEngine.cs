using System.Runtime.InteropServices;
using Campus.IoT.Alerting.Detection;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>
/// The rules engine: the fire / panel event rules of DESIGN.md, readings through the rules in force (<see cref="RuleSet"/>:
/// built-in defaults or a rules file) and their windowed detectors, and the alarm lifecycle (raise, repeat, acknowledge,
/// clear). Pure logic: no I/O, time from the inputs, the injected clock and <see cref="Tick"/>.
/// Not thread-safe: one caller at a time (the host serialises per site).
/// </summary>
internal sealed class AlarmEngine
{
    public const string FireRule = "fire";
    public const string FixedHeatRule = "fixed-heat";
    public const string GatewayOfflineRule = "gateway-offline";

    /// <summary>No guard-room board is watching a school (the console watchdog); about the guard room, not a device.</summary>
    public const string ConsoleRule = "console-unattended";

    /// <summary>The gateway field of a console alarm: the guard room itself.</summary>
    public const string ConsoleGateway = "guard-room";
    public const string System = "system";

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

    /// <summary>
    /// Detection state by gateway, then by device id: a call is one gateway's message, so its readings find their gateway once
    /// and then their device by its id alone, in a table that stays in cache (<see cref="DeviceTable{T}"/>).
    /// </summary>
    private readonly Dictionary<(string Site, string Gateway), DeviceTable<DeviceState>> _devices = [];
    private readonly Func<RuleSet> _rules;
    private readonly bool _escalateOnTick;

    /// <summary>Set while <see cref="Observe"/> runs: detectors see the inputs, no alarm is raised, cleared or changed.</summary>
    private bool _observeOnly;
    private RuleSet? _lastRules;
    private readonly Dictionary<AlarmKey, RaiseHistory> _raises = [];
    private IReadOnlyList<MaintenanceWindow> _maintenance = [];

    /// <summary>The device state of each reading of the message in hand (see <see cref="Resolve"/>); reused.</summary>
    private DeviceState[] _batch = new DeviceState[64];

    /// <summary>Where <see cref="Resolve"/> leaves what it read to bring the states into the cache, so that the reads stay.</summary>
    private int _touched;

    /// <summary>
    /// Each rule's detector parameters (conditions, durations, thresholds), made once per rule set and shared by the detectors of
    /// all its sensors: per sensor, a detector keeps only its own state.
    /// </summary>
    private object?[] _specs = [];

    /// <summary>The rules in force as an array: read eight times per reading, without an interface call each time.</summary>
    private Rule[] _ruleArray = [];
    private HashSet<string> _offlineRules = [.. RuleSet.Defaults.Rules.Where(r => r.Detector == DetectorKind.Offline).Select(r => r.Name)];
    private readonly HashSet<(string Site, string Gateway)> _offlineGateways = [];

    /// <param name="rules">The rules in force, read at every batch (hot reload swaps them); the built-in defaults when null.</param>
    /// <param name="escalateOnTick">
    /// True: <see cref="Tick"/> climbs the escalation ladders (replay, where simulated time only moves by ticks). False: the
    /// host's scheduler (Quartz.NET) calls <see cref="Escalate"/> at each step's due time (<see cref="NextEscalation"/>).
    /// </param>
    public AlarmEngine(TimeProvider time, IEnumerable<Alarm>? openAlarms = null, Func<RuleSet>? rules = null, bool escalateOnTick = true)
    {
        _time = time;
        _escalateOnTick = escalateOnTick;
        _rules = rules ?? (() => RuleSet.Defaults);
        foreach (var alarm in openAlarms ?? [])
        {
            if (alarm.State.IsOpen())
            {
                Track(alarm);
                if (alarm.Rule == GatewayOfflineRule && alarm.State != AlarmState.ClearedUnack)
                {
                    // Its devices' offline alarms stay suppressed until the gateway is back, across a restart or takeover.
                    _offlineGateways.Add((alarm.Site, alarm.Gateway));
                }
            }
        }
    }

    /// <summary>
    /// After a replay that only fed the detectors (<see cref="Observe"/>): a detector that now holds its condition while
    /// its alarm is not active raises it, once. The node that ran the school died between the condition being met and the
    /// raise (its tick completes held conditions); this takes that raise now rather than missing it.
    /// </summary>
    public IReadOnlyList<AlarmTransition> Reconcile(DateTimeOffset now)
    {
        var transitions = new List<AlarmTransition>();
        var rules = CurrentRules().Rules;
        foreach (var (site, gateway, device) in AllDevices())
        {
            for (var i = 0; i < device.Detectors.Length && i < rules.Count; i++)
            {
                var active = device.Detectors[i] switch
                {
                    // Bring a held condition to now first: the replay had readings only, and a hold that has since run
                    // its time (the dead node's tick raised or cleared it) must be seen as it is now, not as left.
                    HeldCondition held => held.Tick(now) is var _ && held.Active,
                    RateOfRise rise => rise.Active,
                    Flatline flat => flat.Active,
                    RobustAnomaly anomaly => anomaly.Active,
                    _ => false,
                };
                var key = new AlarmKey(rules[i].Name, site, gateway, device.Device, null);
                if (active && !(_open.TryGetValue(key, out var open) && open.State != AlarmState.ClearedUnack))
                {
                    Activate(key, rules[i].Severity, now, transitions, a => a, "raised at takeover: the condition held before this node took the school over");
                }
            }
        }

        return transitions;
    }

    /// <summary>Inputs older than this, compared with the clock, are late: history, not live.</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromMinutes(10);

    public IEnumerable<Alarm> OpenAlarms => _open.Values;

    /// <summary>Readings that arrived late and were kept out of detection.</summary>
    public long LateReadings { get; private set; }

    private static bool IsLate(DateTimeOffset ts, DateTimeOffset now) => now - ts > LateAfter;

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

    public IReadOnlyList<AlarmTransition> OnEvents(string site, string gateway, IEnumerable<DeviceEvent> events, DateTimeOffset? receivedAt = null)
    {
        var received = receivedAt ?? _time.GetUtcNow();
        var transitions = new List<AlarmTransition>();
        foreach (var e in events)
        {
            if (e.Type == EventType.Reset)
            {
                // A panel reset clears every fire alarm the panel (device) reported, whatever the point.
                // A reset is a person's act at the panel: it clears at once, flapping or not.
                foreach (var alarm in _open.Values.Where(a => a.Rule == FireRule && a.Site == site && a.Gateway == gateway && a.Device == e.Device).ToList())
                {
                    ClearCondition(alarm, transitions, $"panel reset {e.Raw}".TrimEnd(), force: true);
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
                // A late fire event still becomes an alarm (it happened, someone must look), but marked late on its
                // transition so it is never mistaken for a fire burning now.
                var note = IsLate(e.Ts, received) ? $"late: event at {Timestamps.Format(e.Ts)}, received {Timestamps.Format(received)}" : null;
                Activate(key, rule.Severity, e.Ts, transitions, a => a with { Type = e.Type, Zone = e.Zone ?? a.Zone, Label = e.Label ?? a.Label }, note);
            }
            else if (_open.TryGetValue(key, out var alarm))
            {
                ClearCondition(alarm, transitions, "event cleared");
            }
        }

        return transitions;
    }

    /// <summary>
    /// Readings through the rules in force: each reading goes to the detector of every rule that applies to its device's
    /// profile (<see cref="RuleSet.ProfileOf"/>) and metric; a detector's raise activates (or re-activates) the alarm of that
    /// (rule, device), its clear clears it. Offline rules only note that the device spoke (see <see cref="Tick"/>).
    /// </summary>
    /// <param name="profile">The devices' profile when the caller knows it (a replay record names it); else the rules' assignment.</param>
    /// <param name="receivedAt">When the readings were received, if not now (a replay of a node's journal): offline
    /// detection and lateness are judged by receipt.</param>
    public IReadOnlyList<AlarmTransition> OnReadings(string site, string gateway, IEnumerable<Reading> readings, string? profile = null, DateTimeOffset? receivedAt = null)
    {
        var transitions = new List<AlarmTransition>();
        var rules = CurrentRules();
        var now = receivedAt ?? _time.GetUtcNow();
        var batch = readings switch
        {
            List<Reading> list => CollectionsMarshal.AsSpan(list),
            Reading[] array => array,
            _ => [.. readings],
        };
        var states = Resolve(batch, rules, site, gateway, profile);
        for (var j = 0; j < batch.Length; j++)
        {
            var r = batch[j];
            var device = states[j];
            var deviceProfile = profile ?? device.Profile;

            // Late data (older than the live window, e.g. replayed from a gateway spool after an outage) is history: it is
            // stored by ingest but raises nothing as if it were live, and does not disturb the detectors' windows.
            var late = IsLate(r.Ts, now);
            if (late)
            {
                LateReadings++;
            }

            var list = _ruleArray;
            for (var i = 0; i < list.Length; i++)
            {
                var rule = list[i];
                if (rule.Detector == DetectorKind.Offline)
                {
                    if (rule.Metric == "*" || rule.Metric == r.Metric)
                    {
                        // Offline is about readings arriving: receipt time, not the reading's ts (a spool replay of old
                        // readings is the device speaking now).
                        var silence = (Silence)(device.Detectors[i] ??= NewDetector(i, rule));
                        var fresh = silence.LastSeen is null;
                        // A fresh timer (after a restart or a takeover) has no silence of its own to end, but the store
                        // may hold this device's offline alarm: the device speaking clears it either way.
                        if (silence.Observe(now) == DetectorSignal.Clear || fresh)
                        {
                            ClearFromDetector(rule, site, gateway, r.Device, r, transitions);
                        }
                    }

                    continue;
                }

                if (late || !rule.AppliesTo(deviceProfile, r.Metric))
                {
                    continue;
                }

                var signal = (device.Detectors[i] ??= NewDetector(i, rule)) switch
                {
                    HeldCondition held => held.Observe(r.Ts, r.Value),
                    RateOfRise rise => rise.Observe(r.Ts, r.Value),
                    Flatline flat => flat.Observe(r.Ts, r.Value),
                    RobustAnomaly anomaly => anomaly.Observe(r.Value),
                    _ => DetectorSignal.None,
                };
                if (signal == DetectorSignal.Raise)
                {
                    var (metric, value) = (r.Metric, r.Value);
                    Activate(new AlarmKey(rule.Name, site, gateway, r.Device, null), rule.Severity, r.Ts, transitions, a => a with { Metric = metric, Value = value });
                }
                else if (signal == DetectorSignal.Clear)
                {
                    ClearFromDetector(rule, site, gateway, r.Device, r, transitions);
                }
            }
        }

        return transitions;
    }

    /// <summary>
    /// A gateway's status (retained, with an MQTT Last Will of <c>offline</c>): offline raises <c>gateway-offline</c> (major,
    /// about the gateway itself) and suppresses its devices' offline alarms — open ones go to <c>suppressed</c>, new ones are
    /// not raised while it is away (its devices are silent because it is); online clears it.
    /// </summary>
    public IReadOnlyList<AlarmTransition> OnGatewayStatus(string site, string gateway, bool online, DateTimeOffset ts)
    {
        var transitions = new List<AlarmTransition>();
        var key = new AlarmKey(GatewayOfflineRule, site, gateway, null, null);
        if (online)
        {
            _offlineGateways.Remove((site, gateway));
            if (_open.TryGetValue(key, out var alarm))
            {
                ClearCondition(alarm, transitions, "gateway online");
            }

            return transitions;
        }

        _offlineGateways.Add((site, gateway));
        Activate(key, AlarmSeverity.Major, ts, transitions, a => a);
        if (_observeOnly)
        {
            return transitions;
        }

        var now = _time.GetUtcNow();
        foreach (var device in _open.Values.Where(a => a.Site == site && a.Gateway == gateway && a.Device is not null && _offlineRules.Contains(a.Rule) && a.State is AlarmState.ActiveUnack or AlarmState.ActiveAck).ToList())
        {
            var suppressed = device with { State = AlarmState.Suppressed, UpdatedAt = now };
            suppressed = Track(suppressed);
            transitions.Add(new AlarmTransition(AlarmTransitionKind.Suppressed, suppressed, now, System, $"gateway {gateway} offline"));
        }

        return transitions;
    }

    /// <summary>
    /// The console watchdog's verdict on a school: no guard-room board connected (or none still sending heartbeats) raises
    /// <c>console-unattended</c> (major, policy <c>console</c>: the safety officer at once); a board back clears it.
    /// </summary>
    public IReadOnlyList<AlarmTransition> OnConsoleStatus(string site, bool attended, string note)
    {
        var transitions = new List<AlarmTransition>();
        var key = new AlarmKey(ConsoleRule, site, ConsoleGateway, null, null);
        if (attended)
        {
            if (_open.TryGetValue(key, out var alarm))
            {
                ClearCondition(alarm, transitions, note, force: true);
            }
        }
        else if (!_open.TryGetValue(key, out var open) || open.State == AlarmState.ClearedUnack)
        {
            // New, or back before anyone acknowledged that it had gone (the same alarm, active again).
            Activate(key, AlarmSeverity.Major, _time.GetUtcNow(), transitions, a => a, note);
        }

        return transitions;
    }

    /// <summary>
    /// Time has passed with no reading: held conditions whose duration has now elapsed raise or clear, and sensors silent
    /// longer than their offline timeout raise. The host calls this from a timer (every few seconds); tests call it with
    /// simulated time.
    /// </summary>
    public IReadOnlyList<AlarmTransition> Tick(DateTimeOffset now)
    {
        var transitions = new List<AlarmTransition>();
        var rules = CurrentRules().Rules;
        foreach (var (site, gateway, device) in AllDevices())
        {
            var suppressed = _offlineGateways.Contains((site, gateway));
            for (var i = 0; i < device.Detectors.Length; i++)
            {
                var signal = device.Detectors[i] switch
                {
                    HeldCondition held => held.Tick(now),
                    Silence silence when !suppressed => silence.Tick(now),
                    _ => DetectorSignal.None,
                };
                if (signal == DetectorSignal.None)
                {
                    continue;
                }

                var rule = rules[i];
                var key = new AlarmKey(rule.Name, site, gateway, device.Device, null);
                if (signal == DetectorSignal.Raise)
                {
                    Activate(key, rule.Severity, now, transitions, a => a);
                }
                else if (_open.TryGetValue(key, out var alarm))
                {
                    ClearCondition(alarm, transitions, $"{rule.Name}: clear condition held for {rule.ClearFor}");
                }
            }
        }

        Unshelve(now, transitions);
        ApplyMaintenance(now, transitions);
        Settle(now, transitions);
        if (_escalateOnTick)
        {
            foreach (var alarm in _open.Values.Where(a => a.State == AlarmState.ActiveUnack).ToList())
            {
                Escalate(alarm, now, transitions);
            }
        }
        else
        {
            // The scheduler takes each step at its due time; a step overdue by half a minute lost its trigger (its node
            // died while firing it, the grain it was sent to was unreachable): the tick takes it, the ladder goes on.
            foreach (var alarm in _open.Values.Where(a => a.State == AlarmState.ActiveUnack && NextEscalation(a) is { } next && now - next.Due >= EscalationOverdue).ToList())
            {
                Escalate(alarm, now, transitions);
            }
        }

        return transitions;
    }

    /// <summary>
    /// Runs <paramref name="inputs"/> with the alarms left alone: the detectors' windows, silence timers and the gateways'
    /// offline state take them in, but nothing is raised, cleared, repeated or suppressed and no transition results. For
    /// inputs whose alarms are already in the store (a school taken over by another node replays them to rebuild its
    /// windows).
    /// </summary>
    public void Observe(Action<AlarmEngine> inputs)
    {
        _observeOnly = true;
        try
        {
            inputs(this);
        }
        finally
        {
            _observeOnly = false;
        }
    }

    /// <summary>How far the scheduler's clock may run ahead of this engine's for a due step still to be taken.</summary>
    public static readonly TimeSpan EscalationClockTolerance = TimeSpan.FromSeconds(5);

    /// <summary>A step overdue by this much is taken at the next tick even if no trigger fired (a trigger lost with a node).</summary>
    public static readonly TimeSpan EscalationOverdue = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The scheduler's call at a step's due time: the alarm climbs every level due by <paramref name="now"/>. A step due
    /// within <see cref="EscalationClockTolerance"/> after <paramref name="now"/> is taken too: the trigger fired by the
    /// clock of the node that holds it, and a step found "not yet due" here would leave the ladder without a trigger. Nothing when it
    /// is no longer open, active and unacknowledged (acknowledged, cleared, shelved or suppressed meanwhile).
    /// </summary>
    public IReadOnlyList<AlarmTransition> Escalate(string id, DateTimeOffset now)
    {
        var transitions = new List<AlarmTransition>();
        if (TryGetOpen(id, out var alarm) && alarm.State == AlarmState.ActiveUnack)
        {
            if (NextEscalation(alarm) is { } next && next.Due > now && next.Due - now <= EscalationClockTolerance)
            {
                now = next.Due;
            }

            Escalate(alarm, now, transitions);
        }

        return transitions;
    }

    /// <summary>
    /// The next step of an alarm's ladder and when it is due, or null when none is to come (no policy, the ladder done
    /// without repeat, or the alarm not active and unacknowledged). The host schedules it; <see cref="Escalate"/> takes it.
    /// </summary>
    public (int Level, DateTimeOffset Due)? NextEscalation(Alarm alarm)
    {
        if (alarm.State != AlarmState.ActiveUnack || PolicyOf(alarm.Rule) is not { } policy || policy.DueAfter(alarm.EscalationLevel + 1) is not { } after)
        {
            return null;
        }

        return (alarm.EscalationLevel + 1, (alarm.EscalationFrom ?? alarm.RaisedAt) + after);
    }

    /// <summary>
    /// Climbs one level at a time while a further level is due by <paramref name="now"/> (so a late call still passes through
    /// every level, each audited). The level is stored with the alarm, so an engine rebuilt from the store after a restart
    /// neither repeats a level nor skips one.
    /// </summary>
    private void Escalate(Alarm alarm, DateTimeOffset now, List<AlarmTransition> transitions)
    {
        if (PolicyOf(alarm.Rule) is not { } policy)
        {
            return;
        }

        var current = alarm;
        while (NextEscalation(current) is { } next && next.Due <= now)
        {
            current = current with { EscalationLevel = next.Level, UpdatedAt = now };
            current = Track(current);
            var repeat = next.Level >= policy.Levels.Count ? $" (repeat {next.Level - policy.Levels.Count + 1})" : string.Empty;
            transitions.Add(new AlarmTransition(AlarmTransitionKind.Escalated, current, now, System, $"level {current.EscalationLevel}{repeat}: {string.Join(", ", policy.RecipientsAt(next.Level))}"));
        }
    }

    /// <summary>The escalation policy of a rule: fire events use <c>fire</c>; a rule names its own (or none).</summary>
    public EscalationPolicy? PolicyOf(string rule)
    {
        var rules = _lastRules ?? _rules();
        var name = rule switch
        {
            FireRule => EscalationPolicy.Fire.Name,
            ConsoleRule => EscalationPolicy.Console.Name,
            _ => rules.Rules.FirstOrDefault(r => r.Name == rule)?.Escalation,
        };
        return name is not null && rules.Policies.TryGetValue(name, out var policy) ? policy : null;
    }

    /// <summary>
    /// The maintenance windows in force (the host loads them from its store and sets them on every change). Takes effect at
    /// the next input or <see cref="Tick"/>.
    /// </summary>
    public void SetMaintenance(IReadOnlyList<MaintenanceWindow> windows) => _maintenance = windows;

    private MaintenanceWindow? MaintenanceOf(AlarmKey key, DateTimeOffset now)
    {
        foreach (var window in _maintenance)
        {
            if (window.Covers(key, now))
            {
                return window;
            }
        }

        return null;
    }

    /// <summary>
    /// Windows that have begun suppress the active alarms they cover; alarms whose window has ended (or was ended early)
    /// return to <c>active_unack</c>, since their condition has not cleared (a clear while suppressed ends the alarm).
    /// </summary>
    private void ApplyMaintenance(DateTimeOffset now, List<AlarmTransition> transitions)
    {
        foreach (var alarm in _open.Values.ToList())
        {
            if (alarm.Maintenance is { } id && alarm.State == AlarmState.Suppressed)
            {
                if (!_maintenance.Any(w => w.Id == id && w.Covers(alarm.Key, now)))
                {
                    var back = alarm with { State = AlarmState.ActiveUnack, Maintenance = null, EscalationFrom = now, UpdatedAt = now };
                    back = Track(back);
                    transitions.Add(new AlarmTransition(AlarmTransitionKind.Resumed, back, now, System, $"maintenance window {id} ended; the condition is still there"));
                }
            }
            else if (alarm.State is AlarmState.ActiveUnack or AlarmState.ActiveAck && MaintenanceOf(alarm.Key, now) is { } window)
            {
                var suppressed = alarm with { State = AlarmState.Suppressed, Maintenance = window.Id, UpdatedAt = now };
                suppressed = Track(suppressed);
                transitions.Add(new AlarmTransition(AlarmTransitionKind.Suppressed, suppressed, now, System, $"maintenance window {window.Id} by {window.By}: {window.Reason}"));
            }
        }
    }

    /// <summary>Flapping alarms whose condition has stayed clear for the settle time clear now.</summary>
    private void Settle(DateTimeOffset now, List<AlarmTransition> transitions)
    {
        var settle = (_lastRules ?? _rules()).Flapping.Settle;
        foreach (var alarm in _open.Values.Where(a => a.ClearPendingSince is { } since && now - since >= settle).ToList())
        {
            ClearCondition(alarm with { ClearPendingSince = null }, transitions, $"flapping: clear for {settle}", force: true);
        }

        // The raise history only matters within the flapping window: forget keys with nothing in it (bounded memory).
        var within = (_lastRules ?? _rules()).Flapping.Within;
        foreach (var key in _raises.Where(kv => now.UtcTicks - kv.Value.Newest > within.Ticks).Select(kv => kv.Key).ToList())
        {
            _raises.Remove(key);
        }
    }

    private void ClearFromDetector(Rule rule, string site, string gateway, string device, Reading reading, List<AlarmTransition> transitions)
    {
        if (_open.TryGetValue(new AlarmKey(rule.Name, site, gateway, device, null), out var alarm))
        {
            var note = rule.Detector == DetectorKind.Offline ? "a reading arrived" : $"{rule.Name}: clear condition held for {rule.ClearFor}";
            ClearCondition(rule.Detector == DetectorKind.Offline ? alarm : alarm with { Metric = reading.Metric, Value = reading.Value }, transitions, note);
        }
    }

    private RuleSet CurrentRules()
    {
        var rules = _rules();
        if (!ReferenceEquals(rules, _lastRules))
        {
            // New rules: each device keeps the detectors of rules that are still there unchanged (their windows go on);
            // a new or changed rule starts fresh; its profile is looked up again.
            _offlineRules = [.. rules.Rules.Where(r => r.Detector == DetectorKind.Offline).Select(r => r.Name)];
            _specs = [.. rules.Rules.Select(Spec)];
            _ruleArray = [.. rules.Rules];
            var previous = _lastRules?.Rules ?? [];
            foreach (var (site, _, device) in AllDevices())
            {
                var detectors = new object?[rules.Rules.Count];
                for (var i = 0; i < detectors.Length; i++)
                {
                    var old = IndexOf(previous, rules.Rules[i]);
                    detectors[i] = old >= 0 && old < device.Detectors.Length ? device.Detectors[old] : null;
                }

                device.Detectors = detectors;
                device.Profile = rules.ProfileOf(site, device.Device);
            }

            _lastRules = rules;
        }

        return rules;
    }

    private static int IndexOf(IReadOnlyList<Rule> rules, Rule rule)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] == rule)
            {
                return i;
            }
        }

        return -1;
    }

    private IEnumerable<(string Site, string Gateway, DeviceState Device)> AllDevices() =>
        _devices.SelectMany(g => g.Value.All.Select(d => (g.Key.Site, g.Key.Gateway, d)));

    private DeviceTable<DeviceState> DevicesOf(string site, string gateway)
    {
        if (!_devices.TryGetValue((site, gateway), out var devices))
        {
            devices = new DeviceTable<DeviceState>();
            _devices[(site, gateway)] = devices;
        }

        return devices;
    }

    /// <summary>
    /// The device state of each reading of a message, in three passes: find each state by the hash of its id, in the gateway's
    /// table (in cache) without reading the state; then, in a tight loop, read the id and each detector's type of every state
    /// (and the ends of the rate-of-rise ring),
    /// so that their cache misses (at 100,000 devices the state is far larger than the cache) are in flight together instead
    /// of one after the other behind each reading's detector work; then check each id against the state's own copy, now
    /// cached (an id whose hash another id of the gateway already has is looked up by id). Consecutive readings of the same
    /// device share the lookup. Measured on 100,000 devices (docs/benchmarks.md, 3b): with a dictionary keyed by id, which
    /// reads each state's id as it looks it up, the engine did 2.4 M readings/s; with these passes, 4.5 M.
    /// </summary>
    private DeviceState[] Resolve(ReadOnlySpan<Reading> readings, RuleSet rules, string site, string gateway, string? profile)
    {
        if (_batch.Length < readings.Length)
        {
            _batch = new DeviceState[Math.Max(readings.Length, _batch.Length * 2)];
        }

        var batch = _batch;
        var devices = DevicesOf(site, gateway);
        DeviceState? device = null;
        string? id = null;
        for (var j = 0; j < readings.Length; j++)
        {
            var r = readings[j];
            if (!ReferenceEquals(r.Device, id))
            {
                id = r.Device;
                var hash = DeviceTable<DeviceState>.Hash(id);
                device = devices.Find(hash);
                if (device is null)
                {
                    device = NewDevice(rules, site, r, profile);
                    devices.Add(hash, device);
                }
            }

            batch[j] = device!;
        }

        var touched = 0;
        for (var j = 0; j < readings.Length; j++)
        {
            var state = batch[j];
            touched += state.Device.Length;
            foreach (var d in state.Detectors)
            {
                touched += d is RateOfRise rise ? rise.Touch : d is null ? 0 : 1;
            }
        }

        for (var j = 0; j < readings.Length; j++)
        {
            if (!string.Equals(batch[j].Device, readings[j].Device, StringComparison.Ordinal))
            {
                var r = readings[j];
                if (devices.FindCollided(r.Device) is not { } other)
                {
                    other = NewDevice(rules, site, r, profile);
                    devices.AddCollided(other.Device, other);
                }

                batch[j] = other;
            }
        }

        _touched = touched;
        return batch;
    }

    /// <summary>
    /// A device's state, with the engine's own copy of its id and the detectors its first reading's metric needs, allocated
    /// together: one device's state lies together in memory (about 650 bytes with the default rules), so a reading touches neighbouring cache lines
    /// rather than a dozen scattered ones.
    /// </summary>
    private DeviceState NewDevice(RuleSet rules, string site, Reading first, string? profile)
    {
        var id = new string(first.Device.AsSpan());
        var state = new DeviceState(id, new object?[rules.Rules.Count]) { Profile = rules.ProfileOf(site, id) };
        var deviceProfile = profile ?? state.Profile;
        for (var i = 0; i < rules.Rules.Count; i++)
        {
            var rule = rules.Rules[i];
            if (rule.Detector == DetectorKind.Offline ? rule.Metric == "*" || rule.Metric == first.Metric : rule.AppliesTo(deviceProfile, first.Metric))
            {
                state.Detectors[i] = NewDetector(i, rule);
            }
        }

        return state;
    }

    /// <summary>A rule's detector parameters, shared by its sensors' detectors (none for the anomaly detector).</summary>
    private static object? Spec(Rule rule) => rule.Detector switch
    {
        DetectorKind.Level => new HeldCondition.Spec(
            rule.RaiseWhenOutside is { } normal ? v => !normal.Contains(v) : rule.RaiseWhenInside is { } alarm ? alarm.Contains : _ => false,
            rule.RaiseFor,
            rule.ClearWhenInside is { } clear ? clear.Contains : _ => false,
            rule.ClearFor),
        DetectorKind.RateOfRise => new RateOfRise.Spec(rule.RatePerMinute ?? double.PositiveInfinity, rule.ClearRatePerMinute ?? 2, rule.Window, rule.ClearFor),
        DetectorKind.Flatline => new Flatline.Spec(rule.RaiseFor, rule.Tolerance),
        DetectorKind.Offline => new Silence.Spec(0, rule.OfflineFloor.Ticks, rule.IntervalMultiple),
        _ => null,
    };

    /// <summary>The detector a rule runs, with the rule's (shared) parameters. Constant size each.</summary>
    private object NewDetector(int index, Rule rule) => _specs[index] switch
    {
        HeldCondition.Spec held => new HeldCondition(held),
        RateOfRise.Spec rise => new RateOfRise(rise),
        Flatline.Spec flat => new Flatline(flat),
        Silence.Spec silence => new Silence(silence),
        _ => new RobustAnomaly(rule.MinHistory, rule.RaiseZ, rule.ClearZ),
    };

    /// <summary>
    /// A person shelves an alarm for a while (ISA-18.2: a known nuisance while it is being fixed, with a reason): it leaves
    /// the board, does not escalate, and returns to its former state when the shelf expires (<see cref="Tick"/>) unless it
    /// cleared meanwhile. Null when the alarm is not open or already shelved.
    /// </summary>
    public AlarmTransition? Shelve(string id, string by, string note, DateTimeOffset until)
    {
        if (!TryGetOpen(id, out var alarm) || alarm.State is AlarmState.Shelved or AlarmState.Suppressed)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var shelved = alarm with { State = AlarmState.Shelved, ShelvedFrom = alarm.State, ShelvedUntil = until, UpdatedAt = now };
        shelved = Track(shelved);
        return new AlarmTransition(AlarmTransitionKind.Shelved, shelved, now, by, $"until {Timestamps.Format(until)}: {note}");
    }

    /// <summary>Shelves whose time is up: the alarm returns to the state it had.</summary>
    private void Unshelve(DateTimeOffset now, List<AlarmTransition> transitions)
    {
        foreach (var alarm in _open.Values.Where(a => a.State == AlarmState.Shelved && a.ShelvedUntil <= now).ToList())
        {
            var back = alarm with { State = alarm.ShelvedFrom ?? AlarmState.ActiveUnack, ShelvedFrom = null, ShelvedUntil = null, UpdatedAt = now };
            back = Track(back);
            transitions.Add(new AlarmTransition(AlarmTransitionKind.Unshelved, back, now, System, "shelf expired"));
        }
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
        acked = Track(acked);
        return new AlarmTransition(AlarmTransitionKind.Acknowledged, acked, now, by, note);
    }

    private void Activate(AlarmKey key, AlarmSeverity severity, DateTimeOffset sourceTs, List<AlarmTransition> transitions, Func<Alarm, Alarm> detail, string? note = null)
    {
        if (_observeOnly)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var window = MaintenanceOf(key, now);
        if (_open.TryGetValue(key, out var existing))
        {
            // The condition came back: after it had cleared unacknowledged, or while its clear was held (flapping), or after
            // a gateway outage suppressed it. It counts as a raise for flapping unless it never went away.
            var returned = existing.State == AlarmState.ClearedUnack || existing.ClearPendingSince is not null;
            var flapping = existing.Flapping || (returned && CountRaise(key, now));
            var state = existing.State switch
            {
                AlarmState.ClearedUnack => AlarmState.ActiveUnack,
                AlarmState.Suppressed when existing.Maintenance is null || window is null => AlarmState.ActiveUnack,
                _ => existing.State,
            };
            var updated = detail(existing) with
            {
                Count = existing.Count + 1,
                UpdatedAt = now,
                Severity = severity < existing.Severity ? severity : existing.Severity,
                State = state,
                ClearedAt = existing.State == AlarmState.ClearedUnack ? null : existing.ClearedAt,
                ClearPendingSince = null,
                Flapping = flapping,
                Maintenance = state == AlarmState.Suppressed ? existing.Maintenance : null,
                EscalationFrom = state == AlarmState.ActiveUnack && existing.State != AlarmState.ActiveUnack ? now : existing.EscalationFrom,
            };
            updated = Track(updated);
            var flapNote = flapping && !existing.Flapping ? $"flapping: {_raises[key].Count} raises within {(_lastRules ?? _rules()).Flapping.Within}; its clear is held until it stays clear" : null;
            transitions.Add(new AlarmTransition(AlarmTransitionKind.Updated, updated, now, System, Join(note, flapNote))
            {
                Reactivated = state == AlarmState.ActiveUnack && existing.State != AlarmState.ActiveUnack,
            });
            return;
        }

        var isFlapping = CountRaise(key, now);
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
            EscalationFrom = now,
            Flapping = isFlapping,
        });
        if (window is not null)
        {
            // Raised under a maintenance window: stored and audited, not shown, escalated or notified.
            raised = raised with { State = AlarmState.Suppressed, Maintenance = window.Id };
            raised = Track(raised);
            transitions.Add(new AlarmTransition(AlarmTransitionKind.Suppressed, raised, now, System, Join(note, $"raised during maintenance window {window.Id} by {window.By}: {window.Reason}")));
            return;
        }

        raised = Track(raised);
        transitions.Add(new AlarmTransition(AlarmTransitionKind.Raised, raised, now, System, Join(note, isFlapping ? "flapping" : null)));
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    /// <summary>Counts a raise of <paramref name="key"/> at <paramref name="now"/>; true when that makes it flapping.</summary>
    private bool CountRaise(AlarmKey key, DateTimeOffset now)
    {
        var policy = (_lastRules ?? _rules()).Flapping;
        if (!_raises.TryGetValue(key, out var history))
        {
            history = new RaiseHistory(policy.Raises);
            _raises[key] = history;
        }

        history.Add(now.UtcTicks);
        return history.CountSince(now.UtcTicks - policy.Within.Ticks) >= policy.Raises;
    }

    private void ClearCondition(Alarm alarm, List<AlarmTransition> transitions, string note, bool force = false)
    {
        if (_observeOnly || alarm.State == AlarmState.ClearedUnack)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (alarm.Flapping && !force && alarm.State is AlarmState.ActiveUnack or AlarmState.ActiveAck)
        {
            // Flapping: hold the clear until the condition stays away for the settle time (see Settle); a bounce back
            // meanwhile is a repeat of this alarm, not a new one.
            if (alarm.ClearPendingSince is null)
            {
                var held = alarm with { ClearPendingSince = now, UpdatedAt = now };
                held = Track(held);
                transitions.Add(new AlarmTransition(AlarmTransitionKind.Updated, held, now, System, $"{note}; clear held (flapping) until it stays clear for {(_lastRules ?? _rules()).Flapping.Settle}"));
            }

            return;
        }

        var cleared = alarm with
        {
            // Acknowledged, suppressed or shelved (someone had taken it on, or nobody had to): cleared is the end; otherwise
            // someone must still see it.
            State = alarm.State is AlarmState.ActiveAck or AlarmState.Suppressed or AlarmState.Shelved ? AlarmState.Cleared : AlarmState.ClearedUnack,
            ShelvedFrom = null,
            ShelvedUntil = null,
            ClearPendingSince = null,
            Maintenance = null,
            ClearedAt = now,
            UpdatedAt = now,
        };
        cleared = Track(cleared);
        transitions.Add(new AlarmTransition(AlarmTransitionKind.Cleared, cleared, now, System, note));
    }

    /// <summary>
    /// Keeps the open alarms by key and id, with the due time of their next escalation step (shown as a countdown on the
    /// board); returns the alarm as tracked, which is what its transition must carry.
    /// </summary>
    private Alarm Track(Alarm alarm)
    {
        alarm = alarm with { NextEscalationAt = NextEscalation(alarm)?.Due };
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

        return alarm;
    }

    /// <summary>The times of the last raises of one alarm key (a ring as long as the flapping threshold).</summary>
    private sealed class RaiseHistory(int capacity)
    {
        private readonly long[] _ticks = new long[Math.Max(capacity, 1)];
        private int _next;

        public int Count { get; private set; }

        public long Newest { get; private set; }

        public void Add(long ticks)
        {
            _ticks[_next] = ticks;
            _next = (_next + 1) % _ticks.Length;
            Count = Math.Min(Count + 1, _ticks.Length);
            Newest = ticks;
        }

        public int CountSince(long ticks)
        {
            var n = 0;
            for (var i = 0; i < Count; i++)
            {
                if (_ticks[i] >= ticks)
                {
                    n++;
                }
            }

            return n;
        }
    }

    /// <summary>
    /// A device's detection state: its profile and one detector per rule of the rule set in force (null until the rule first
    /// applies), so a reading costs one table lookup. A reload re-indexes the detectors (see <see cref="CurrentRules"/>). Its
    /// site and gateway are those of the table it is in (<see cref="_devices"/>): every byte here is paid 100,000 times.
    /// </summary>
    private sealed class DeviceState(string device, object?[] detectors)
    {
        public string Device { get; } = device;

        public string? Profile { get; set; }

        public object?[] Detectors { get; set; } = detectors;
    }
}
