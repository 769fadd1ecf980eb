using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Alerting;

/// <summary>
/// Runs the engine, stores every transition with its audit row, then notifies the live hub, one change at a time.
/// Storing before pushing means a guard who sees an alarm can always acknowledge it.
/// </summary>
internal sealed partial class AlarmService : IAlarms, IDisposable
{
    private readonly AlarmEngine _engine;
    private readonly IAlarmStore _store;
    private readonly IAlarmNotifier _notifier;
    private readonly AlertingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AlarmService> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HazardFeedQueue _hazards;
    private readonly EscalationScheduler? _escalations;
    private readonly NotificationDispatcher? _dispatcher;
    private readonly IDeliveryStore? _deliveries;
    private readonly string? _site;
    private int _disposed;

    /// <param name="escalations">The Quartz scheduler of escalation steps; without one the engine's tick climbs the ladders.</param>
    /// <param name="dispatcher">Sends notifications to the policies' recipients; without one only the live hub is told.</param>
    public AlarmService(
        IAlarmStore store,
        IAlarmNotifier notifier,
        AlertingMetrics metrics,
        TimeProvider time,
        ILogger<AlarmService> logger,
        Rules.RulesProvider? rules = null,
        IEnumerable<IHazardFeed>? hazards = null,
        EscalationScheduler? escalations = null,
        NotificationDispatcher? dispatcher = null,
        IDeliveryStore? deliveries = null,
        string? site = null)
    {
        _site = site;
        _deliveries = deliveries;
        _hazards = new HazardFeedQueue([.. hazards ?? []], time, logger, metrics);
        _store = store;
        _notifier = notifier;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _escalations = escalations;
        _dispatcher = dispatcher;
        _engine = new AlarmEngine(time, store.LoadOpen(site), rules is null ? null : () => rules.Current, escalateOnTick: escalations is null);
        _engine.SetMaintenance(store.LoadMaintenance(time.GetUtcNow()));
        if (site is null)
        {
            // A school's service on a cluster node shares the node's scheduler: the node routes due steps to the school.
            escalations?.Attach((id, _, ct) => EscalateAsync(id, ct));
        }
    }

    /// <summary>The school this service runs the engine of (a cluster node's grain), or null for every school (one machine).</summary>
    public string? Site => _site;

    public Task OnEventsAsync(string site, string gateway, MessageId message, IReadOnlyList<DeviceEvent> events, long receivedTimestamp, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnEvents(site, gateway, events), receivedTimestamp, cancellationToken, Mark(site, gateway, message));

    public Task OnReadingsAsync(string site, string gateway, MessageId message, IReadOnlyList<Reading> readings, long receivedTimestamp, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnReadings(site, gateway, readings), receivedTimestamp, cancellationToken, Mark(site, gateway, message));

