using Campus.IoT.Telemetry;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// A school's rules engine on whichever node Orleans placed it: the same <see cref="AlarmService"/> and
/// <see cref="AlarmEngine"/> as one machine runs, scoped to the school, over the shared alarm store.
/// <para>
/// Taking a school over (first activation, or after its node died): the school's open alarms come from the shared store,
/// the inputs of the last <see cref="SiteJournal.MaxAge"/> from this node's <see cref="SiteJournal"/>, judged by when
/// they were received. Inputs whose transitions the store already holds (their input marks) only feed the detectors
/// (<see cref="AlarmEngine.Observe"/>: nothing raised, cleared or counted again); the others are evaluated as live, so an
/// alarm the dead node had not raised yet is raised now. Each gateway's newest status is applied as live only where it
/// changes what the store holds (a gateway gone offline without its alarm, or back online with it still active).
/// </para>
/// </summary>
internal sealed partial class SiteRulesGrain(SiteServices services, ILogger<SiteRulesGrain> logger) : Grain, ISiteRulesGrain
{
    /// <summary>How often the engine's time-driven detection runs and the console state is looked at again.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    /// <summary>How far back the input marks of the store are loaded at a takeover.</summary>
    public static readonly TimeSpan MarksLoaded = TimeSpan.FromHours(1);

    private const int StatusesKept = 64;

    private readonly SeenInputs _seen = new();
    private readonly HashSet<(string Gateway, long Seq, long SentMs)> _stored = [];
    private readonly Dictionary<string, (HashSet<(bool, DateTimeOffset)> Set, Queue<(bool, DateTimeOffset)> Order)> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unattended = new(StringComparer.Ordinal);
    private bool _consoleRaised;
    private AlarmService _service = null!;
    private string _site = string.Empty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _site = this.GetPrimaryKeyString();
        _service = services.Create(_site);
        foreach (var mark in services.RecentInputs(_site, services.Time.GetUtcNow() - MarksLoaded))
        {
            _stored.Add((mark.Gateway, mark.Seq, mark.Sent.ToUnixTimeMilliseconds()));
        }

        // Readings received before the school's last stored change were handled by the node that ran it (its tick's
        // raises and clears carry no input mark): they only rebuild the detectors. Later ones are evaluated as live.
        var handledUntil = services.LastChange(_site);

        var (replayed, silent) = (0, 0);
        var newestStatus = new Dictionary<string, (bool Online, DateTimeOffset Ts)>(StringComparer.Ordinal);
        foreach (var entry in services.Journal.Recent(_site))
        {
            if (entry.Status is { } status)
            {
                RememberStatus(entry.Gateway, status.Online, status.Ts);
                newestStatus[entry.Gateway] = status;
                continue;
            }

            if (entry.Message is not { } message || !_seen.Add(entry.Gateway, message))
            {
                continue;
            }

            if (AlreadyStored(entry.Gateway, message) || (entry.Readings is not null && entry.ReceivedAt <= handledUntil))
            {
                silent++;
                await _service.ReplayStoredAsync(engine => Feed(engine, entry), cancellationToken);
                continue;
            }

            replayed++;
            try
            {
                await ReplayAsync(entry, message, cancellationToken);
            }
            catch
            {
                _seen.Remove(entry.Gateway, message);
                throw;
            }
        }

        foreach (var (gateway, status) in newestStatus)
        {
            var active = await _service.ReadAsync(engine => engine.OpenAlarms.Any(a => a.Rule == AlarmEngine.GatewayOfflineRule && a.Gateway == gateway && a.State != AlarmState.ClearedUnack), cancellationToken);
            if (status.Online == active)
            {
                // Offline without its alarm, or online with it still active: the dead node had not applied it.
                await _service.OnGatewayStatusAsync(_site, gateway, status.Online, status.Ts, services.Time.GetTimestamp(), cancellationToken);
            }
            else
            {
                await _service.ReplayStoredAsync(engine => engine.OnGatewayStatus(_site, gateway, status.Online, status.Ts), cancellationToken);
            }
        }

