using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Alerting;

/// <summary>
/// Hands stored alarm transitions to the hazard feeds off the alarm path: the alarm service only enqueues (never waits),
/// one reader calls the feeds in order. A slow or dead hazard database therefore never delays the next alarm, its push to
/// the guard room or its notifications. A failing feed is retried (after 2 s and 10 s on the platform clock), then logged
/// (2201) and counted; if the queue ever holds <see cref="Capacity"/> transitions (the registry down for long under an alarm
/// flood) further ones are counted and logged as dropped (2202) — the alarms themselves are stored and shown either way.
/// </summary>
internal sealed partial class HazardFeedQueue : IDisposable
{
    public const int Capacity = 10_000;

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

    private readonly IHazardFeed[] _feeds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AlertingMetrics _metrics;
    private readonly Channel<AlarmTransition> _queue = Channel.CreateBounded<AlarmTransition>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _reader;

    public HazardFeedQueue(IHazardFeed[] feeds, TimeProvider time, ILogger logger, AlertingMetrics metrics)
    {
        _feeds = feeds;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _reader = feeds.Length == 0 ? Task.CompletedTask : Task.Run(ReadAsync);
    }

    /// <summary>Queues a transition for the feeds; never blocks.</summary>
    public void Enqueue(AlarmTransition transition)
    {
        if (_feeds.Length == 0)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(transition))
        {
            _metrics.HazardFeedDropped();
            LogDropped(_logger, transition.Alarm.Id, Capacity);
        }
    }

    /// <summary>Waits until every queued transition has been handed over (tests, and an orderly stop).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (_queue.Reader.Count > 0 || Volatile.Read(ref _busy) != 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        try
        {
            _reader.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Cancelled while waiting between retries.
        }

        _stopping.Dispose();
    }

    private int _busy;

    private async Task ReadAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token))
            {
                while (_queue.Reader.TryRead(out var transition))
                {
                    Volatile.Write(ref _busy, 1);
                    try
                    {
                        foreach (var feed in _feeds)
                        {
                            await HandOverAsync(feed, transition, token);
                        }
                    }
                    finally
                    {
                        Volatile.Write(ref _busy, 0);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task HandOverAsync(IHazardFeed feed, AlarmTransition transition, CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await feed.AlarmTransitionAsync(transition, token);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt >= RetryDelays.Length)
                {
                    _metrics.HazardFeedFailed();
                    LogFailed(_logger, ex, transition.Alarm.Id, attempt + 1);
                    return;
                }

                await Task.Delay(RetryDelays[attempt], _time, token);
            }
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "Handing alarm {AlarmId} to the hazard registry failed after {Attempts} attempts; the alarm itself is stored and shown")]
    private static partial void LogFailed(ILogger logger, Exception exception, string alarmId, int attempts);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "The hazard registry's queue is full ({Capacity} transitions waiting): alarm {AlarmId}'s transition is not handed to it; the alarm itself is stored and shown")]
    private static partial void LogDropped(ILogger logger, string alarmId, int capacity);
}
