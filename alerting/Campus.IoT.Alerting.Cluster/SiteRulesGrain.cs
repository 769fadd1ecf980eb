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
/// the inputs of the last <see cref="AlarmEngine.LateAfter"/> from this node's <see cref="SiteJournal"/>. Inputs whose
/// transitions the store already holds (their input marks) are fed to the detectors without storing anything again; the
/// others are evaluated as live, so an alarm the dead node had not yet raised is raised now, and none is raised twice.
/// </para>
/// </summary>
internal sealed partial class SiteRulesGrain(SiteServices services, ILogger<SiteRulesGrain> logger) : Grain, ISiteRulesGrain
{
    /// <summary>How often the engine's time-driven detection runs and the console state is looked at again.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    private readonly SeenInputs _seen = new();
    private readonly Dictionary<string, string> _unattended = new(StringComparer.Ordinal);
    private bool _consoleRaised;
    private AlarmService _service = null!;
    private string _site = string.Empty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _site = this.GetPrimaryKeyString();
        _service = services.Create(_site);
        var now = services.Time.GetUtcNow();
        var stored = new HashSet<(string, long)>(services.RecentInputs(_site, now - TimeSpan.FromHours(1)).Select(m => (m.Gateway, m.Seq)));
        var replayed = 0;
        var silent = 0;
        foreach (var entry in services.Journal.Recent(_site))
        {
            if (entry.Seq is { } seq && !_seen.Add(entry.Gateway, seq))
            {
                continue;
            }

            if (entry.Seq is { } marked && stored.Contains((entry.Gateway, marked)))
            {
                silent++;
                await _service.ReplayStoredAsync(engine => Feed(engine, entry), cancellationToken);
                continue;
            }

            replayed++;
            await ApplyAsync(entry, cancellationToken);
        }

        await _service.RearmEscalationsAsync(cancellationToken);
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickInterval, TickInterval) { KeepAlive = true });
        LogActivated(logger, _site, services.Node, replayed, silent, stored.Count);
        await base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _service.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task Events(string gateway, long seq, DeviceEvent[] events) =>
        _seen.Add(gateway, seq) ? _service.OnEventsAsync(_site, gateway, seq, events, services.Time.GetTimestamp(), CancellationToken.None) : Task.CompletedTask;

    public Task Readings(string gateway, long seq, Reading[] readings) =>
        _seen.Add(gateway, seq) ? _service.OnReadingsAsync(_site, gateway, seq, readings, services.Time.GetTimestamp(), CancellationToken.None) : Task.CompletedTask;

    // A status is idempotent (the same state again changes nothing), so both nodes' copies may go through.
    public Task GatewayStatus(string gateway, bool online, DateTimeOffset ts) =>
        _service.OnGatewayStatusAsync(_site, gateway, online, ts, services.Time.GetTimestamp(), CancellationToken.None);

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

        var alive = await services.AliveNodesAsync();
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

    private Task ApplyAsync(JournalEntry entry, CancellationToken cancellationToken) => entry switch
    {
        { Readings: { } readings, Seq: { } seq } => _service.OnReadingsAsync(_site, entry.Gateway, seq, readings, services.Time.GetTimestamp(), cancellationToken),
        { Events: { } events, Seq: { } seq } => _service.OnEventsAsync(_site, entry.Gateway, seq, events, services.Time.GetTimestamp(), cancellationToken),
        { Status: { } status } => _service.OnGatewayStatusAsync(_site, entry.Gateway, status.Online, status.Ts, services.Time.GetTimestamp(), cancellationToken),
        _ => Task.CompletedTask,
    };

    private void Feed(AlarmEngine engine, JournalEntry entry)
    {
        if (entry.Readings is { } readings)
        {
            engine.OnReadings(_site, entry.Gateway, readings);
        }
        else if (entry.Events is { } events)
        {
            engine.OnEvents(_site, entry.Gateway, events);
        }
    }

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "School {Site} taken over on node {Node}: {Replayed} recent inputs evaluated, {Silent} fed to the detectors only (their alarms were already stored), {Marks} input marks loaded")]
    private static partial void LogActivated(ILogger logger, string site, string node, int replayed, int silent, int marks);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Error, Message = "Time-driven detection of school {Site} failed; it runs again at the next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string site);
}