    /// <summary>
    /// Feeds inputs whose transitions another node already stored (a school taken over after a node died): the detectors'
    /// windows take them in (<see cref="AlarmEngine.Observe"/>), no alarm is raised, cleared or changed by them.
    /// </summary>
    public async Task ReplayStoredAsync(Action<AlarmEngine> input, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _engine.Observe(input);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After a takeover's replay: raises what the detectors now hold and no alarm shows (<see cref="AlarmEngine.Reconcile"/>).</summary>
    public Task ReconcileAsync(CancellationToken cancellationToken) =>
        RunAsync(() => _engine.Reconcile(_time.GetUtcNow()), System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken);

    /// <summary>Reads the engine under the lock (a school taken over looks at its open alarms before replaying).</summary>
    public async Task<T> ReadAsync<T>(Func<AlarmEngine, T> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return read(_engine);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Readings received at <paramref name="receivedAt"/> (a node's journal, replayed as live at a takeover).</summary>
    public Task ReplayReadingsAsync(string site, string gateway, MessageId message, IReadOnlyList<Reading> readings, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnReadings(site, gateway, readings, null, receivedAt), System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken, Mark(site, gateway, message));

    /// <summary>Events received at <paramref name="receivedAt"/> (a node's journal, replayed as live at a takeover).</summary>
    public Task ReplayEventsAsync(string site, string gateway, MessageId message, IReadOnlyList<DeviceEvent> events, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnEvents(site, gateway, events, receivedAt), System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken, Mark(site, gateway, message));

    /// <summary>Input marks are kept for a school's service on a cluster node only (one machine never takes a school over).</summary>
    private InputMark? Mark(string site, string gateway, MessageId message) => _site is null ? null : new InputMark(site, gateway, message.Seq, message.Sent, _time.GetUtcNow());

    public Task OnEventsAsync(string site, string gateway, IReadOnlyList<DeviceEvent> events, long receivedTimestamp, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnEvents(site, gateway, events), receivedTimestamp, cancellationToken);

    public Task OnReadingsAsync(string site, string gateway, IReadOnlyList<Reading> readings, long receivedTimestamp, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnReadings(site, gateway, readings), receivedTimestamp, cancellationToken);

    public Task OnGatewayStatusAsync(string site, string gateway, bool online, DateTimeOffset ts, long receivedTimestamp, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnGatewayStatus(site, gateway, online, ts), receivedTimestamp, cancellationToken);

    /// <summary>The console watchdog: whether a guard-room board watches <paramref name="site"/>.</summary>
    public Task OnConsoleStatusAsync(string site, bool attended, string note, CancellationToken cancellationToken) =>
        RunAsync(() => _engine.OnConsoleStatus(site, attended, note), System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken);

    /// <summary>Time-driven detection (held conditions completing between readings, silent sensors): called by <see cref="AlarmTicker"/>.</summary>
    public Task TickAsync(CancellationToken cancellationToken) =>
        RunAsync(() => _engine.Tick(_time.GetUtcNow()), System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken);

    /// <summary>An escalation step fell due (<see cref="EscalationScheduler"/>): the alarm climbs if it is still unanswered.</summary>
    public async Task EscalateAsync(string id, CancellationToken cancellationToken)
    {
        var before = await ReadAsync(e => e.TryGetOpen(id, out var a) ? a.EscalationLevel : -1, cancellationToken);
        await RunAsync(() => _engine.Escalate(id, _time.GetUtcNow()), System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken);

        // The trigger that called is spent: arm the alarm's next step whether or not this one climbed (a step found not
        // yet due must not leave the ladder without a trigger). Not yet due here means the scheduler's clock runs ahead of
        // this one by more than the tolerance: the trigger goes as far past the due time as that difference, so the next
        // firing finds the step due instead of firing again at once, over and over.
        List<(string Id, string Site, DateTimeOffset? Due)> next = [];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_engine.TryGetOpen(id, out var alarm) && _engine.NextEscalation(alarm) is { } step)
            {
                var now = _time.GetUtcNow();
                var due = alarm.EscalationLevel == before && step.Due > now ? step.Due + (step.Due - now) + TimeSpan.FromSeconds(1) : step.Due;
                next.Add((id, alarm.Site, due));
            }
            else if (_engine.TryGetOpen(id, out var done))
            {
                next.Add((id, done.Site, null));
            }
        }
        finally
        {
            _gate.Release();
        }

        await ApplyEscalationsAsync(next, cancellationToken);
    }

    /// <summary>At start: arms the next escalation step of every open alarm from the store (see <see cref="EscalationScheduler"/>).</summary>
    public async Task RearmEscalationsAsync(CancellationToken cancellationToken)
    {
        List<(string Id, string Site, DateTimeOffset? Due)> plan;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            plan = [.. _engine.OpenAlarms.Select(a => (a.Id, a.Site, _engine.NextEscalation(a)?.Due))];
        }
        finally
        {
            _gate.Release();
        }

        await ApplyEscalationsAsync(plan, cancellationToken);
    }

    /// <summary>
    /// Starts a maintenance window: stored, handed to the engine, and applied at once (active alarms it covers are
    /// suppressed now, not at the next tick).
    /// </summary>
    public Task StartMaintenanceAsync(MaintenanceWindow window, CancellationToken cancellationToken) =>
        RunAsync(() =>
        {
            _store.SaveMaintenance(window);
            _engine.SetMaintenance(_store.LoadMaintenance(_time.GetUtcNow()));
            return _engine.Tick(_time.GetUtcNow());
        }, System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken);