        // A condition the detectors now hold with no alarm showing: the dead node was between meeting it and raising it.
        await _service.ReconcileAsync(cancellationToken);
        await _service.RearmEscalationsAsync(cancellationToken);
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickInterval, TickInterval) { KeepAlive = true });
        LogActivated(logger, _site, services.Node, replayed, silent, _stored.Count);
        await base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _service.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task Events(string gateway, long seq, DateTimeOffset sent, DeviceEvent[] events) =>
        TakeAsync(gateway, new MessageId(seq, sent), m => _service.OnEventsAsync(_site, gateway, m, events, services.Time.GetTimestamp(), CancellationToken.None));

    public Task Readings(string gateway, long seq, DateTimeOffset sent, Reading[] readings) =>
        TakeAsync(gateway, new MessageId(seq, sent), m => _service.OnReadingsAsync(_site, gateway, m, readings, services.Time.GetTimestamp(), CancellationToken.None));

    public async Task GatewayStatus(string gateway, bool online, DateTimeOffset ts)
    {
        // Every node forwards each status, and a lagging node's copy of an old one must not undo a newer one: a status is
        // taken once (its state and ts; the ts alone does not order them — a Last Will carries the time it was set up).
        if (!RememberStatus(gateway, online, ts))
        {
            return;
        }

        try
        {
            await _service.OnGatewayStatusAsync(_site, gateway, online, ts, services.Time.GetTimestamp(), CancellationToken.None);
        }
        catch
        {
            _statuses[gateway].Set.Remove((online, ts));
            throw;
        }
    }

    public async Task Console(string node, bool attended, string note)
    {
        if (attended)
        {
            _unattended.Remove(node);
        }
        else
        {
            _unattended[node] = note;
        }

        await EvaluateConsoleAsync();
    }

    public Task<AckOutcome> Acknowledge(string id, string by, string? note) => _service.AcknowledgeAsync(id, by, note, CancellationToken.None);

    public Task<AckOutcome> Shelve(string id, string by, string note, DateTimeOffset until) => _service.ShelveAsync(id, by, note, until, CancellationToken.None);

    public Task Escalate(string id) => _service.EscalateAsync(id, CancellationToken.None);

    public Task StartMaintenance(MaintenanceWindow window) => _service.StartMaintenanceAsync(window, CancellationToken.None);

    public Task<MaintenanceWindow?> EndMaintenance(string id, string by) => _service.EndMaintenanceAsync(id, by, CancellationToken.None);

    public Task<string> Wake() => Task.FromResult(services.Node);

    /// <summary>A message taken once: a copy (another node's, or one whose transitions the store holds) is dropped; a
    /// message whose processing failed is forgotten, so the forwarder's retry is taken.</summary>
    private async Task TakeAsync(string gateway, MessageId message, Func<MessageId, Task> take)
    {
        if (AlreadyStored(gateway, message) || !_seen.Add(gateway, message))
        {
            return;
        }

        try
        {
            await take(message);
        }
        catch
        {
            _seen.Remove(gateway, message);
            throw;
        }
    }

    /// <summary>The store marks this message (gateway, seq and ts, as the gateway sent them) as handled.</summary>
    private bool AlreadyStored(string gateway, MessageId message) =>
        _stored.Contains((gateway, message.Seq, message.Sent.ToUnixTimeMilliseconds()));

    /// <summary>True the first time this (state, ts) of the gateway is seen.</summary>
    private bool RememberStatus(string gateway, bool online, DateTimeOffset ts)
    {
        if (!_statuses.TryGetValue(gateway, out var seen))
        {
            seen = ([], new Queue<(bool, DateTimeOffset)>());
            _statuses[gateway] = seen;
        }

        if (!seen.Set.Add((online, ts)))
        {
            return false;
        }

        seen.Order.Enqueue((online, ts));
        if (seen.Order.Count > StatusesKept)
        {
            seen.Set.Remove(seen.Order.Dequeue());
        }

        return true;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _service.TickAsync(cancellationToken);
            await EvaluateConsoleAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTickFailed(logger, ex, _site);
        }
    }

    /// <summary>
    /// Each node's watchdog sees only the boards connected to it: the school is unattended when every node that is alive
    /// says so (a node that died no longer counts), and attended again as soon as one board is back anywhere.
    /// </summary>
    private async Task EvaluateConsoleAsync()
    {
        if (_unattended.Count == 0 && !_consoleRaised)
        {
            return;
        }

        var alive = services.AliveNodes();
        foreach (var gone in _unattended.Keys.Where(n => !alive.Contains(n)).ToList())
        {
            _unattended.Remove(gone);
        }

        var unattended = alive.Count > 0 && alive.All(_unattended.ContainsKey);
        if (unattended && !_consoleRaised)
        {
            _consoleRaised = true;
            await _service.OnConsoleStatusAsync(_site, attended: false, _unattended.Values.First(), CancellationToken.None);
        }
        else if (!unattended && _consoleRaised)
        {
            _consoleRaised = false;
            await _service.OnConsoleStatusAsync(_site, attended: true, "a guard-room board is watching again", CancellationToken.None);
        }
    }

    private Task ReplayAsync(JournalEntry entry, MessageId message, CancellationToken cancellationToken) => entry switch
    {
        { Readings: { } readings } => _service.ReplayReadingsAsync(_site, entry.Gateway, message, readings, entry.ReceivedAt, cancellationToken),
        { Events: { } events } => _service.ReplayEventsAsync(_site, entry.Gateway, message, events, entry.ReceivedAt, cancellationToken),
        _ => Task.CompletedTask,
    };

    private void Feed(AlarmEngine engine, JournalEntry entry)
    {
        if (entry.Readings is { } readings)
        {
            engine.OnReadings(_site, entry.Gateway, readings, null, entry.ReceivedAt);
        }
        else if (entry.Events is { } events)
        {
            engine.OnEvents(_site, entry.Gateway, events, entry.ReceivedAt);
        }
    }

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "School {Site} taken over on node {Node}: {Replayed} recent inputs evaluated, {Silent} fed to the detectors only (their alarms were already stored), {Marks} input marks loaded")]
    private static partial void LogActivated(ILogger logger, string site, string node, int replayed, int silent, int marks);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Error, Message = "Time-driven detection of school {Site} failed; it runs again at the next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string site);
}
