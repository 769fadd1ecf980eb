using System.Collections.Concurrent;
using System.Threading.Channels;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// <see cref="IAlarms"/> on a cluster node. Inputs: every node receives every school's messages (its own, non-shared MQTT
/// subscriptions), journals them (<see cref="SiteJournal"/>) and forwards them in order to the school's grain, wherever it
/// runs; a node dying loses nothing the other nodes received. Each school has its own forwarder (events, statuses and
/// console reports ahead of readings, see <see cref="ForwardAsync"/>), retried until the grain takes an input, so a school
/// whose grain is moving (its node died, up to the membership's detection time) waits without holding up the others.
/// People's actions go to the grain directly; reads come from the shared store.
/// </summary>
internal sealed partial class ClusterAlarms(
    IGrainFactory grains,
    SiteJournal journal,
    IAlarmStore store,
    IDeliveryStore deliveries,
    TimeProvider time,
    SiteServices node,
    Escalation.EscalationScheduler escalations,
    IEnumerable<IClusterReadingObserver> readingObservers,
    ILogger<ClusterAlarms> logger) : IAlarms, IHostedService, IAsyncDisposable
{
    private readonly IClusterReadingObserver[] _readingObservers = [.. readingObservers];

    /// <summary>Reading messages a school's queue holds; beyond it the oldest leave the alarm path (counted, logged).</summary>
    public const int QueuePerSite = 10_000;

    private readonly ConcurrentDictionary<string, SiteQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unattended = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _retries;

    /// <summary>Grain calls retried because the school's grain was unreachable (its node died, or the cluster was forming).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Inputs queued and not yet taken by their grains, over all schools.</summary>
    public int Backlog => _queues.Values.Sum(q => q.Count);

    public Task OnEventsAsync(string site, string gateway, MessageId message, IReadOnlyList<DeviceEvent> events, long receivedTimestamp, CancellationToken cancellationToken)
    {
        var array = events.ToArray();
        journal.Append(site, new JournalEntry(gateway, message, null, array, null, time.GetUtcNow()));
        return EnqueueAsync(site, urgent: true, g => g.Events(gateway, message.Seq, message.Sent, array), cancellationToken);
    }

    public Task OnReadingsAsync(string site, string gateway, MessageId message, IReadOnlyList<Reading> readings, long receivedTimestamp, CancellationToken cancellationToken)
    {
        var array = readings.ToArray();
        journal.Append(site, new JournalEntry(gateway, message, array, null, null, time.GetUtcNow()));
        foreach (var observer in _readingObservers)
        {
            try
            {
                observer.ReadingsReceived(site, gateway, array);
            }
            catch (Exception ex)
            {
                LogObserverFailed(logger, ex, site);
            }
        }

        return EnqueueAsync(site, urgent: false, g => g.Readings(gateway, message.Seq, message.Sent, array), cancellationToken);
    }

    public Task OnGatewayStatusAsync(string site, string gateway, bool online, DateTimeOffset ts, long receivedTimestamp, CancellationToken cancellationToken)
    {
        journal.Append(site, new JournalEntry(gateway, null, null, null, (online, ts), time.GetUtcNow()));
        return EnqueueAsync(site, urgent: true, g => g.GatewayStatus(gateway, online, ts), cancellationToken);
    }

    public Task OnConsoleStatusAsync(string site, bool attended, string note, CancellationToken cancellationToken)
    {
        if (attended)
        {
            _unattended.TryRemove(site, out _);
        }
        else
        {
            _unattended[site] = note;
        }

        var self = node.Node;
        return EnqueueAsync(site, urgent: true, g => g.Console(self, attended, note), cancellationToken);
    }

    /// <summary>
    /// Tells the schools this node's watchdog finds unattended again (<see cref="SiteKeeper"/>: a grain that moved has
    /// forgotten), through their queues, so a repeat never overtakes a later "attended" report.
    /// </summary>
    public async Task RepeatConsoleAsync(CancellationToken cancellationToken)
    {
        var self = node.Node;
        foreach (var (site, note) in _unattended)
        {
            await EnqueueAsync(site, urgent: true, g => _unattended.ContainsKey(site) ? g.Console(self, attended: false, note) : Task.CompletedTask, cancellationToken);
        }
    }

    public async Task<AckOutcome> AcknowledgeAsync(string id, string by, string? note, CancellationToken cancellationToken) =>
        store.Find(id) is { } alarm
            ? await CallAsync(alarm.Site, g => g.Acknowledge(id, by, note), cancellationToken)
            : new AckOutcome(AckResult.NotFound, null);

    public async Task<AckOutcome> ShelveAsync(string id, string by, string note, DateTimeOffset until, CancellationToken cancellationToken) =>
        store.Find(id) is { } alarm
            ? await CallAsync(alarm.Site, g => g.Shelve(id, by, note, until), cancellationToken)
            : new AckOutcome(AckResult.NotFound, null);

    public Task StartMaintenanceAsync(MaintenanceWindow window, CancellationToken cancellationToken) =>
        CallAsync(window.Site, async g => { await g.StartMaintenance(window); return true; }, cancellationToken);

    public async Task<MaintenanceWindow?> EndMaintenanceAsync(string id, string by, CancellationToken cancellationToken) =>
        store.FindMaintenance(id) is { } window ? await CallAsync(window.Site, g => g.EndMaintenance(id, by), cancellationToken) : null;

    public IReadOnlyList<MaintenanceWindow> Maintenance(DateTimeOffset since) => store.LoadMaintenance(since);

    public MaintenanceWindow? FindMaintenance(string id) => store.FindMaintenance(id);

    public IReadOnlyList<DeliveryRecord> Deliveries(string alarmId) => deliveries.ForAlarm(alarmId);

    public IReadOnlyList<Alarm> Query(IReadOnlyCollection<AlarmState> states, string? site, int limit) => store.Query(states, site, limit);

    public Alarm? Find(string id) => store.Find(id);

    public IReadOnlyList<AlarmAuditEntry> Audit(string id) => store.Audit(id);

    public IReadOnlyList<Alarm> History(AlarmHistoryQuery query) => store.History(query);

    public IReadOnlyList<ResponseTimeRow> ResponseTimes(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sites, Func<string, string?, bool>? visible, TimeSpan target) =>
        Alerting.ResponseTimes.Summarise(store.Timings(from, to, sites, visible), time.GetUtcNow(), target);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The schools' services share this node's scheduler (clustered on PostgreSQL: a step fires on one node of the
        // cluster); a step due here goes to the school's grain, wherever it runs. Started now, so a node that runs no
        // school yet still takes its share of the steps.
        escalations.Attach((alarmId, site, ct) => CallAsync(site, async g => { await g.Escalate(alarmId); return true; }, ct));
        try
        {
            await escalations.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSchedulerFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var queue in _queues.Values)
        {
            queue.Urgent.Writer.TryComplete();
            queue.Telemetry.Writer.TryComplete();
        }

        await Task.WhenAll(_queues.Values.Select(q => q.Worker));
        _stopping.Dispose();
    }

    private ISiteRulesGrain Grain(string site) => grains.GetGrain<ISiteRulesGrain>(site);

    private Task EnqueueAsync(string site, bool urgent, Func<ISiteRulesGrain, Task> call, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            // The node is stopping: the other nodes received this input too.
            return Task.CompletedTask;
        }

        var queue = _queues.GetOrAdd(site, s => new SiteQueue(s, this));
        return (urgent ? queue.Urgent : queue.Telemetry).Writer.WriteAsync(call, cancellationToken).AsTask();
    }

    /// <summary>A call that must reach the school's grain: retried while its node is unreachable, for up to a minute.</summary>
    private async Task<T> CallAsync<T>(string site, Func<ISiteRulesGrain, Task<T>> call, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call(Grain(site));
            }
            catch (Exception ex) when (ex is not OperationCanceledException && time.GetUtcNow() < deadline)
            {
                Interlocked.Increment(ref _retries);
                LogRetry(logger, ex, site, attempt + 1);
                await Task.Delay(Backoff(attempt), time, cancellationToken);
            }
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(attempt, 5))));

    /// <summary>
    /// One school's forwarder: events, statuses and console reports first (a fire event never waits behind a backlog of
    /// readings), then readings; each input retried until the grain takes it. Whatever fails in the loop itself is
    /// logged and the loop goes on: a school's forwarder never dies silently.
    /// </summary>
    private async Task ForwardAsync(SiteQueue queue)
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (queue.Urgent.Reader.TryRead(out var urgent))
                {
                    await DeliverAsync(queue.Site, urgent, urgent: true);
                }
                else if (queue.Telemetry.Reader.TryRead(out var telemetry))
                {
                    await DeliverAsync(queue.Site, telemetry, urgent: false);
                }
                else
                {
                    // Each wait registers with both channels; the one that lost is cancelled so no waiter is left behind.
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    await Task.WhenAny(queue.Urgent.Reader.WaitToReadAsync(wait.Token).AsTask(), queue.Telemetry.Reader.WaitToReadAsync(wait.Token).AsTask());
                    await wait.CancelAsync();
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Stopping: what is left here, the other nodes have received too.
                return;
            }
            catch (Exception ex)
            {
                LogForwarderFailed(logger, ex, queue.Site);
            }
        }
    }

    /// <summary>
    /// Retries until the grain takes the input. While the grain is unreachable (its node died, the cluster is still
    /// deciding) an input is never given up (a critical log every 20 attempts says it waits); an input a reachable grain
    /// keeps failing on is dropped with a critical log after <see cref="UrgentAttempts"/> (events, statuses) or
    /// <see cref="TelemetryAttempts"/> (readings) attempts, so it cannot hold the school's later inputs.
    /// </summary>
    private async Task DeliverAsync(string site, Func<ISiteRulesGrain, Task> call, bool urgent)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call(Grain(site));
                if (attempt > 0)
                {
                    LogRecovered(logger, site, attempt);
                }

                return;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
                if (attempt + 1 >= (urgent ? UrgentAttempts : TelemetryAttempts) && !Unreachable(ex))
                {
                    // The grain is there and keeps failing on this input: holding it would hold every later event of
                    // the school, on every node (they all forward it). Given up, loudly.
                    Interlocked.Increment(ref _dropped);
                    LogInputDropped(logger, ex, urgent ? "event or status" : "readings", site, attempt + 1);
                    return;
                }

                if (attempt == 0)
                {
                    LogRetry(logger, ex, site, 1);
                }
                else if (attempt % 20 == 0)
                {
                    LogStillWaiting(logger, ex, site, attempt + 1);
                }

                await Task.Delay(Backoff(attempt), time, _stopping.Token);
            }
        }
    }

    /// <summary>The grain's node is gone or not yet replaced: nothing wrong with the input.</summary>
    private static bool Unreachable(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or Orleans.Runtime.Messaging.ConnectionFailedException;

    /// <summary>Attempts after which readings that keep failing (not for an unreachable grain) are dropped.</summary>
    public const int TelemetryAttempts = 20;

    /// <summary>Attempts after which an event or status that keeps failing in a reachable grain is dropped (about 1 min).</summary>
    public const int UrgentAttempts = 40;

    private long _dropped;

    /// <summary>Reading messages dropped by the forwarders: a full queue (oldest first) or an input that kept failing.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private void TelemetryDropped(string site)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            LogQueueFull(logger, site, dropped);
        }
    }

    private sealed class SiteQueue
    {
        public SiteQueue(string site, ClusterAlarms owner)
        {
            Site = site;
            // Events, statuses and console reports are few: unbounded, so a school whose grain is unreachable never blocks
            // the node's event connection (and with it every other school's events).
            Urgent = Channel.CreateUnbounded<Func<ISiteRulesGrain, Task>>(new UnboundedChannelOptions { SingleReader = true });
            // Readings never hold up the broker's delivery (and with it every school's events): beyond the bound the
            // oldest go (counted and logged); ingest stores every one of them anyway.
            Telemetry = Channel.CreateBounded<Func<ISiteRulesGrain, Task>>(
                new BoundedChannelOptions(QueuePerSite) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
                _ => owner.TelemetryDropped(site));
            Worker = Task.Run(() => owner.ForwardAsync(this));
        }

        public string Site { get; }

        public Channel<Func<ISiteRulesGrain, Task>> Urgent { get; }

        public Channel<Func<ISiteRulesGrain, Task>> Telemetry { get; }

        public Task Worker { get; }

        public int Count => Urgent.Reader.Count + Telemetry.Reader.Count;
    }

    [LoggerMessage(EventId = 5308, Level = LogLevel.Critical, Message = "An input for school {Site} has still not been taken by its rules engine after {Attempts} attempts; it is kept and retried")]
    private static partial void LogStillWaiting(ILogger logger, Exception exception, string site, int attempts);

    [LoggerMessage(EventId = 5309, Level = LogLevel.Critical, Message = "An input ({Kind}) for school {Site} kept failing in its reachable rules engine ({Attempts} attempts) and was dropped from the alarm path so the school's later inputs are not held (ingest stores it)")]
    private static partial void LogInputDropped(ILogger logger, Exception exception, string kind, string site, int attempts);

    [LoggerMessage(EventId = 5310, Level = LogLevel.Warning, Message = "The readings queue of school {Site} is full: the oldest readings leave the alarm path ({Dropped} messages so far; ingest stores them)")]
    private static partial void LogQueueFull(ILogger logger, string site, long dropped);

    [LoggerMessage(EventId = 5311, Level = LogLevel.Error, Message = "The forwarder of school {Site} failed; it goes on with the next input")]
    private static partial void LogForwarderFailed(ILogger logger, Exception exception, string site);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "The rules engine of school {Site} is unreachable (attempt {Attempt}); its inputs are kept in order and retried until a node takes it over")]
    private static partial void LogRetry(ILogger logger, Exception exception, string site, int attempt);

    [LoggerMessage(EventId = 5307, Level = LogLevel.Error, Message = "Telling the sensor health view of readings from school {Site} failed; the alarm path goes on")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string site);

    [LoggerMessage(EventId = 5306, Level = LogLevel.Critical, Message = "The escalation scheduler did not start on this node; the schools' steps wait until it starts (the next step armed tries again)")]
    private static partial void LogSchedulerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Information, Message = "The rules engine of school {Site} is reachable again after {Attempts} retries")]
    private static partial void LogRecovered(ILogger logger, string site, int attempts);
}