    /// <summary>Ends a window early; false when there is no such window still running or planned.</summary>
    public async Task<MaintenanceWindow?> EndMaintenanceAsync(string id, string by, CancellationToken cancellationToken)
    {
        MaintenanceWindow? ended = null;
        await RunAsync(() =>
        {
            var now = _time.GetUtcNow();
            if (_store.FindMaintenance(id) is not { } window || window.End <= now)
            {
                return [];
            }

            ended = window with { EndedAt = now, EndedBy = by };
            _store.SaveMaintenance(ended);
            _engine.SetMaintenance(_store.LoadMaintenance(now));
            return _engine.Tick(now);
        }, System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken);
        return ended;
    }

    public IReadOnlyList<MaintenanceWindow> Maintenance(DateTimeOffset since) => _store.LoadMaintenance(since);

    public MaintenanceWindow? FindMaintenance(string id) => _store.FindMaintenance(id);

    public IReadOnlyList<DeliveryRecord> Deliveries(string alarmId) => _deliveries?.ForAlarm(alarmId) ?? [];

    public Task<AckOutcome> AcknowledgeAsync(string id, string by, string? note, CancellationToken cancellationToken) =>
        ByPersonAsync(id, () => _engine.Acknowledge(id, by, note), cancellationToken);

    /// <summary>Shelves an open alarm until <paramref name="until"/>; the same outcomes as acknowledging.</summary>
    public Task<AckOutcome> ShelveAsync(string id, string by, string note, DateTimeOffset until, CancellationToken cancellationToken) =>
        ByPersonAsync(id, () => _engine.Shelve(id, by, note, until), cancellationToken);

    /// <summary>
    /// A person's action on one alarm (acknowledge, shelve): applied by the engine, stored, then pushed and handed on.
    /// NotFound when no such alarm exists, NotAcknowledgeable (with the stored alarm) when its state does not allow it.
    /// </summary>
    private async Task<AckOutcome> ByPersonAsync(string id, Func<AlarmTransition?> act, CancellationToken cancellationToken)
    {
        AlarmTransition? transition;
        FollowUp plan;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            transition = act();
            if (transition is null)
            {
                var stored = _store.Find(id);
                return stored is null ? new AckOutcome(AckResult.NotFound, null) : new AckOutcome(AckResult.NotAcknowledgeable, stored);
            }

            Persist([transition]);
            _metrics.Transition(transition);
            plan = Plan([transition]);
        }
        finally
        {
            _gate.Release();
        }

