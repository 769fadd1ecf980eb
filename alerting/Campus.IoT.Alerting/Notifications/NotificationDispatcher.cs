using System.Threading.Channels;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// Sends the notifications of alarm transitions (a raise, each escalation step, the end of a maintenance window over a live
/// alarm) to the recipients the alarm's escalation policy names at that level, through every channel configured for each
/// recipient (<see cref="NotifyOptions.Resolve"/>). Each (recipient, channel, address) is delivered on its own, with
/// retries and exponential back-off, so a slow mail server never holds up a webhook; every attempt is recorded on the alarm
/// (<see cref="IDeliveryStore"/>), counted and, when it fails, logged. The queue is unbounded: notifications are few
/// (one per alarm transition) and none may be dropped.
/// </summary>
internal sealed partial class NotificationDispatcher : BackgroundService
{
    private readonly Channel<Notification> _queue = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, INotificationChannel> _channels;
    private readonly NotifyOptions _options;
    private readonly IDeliveryStore _store;
    private readonly AlertingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<NotificationDispatcher> _logger;
    private readonly HashSet<Task> _inFlight = [];
    private readonly Lock _lock = new();

    public NotificationDispatcher(IEnumerable<INotificationChannel> channels, NotifyOptions options, IDeliveryStore store, AlertingMetrics metrics, TimeProvider time, ILogger<NotificationDispatcher> logger)
    {
        _channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _options = options;
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// The notifications a stored transition gives: one per recipient of the policy's level, or none. A raise, a step, the
    /// end of a maintenance window over a live alarm and a condition coming back on an alarm not yet closed notify; a
    /// repeat of an alarm already active does not (that is the flood flapping protection and hysteresis exist to stop).
    /// </summary>
    public static IEnumerable<Notification> For(AlarmTransition transition, Rules.EscalationPolicy? policy)
    {
        var notify = transition.Kind switch
        {
            AlarmTransitionKind.Raised or AlarmTransitionKind.Resumed => transition.Alarm.State == AlarmState.ActiveUnack,
            AlarmTransitionKind.Escalated => true,
            AlarmTransitionKind.Updated => transition.Reactivated,
            _ => false,
        };
        if (!notify || policy is null)
        {
            yield break;
        }

        var level = transition.Alarm.EscalationLevel;
        var id = $"{transition.Alarm.Id}-{transition.Kind.ToWire()}-{level}-{transition.At.ToUnixTimeMilliseconds()}";
        foreach (var recipient in policy.RecipientsAt(level))
        {
            yield return new Notification($"{id}-{recipient}", transition, level, recipient);
        }
    }

    public void Enqueue(Notification notification)
    {
        if (!_queue.Writer.TryWrite(notification))
        {
            // Only after the host stopped: said, not swallowed.
            LogNotQueued(_logger, notification.Alarm.Id, notification.Recipient);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                var routes = _options.Resolve(notification.Alarm.Site, notification.Recipient);
                if (routes.Count == 0)
                {
                    Record(notification, "none", "-", 1, DeliveryOutcome.Unrouted, $"recipient '{notification.Recipient}' has no address configured (Campus:Notify:Recipients)");
                    LogUnrouted(_logger, notification.Alarm.Id, notification.Level, notification.Recipient);
                    continue;
                }

                foreach (var (channel, address) in routes)
                {
                    Track(DeliverAsync(notification, channel, address, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: what is still queued is not sent by this process, and says so on each alarm.
            while (_queue.Reader.TryRead(out var left))
            {
                Record(left, "none", "-", 0, DeliveryOutcome.GaveUp, "the host stopped before it was sent");
                LogNotQueued(_logger, left.Alarm.Id, left.Recipient);
            }
        }

        Task[] pending;
        lock (_lock)
        {
            pending = [.. _inFlight];
        }

        await Task.WhenAll(pending);
    }

    private void Track(Task task)
    {
        lock (_lock)
        {
            _inFlight.Add(task);
        }

        _ = task.ContinueWith(t => { lock (_lock) { _inFlight.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task DeliverAsync(Notification notification, string channelName, string address, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (!_channels.TryGetValue(channelName, out var channel))
        {
            Record(notification, channelName, address, 1, DeliveryOutcome.GaveUp, $"no {channelName} channel in this host");
            LogGaveUp(_logger, null, notification.Alarm.Id, notification.Recipient, channelName, address, 1);
            return;
        }

        var retry = _options.Retry;
        var delay = retry.FirstDelay;
        for (var attempt = 1; attempt <= retry.Attempts; attempt++)
        {
            try
            {
                await channel.SendAsync(notification, address, cancellationToken);
                Record(notification, channelName, address, attempt, DeliveryOutcome.Sent, null);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Record(notification, channelName, address, attempt, DeliveryOutcome.GaveUp, "the host stopped");
                return;
            }
            catch (Exception ex)
            {
                var last = attempt == retry.Attempts || ex is PermanentDeliveryException;
                Record(notification, channelName, address, attempt, last ? DeliveryOutcome.GaveUp : DeliveryOutcome.Failed, ex.Message);
                if (last)
                {
                    LogGaveUp(_logger, ex, notification.Alarm.Id, notification.Recipient, channelName, address, attempt);
                    return;
                }

                LogAttemptFailed(_logger, notification.Alarm.Id, notification.Recipient, channelName, address, attempt, ex.Message);
            }

            // Exponential back-off with ±20 % jitter, so a district's schools do not retry against one server in step.
            var jittered = delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
            try
            {
                await Task.Delay(jittered, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Record(notification, channelName, address, attempt, DeliveryOutcome.GaveUp, "the host stopped before the next attempt");
                return;
            }

            delay = delay * 2 > retry.MaxDelay ? retry.MaxDelay : delay * 2;
        }
    }

    /// <summary>
    /// Sends a message that is not an alarm transition (a daily digest of hazards due) to its recipient through every channel
    /// the recipients configuration names for them at the message's site (<see cref="NotifyOptions.Resolve"/>, as for an
    /// alarm), each route on its own with the same retries and back-off, and returns what became of each route once all are
    /// done. There is no alarm to record the attempts on: the caller gets the outcomes; failures are counted and logged.
    /// </summary>
    public async Task<IReadOnlyList<MessageDelivery>> SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var routes = _options.Resolve(message.Site, message.Recipient);
        if (routes.Count == 0)
        {
            _metrics.Delivery("none", DeliveryOutcome.Unrouted);
            LogMessageUnrouted(_logger, message.Kind, message.Id, message.Recipient, message.Site);
            return [new MessageDelivery("none", "-", 1, DeliveryOutcome.Unrouted, $"recipient '{message.Recipient}' has no address configured (Campus:Notify:Recipients)")];
        }

        return await Task.WhenAll(routes.Select(r => DeliverMessageAsync(message, r.Channel, r.Address, cancellationToken)));
    }

    private async Task<MessageDelivery> DeliverMessageAsync(NotificationMessage message, string channelName, string address, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (!_channels.TryGetValue(channelName, out var channel))
        {
            _metrics.Delivery(channelName, DeliveryOutcome.GaveUp);
            LogMessageGaveUp(_logger, null, message.Kind, message.Id, message.Recipient, channelName, address, 1);
            return new MessageDelivery(channelName, address, 1, DeliveryOutcome.GaveUp, $"no {channelName} channel in this host");
        }

        var retry = _options.Retry;
        var delay = retry.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await channel.SendMessageAsync(message, address, cancellationToken);
                _metrics.Delivery(channelName, DeliveryOutcome.Sent);
                return new MessageDelivery(channelName, address, attempt, DeliveryOutcome.Sent, null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _metrics.Delivery(channelName, DeliveryOutcome.GaveUp);
                return new MessageDelivery(channelName, address, attempt, DeliveryOutcome.GaveUp, "the host stopped");
            }
            catch (Exception ex)
            {
                var last = attempt >= retry.Attempts || ex is PermanentDeliveryException;
                _metrics.Delivery(channelName, last ? DeliveryOutcome.GaveUp : DeliveryOutcome.Failed);
                if (last)
                {
                    LogMessageGaveUp(_logger, ex, message.Kind, message.Id, message.Recipient, channelName, address, attempt);
                    return new MessageDelivery(channelName, address, attempt, DeliveryOutcome.GaveUp, ex.Message);
                }

                LogMessageAttemptFailed(_logger, message.Kind, message.Id, message.Recipient, channelName, address, attempt, ex.Message);
            }

            try
            {
                await Task.Delay(delay * (0.8 + (Random.Shared.NextDouble() * 0.4)), _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _metrics.Delivery(channelName, DeliveryOutcome.GaveUp);
                return new MessageDelivery(channelName, address, attempt, DeliveryOutcome.GaveUp, "the host stopped before the next attempt");
            }

            delay = delay * 2 > retry.MaxDelay ? retry.MaxDelay : delay * 2;
        }
    }

    private void Record(Notification n, string channel, string address, int attempt, DeliveryOutcome outcome, string? error)
    {
        _metrics.Delivery(channel, outcome);
        try
        {
            _store.Add(new DeliveryRecord(n.Alarm.Id, n.Id, _time.GetUtcNow(), n.Transition.Kind.ToWire(), n.Level, n.Recipient, channel, address, attempt, outcome, error));
        }
        catch (Exception ex)
        {
            LogRecordFailed(_logger, ex, n.Alarm.Id, channel, address);
        }
    }

    public override void Dispose()
    {
        _queue.Writer.TryComplete();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Notification of alarm {AlarmId} to {Recipient} via {Channel} {Address} failed (attempt {Attempt}): {Error}; retrying")]
    private static partial void LogAttemptFailed(ILogger logger, string alarmId, string recipient, string channel, string address, int attempt, string error);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Error, Message = "Notification of alarm {AlarmId} to {Recipient} via {Channel} {Address} gave up after attempt {Attempt}")]
    private static partial void LogGaveUp(ILogger logger, Exception? exception, string alarmId, string recipient, string channel, string address, int attempt);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Error, Message = "Alarm {AlarmId} level {Level}: recipient {Recipient} has no address configured, so nobody was told (Campus:Notify:Recipients)")]
    private static partial void LogUnrouted(ILogger logger, string alarmId, int level, string recipient);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error, Message = "Recording a delivery attempt of alarm {AlarmId} via {Channel} {Address} failed")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string alarmId, string channel, string address);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Error, Message = "Message {Kind} {MessageId}: recipient {Recipient} at {Site} has no address configured, so nobody was told (Campus:Notify:Recipients)")]
    private static partial void LogMessageUnrouted(ILogger logger, string kind, string messageId, string recipient, string site);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Error, Message = "Message {Kind} {MessageId} to {Recipient} via {Channel} {Address} gave up after attempt {Attempt}")]
    private static partial void LogMessageGaveUp(ILogger logger, Exception? exception, string kind, string messageId, string recipient, string channel, string address, int attempt);

    [LoggerMessage(EventId = 2308, Level = LogLevel.Warning, Message = "Message {Kind} {MessageId} to {Recipient} via {Channel} {Address} failed (attempt {Attempt}): {Error}; retrying")]
    private static partial void LogMessageAttemptFailed(ILogger logger, string kind, string messageId, string recipient, string channel, string address, int attempt, string error);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Error, Message = "Notification of alarm {AlarmId} to {Recipient} not sent: the dispatcher has stopped")]
    private static partial void LogNotQueued(ILogger logger, string alarmId, string recipient);
}