        LogTransition(_logger, transition.Alarm.Id, transition.Kind.ToWire(), transition.Alarm.Rule, transition.Alarm.Site, transition.Alarm.Device, transition.Alarm.State.ToWire(), transition.By);
        await ApplyEscalationsAsync(plan.Escalations, cancellationToken);
        await NotifyAsync(transition.Alarm, cancellationToken);
        _hazards.Enqueue(transition);
        return new AckOutcome(AckResult.Acknowledged, transition.Alarm);
    }

    public IReadOnlyList<Alarm> Query(IReadOnlyCollection<AlarmState> states, string? site, int limit) => _store.Query(states, site, limit);

    public Alarm? Find(string id) => _store.Find(id);

    public IReadOnlyList<AlarmAuditEntry> Audit(string id) => _store.Audit(id);

    /// <summary>Past alarms (any state) raised in the query's period, newest first.</summary>
    public IReadOnlyList<Alarm> History(AlarmHistoryQuery query) => _store.History(query);

    /// <summary>
    /// Time to acknowledge and to clear per school and severity, of the alarms raised in [from, to) that needed a person;
    /// late means not acknowledged within <paramref name="target"/> of the raise (by now, for those still unacknowledged).
    /// </summary>
    public IReadOnlyList<ResponseTimeRow> ResponseTimes(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites, Func<string, string?, bool>? visible, TimeSpan target) =>
        Alerting.ResponseTimes.Summarise(_store.Timings(from, to, sites, visible), _time.GetUtcNow(), target);

    /// <summary>Waits until the hazard feeds have every transition queued so far.</summary>
    internal Task HazardFeedDrainedAsync(CancellationToken cancellationToken) => _hazards.DrainAsync(cancellationToken);

    /// <summary>Idempotent: the host's container disposes it once as itself and once as <see cref="IAlarms"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _hazards.Dispose();
        _gate.Dispose();
    }

    private async Task RunAsync(Func<IReadOnlyList<AlarmTransition>> evaluate, long receivedTimestamp, CancellationToken cancellationToken, InputMark? mark = null)
    {
        IReadOnlyList<AlarmTransition> transitions;
        FollowUp plan;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            transitions = evaluate();
            Persist(transitions, mark);
            plan = Plan(transitions);
        }
        finally
        {
            _gate.Release();
        }

        foreach (var t in transitions)
        {
            _metrics.Transition(t);
            LogTransition(_logger, t.Alarm.Id, t.Kind.ToWire(), t.Alarm.Rule, t.Alarm.Site, t.Alarm.Device, t.Alarm.State.ToWire(), t.By);
            await NotifyAsync(t.Alarm, cancellationToken);
            _metrics.Latency(_time.GetElapsedTime(receivedTimestamp), t.Alarm);
            _hazards.Enqueue(t);
        }

        foreach (var notification in plan.Notifications)
        {
            _dispatcher!.Enqueue(notification);
        }

        await ApplyEscalationsAsync(plan.Escalations, cancellationToken);
    }

    /// <summary>What follows stored transitions (decided under the lock, where the engine may be read): the next escalation
    /// step of each alarm they touched (null: none, disarm) and the notifications to send.</summary>
    private sealed record FollowUp(List<(string Id, string Site, DateTimeOffset? Due)> Escalations, List<Notification> Notifications);

    private FollowUp Plan(IReadOnlyList<AlarmTransition> transitions)
    {
        var escalations = new List<(string, string, DateTimeOffset?)>();
        var notifications = new List<Notification>();
        if (_escalations is not null)
        {
            // The last state of each alarm in the batch decides its trigger.
            foreach (var alarm in transitions.Select(t => t.Alarm).Reverse().DistinctBy(a => a.Id))
            {
                escalations.Add((alarm.Id, alarm.Site, _engine.NextEscalation(alarm)?.Due));
            }
        }

        if (_dispatcher is not null)
        {
            foreach (var t in transitions)
            {
                notifications.AddRange(NotificationDispatcher.For(t, _engine.PolicyOf(t.Alarm.Rule)));
            }
        }

        return new FollowUp(escalations, notifications);
    }

    private async Task ApplyEscalationsAsync(List<(string Id, string Site, DateTimeOffset? Due)> plan, CancellationToken cancellationToken)
    {
        if (_escalations is null)
        {
            return;
        }

        foreach (var (id, site, due) in plan)
        {
            try
            {
                if (due is { } at)
                {
                    await _escalations.ArmAsync(id, site, at, cancellationToken);
                }
                else
                {
                    await _escalations.DisarmAsync(id, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogEscalationScheduleFailed(_logger, ex, id);
            }
        }
    }

    /// <summary>
    /// Stores the transitions. If the store fails (disk full, file locked), the alarm still goes to the guard room: the
    /// engine holds it in memory, the failure is logged as an error and counted, and the next transition is stored again.
    /// </summary>
    private void Persist(IReadOnlyList<AlarmTransition> transitions, InputMark? mark = null)
    {
        if (transitions.Count == 0)
        {
            return;
        }

        try
        {
            // The input that caused them is marked in the same transaction: a node taking the school over skips it.
            _store.Save(transitions, mark is null ? null : [mark]);
        }
        catch (Exception ex)
        {
            _metrics.StoreFailed(transitions.Count);
            LogStoreFailed(_logger, ex, transitions.Count, transitions[0].Alarm.Id);
        }
    }

    private async Task NotifyAsync(Alarm alarm, CancellationToken cancellationToken)
    {
        try
        {
            await _notifier.AlarmChangedAsync(alarm, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The alarm is stored: the board will see it on its next resync. The push failure is logged, never swallowed.
            LogNotifyFailed(_logger, ex, alarm.Id);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Alarm {AlarmId} {Transition}: rule {Rule} site {Site} device {Device} -> {State} by {By}")]
    private static partial void LogTransition(ILogger logger, string alarmId, string transition, string rule, string site, string? device, string state, string by);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Critical, Message = "Storing {Count} alarm transitions (first: alarm {AlarmId}) failed; they are live in memory and pushed, but not yet durable")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, int count, string alarmId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Alarm {AlarmId} was stored but pushing it to the live hub failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string alarmId);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Critical, Message = "Scheduling the next escalation step of alarm {AlarmId} failed; the alarm is stored and shown, but will not climb until the next restart re-arms it")]
    private static partial void LogEscalationScheduleFailed(ILogger logger, Exception exception, string alarmId);

}
