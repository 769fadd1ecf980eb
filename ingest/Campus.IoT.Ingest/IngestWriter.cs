using Campus.IoT.Ingest.Spill;
using Campus.IoT.Ingest.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Campus.IoT.Ingest;

/// <summary>
/// Drains the queue into the store in batches and acknowledges each message to the broker only once its content is durable.
/// <list type="number">
/// <item>Normal: a batch is written to the store (Polly: a few attempts with exponential back-off and a timeout each), then
/// acknowledged.</item>
/// <item>Store down or slow: the batch goes to the disk spill (<see cref="SpillBuffer"/>, fsync'd) and is acknowledged, so
/// the broker's queue does not grow and nothing waits in memory only. While the spill holds anything, new batches are
/// appended behind it (the order is kept) and the spill is replayed into the store oldest first, with back-off between
/// failed attempts, until it is empty.</item>
/// <item>Spill full (or the disk failing): the writer stops taking messages; the bounded queue fills, the MQTT receiver waits
/// and the broker keeps the rest. Nothing is dropped at any point.</item>
/// </list>
/// On shutdown it writes what is still queued (to the store, else to the spill) before it stops.
/// </summary>
internal sealed partial class IngestWriter : BackgroundService
{
    private static readonly TimeSpan MaxReplayBackoff = TimeSpan.FromSeconds(30);

    private readonly IngestQueue _queue;
    private readonly ITimeSeriesStore _store;
    private readonly SpillBuffer _spill;
    private readonly IEnumerable<IReadingObserver> _observers;
    private readonly IngestMetrics _metrics;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IngestWriter> _logger;
    private readonly ResiliencePipeline _writePipeline;
    private readonly List<IngestBatch> _batch;
    private TimeSpan _replayBackoff = TimeSpan.Zero;
    private DateTimeOffset _nextReplay;
    private volatile string? _lastError;
    private long _failingSinceTicks;

    public IngestWriter(
        IngestQueue queue,
        ITimeSeriesStore store,
        SpillBuffer spill,
        IEnumerable<IReadingObserver> observers,
        IngestMetrics metrics,
        IOptions<IngestOptions> options,
        TimeProvider time,
        ILogger<IngestWriter> logger)
    {
        _queue = queue;
        _store = store;
        _spill = spill;
        _observers = observers;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _batch = new List<IngestBatch>(_options.MaxBatchMessages);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (_options.WriteAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.WriteAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || ex is TimeoutRejectedException),
                OnRetry = args =>
                {
                    _metrics.WriteFailed();
                    LogWriteRetry(_logger, args.Outcome.Exception, _store.Kind, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        _writePipeline = builder.AddTimeout(_options.WriteTimeout).Build();
        _metrics.ObserveBacklog(() => _queue.Count, () => _spill.Count, () => _spill.Bytes);
    }

    /// <summary>The writer's state for <c>/healthz</c>.</summary>
    public IngestWriterHealth Health
    {
        get
        {
            var since = Interlocked.Read(ref _failingSinceTicks);
            return new IngestWriterHealth(
                _store.Kind,
                since != 0 ? "failing" : _spill.Count > 0 ? "draining" : "ok",
                since == 0 ? null : new DateTimeOffset(since, TimeSpan.Zero),
                _lastError,
                _queue.Count,
                _spill.Count,
                _spill.Bytes,
                _spill.Bytes >= _options.SpillMaxBytes);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_spill.Count > 0)
        {
            LogSpillFound(_logger, _spill.Count, _spill.Bytes);
        }

        // Reading ends when the consumer completes the queue, so what was received before shutdown is still handled.
        while (true)
        {
            if (_spill.Count > 0)
            {
                await ReplayStepAsync(stoppingToken);
            }

            if (_spill.Count > 0 && _spill.Bytes >= _options.SpillMaxBytes)
            {
                // Full: take nothing more; the queue and then the broker hold the rest.
                LogSpillFull(_logger, _spill.Bytes, _options.SpillMaxBytes);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                await WaitAsync(NextReplayDelay(), waitForInput: false, stoppingToken);
                continue;
            }

            if (!TakeBatch())
            {
                if (_queue.Reader.Completion.IsCompleted)
                {
                    return;
                }

                await WaitAsync(_spill.Count > 0 ? NextReplayDelay() : Timeout.InfiniteTimeSpan, waitForInput: true, stoppingToken);
                continue;
            }

            // Linger only when the stream is busy: a tenth of a batch was already waiting. At a school's rate a message is
            // written as soon as it arrives.
            if (_batch.Count >= Math.Max(1, _options.MaxBatchMessages / 10) && _batch.Count < _options.MaxBatchMessages
                && _options.BatchLinger > TimeSpan.Zero && !stoppingToken.IsCancellationRequested)
            {
                await LingerAsync(stoppingToken);
            }

            await HandleBatchAsync(stoppingToken);
        }
    }

    /// <summary>
    /// Tops the batch up while messages keep coming: until it is full, until <see cref="IngestOptions.BatchLinger"/> has
    /// passed, or until no message has arrived for a tenth of it (the stream paused). Returns early when the queue completes
    /// (shutdown) or stopping is requested.
    /// </summary>
    private async Task LingerAsync(CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        var idle = _options.BatchLinger / 10;
        while (_batch.Count < _options.MaxBatchMessages && !stoppingToken.IsCancellationRequested)
        {
            var left = _options.BatchLinger - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await WaitAsync(left < idle ? left : idle, waitForInput: true, stoppingToken);
            if (TopUp() == 0)
            {
                // Nothing within the gap, or the queue completed (shutdown).
                return;
            }
        }
    }

    private bool TakeBatch()
    {
        _batch.Clear();
        return TopUp() > 0;
    }

    /// <summary>Adds what is queued to the batch, up to its size; returns how many messages it added.</summary>
    private int TopUp()
    {
        var before = _batch.Count;
        while (_batch.Count < _options.MaxBatchMessages && _queue.Reader.TryRead(out var item))
        {
            _batch.Add(item);
        }

        return _batch.Count - before;
    }

    private async Task HandleBatchAsync(CancellationToken stoppingToken)
    {
        var durable = false;
        while (!durable)
        {
            if (_spill.Count == 0 && await TryStoreAsync(stoppingToken))
            {
                durable = true;
                break;
            }

            try
            {
                _spill.Append(_batch);
                _metrics.Spilled(_batch.Count);
                durable = true;
            }
            catch (Exception ex)
            {
                // The disk failed too (full, read-only): keep the batch in memory and retry both; nothing is acknowledged.
                _metrics.SpillFailed();
                LogSpillFailed(_logger, ex, _batch.Count);
                if (stoppingToken.IsCancellationRequested)
                {
                    LogUnwrittenAtShutdown(_logger, _batch.Count);
                    return;
                }

                await WaitAsync(TimeSpan.FromSeconds(1), waitForInput: false, stoppingToken);
            }
        }

        await AcknowledgeAsync();
        await NotifyAsync(stoppingToken);
    }

    private async Task<bool> TryStoreAsync(CancellationToken stoppingToken)
    {
        try
        {
            var batch = _batch;
            var written = await _writePipeline.ExecuteAsync(
                async token => await _store.WriteAsync(batch, token),
                stoppingToken.IsCancellationRequested ? CancellationToken.None : stoppingToken);
            _metrics.Stored(_batch.Count, written.Readings, written.Events);
            MarkHealthy();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ex is TimeoutRejectedException)
        {
            _metrics.WriteFailed();
            MarkFailing(ex);
            LogWriteFailed(_logger, ex, _store.Kind, _batch.Count);
            ScheduleReplay(first: true);
            return false;
        }
    }

    private async Task ReplayStepAsync(CancellationToken stoppingToken)
    {
        if (_time.GetUtcNow() < _nextReplay)
        {
            return;
        }

        // Chunks larger than the input batches, so a backlog shrinks even while new messages keep arriving.
        var chunk = _spill.Peek(_options.MaxBatchMessages * 4);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken.IsCancellationRequested ? CancellationToken.None : stoppingToken);
            timeout.CancelAfter(_options.WriteTimeout);
            var written = await _store.WriteAsync(chunk.Batches, timeout.Token);
            _spill.Remove(chunk);
            _metrics.Replayed(chunk.Batches.Count, written.Readings, written.Events);
            _replayBackoff = TimeSpan.Zero;
            _nextReplay = default;
            MarkHealthy();
            if (_spill.Count == 0)
            {
                LogSpillDrained(_logger, _store.Kind);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            _metrics.WriteFailed();
            MarkFailing(ex);
            ScheduleReplay(first: false);
            LogReplayFailed(_logger, _store.Kind, _spill.Count, ex.Message, _replayBackoff.TotalMilliseconds);
        }
    }

    private void ScheduleReplay(bool first)
    {
        if (first && _replayBackoff > TimeSpan.Zero)
        {
            return;
        }

        _replayBackoff = _replayBackoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromTicks(Math.Min(_replayBackoff.Ticks * 2, MaxReplayBackoff.Ticks));
        _nextReplay = _time.GetUtcNow() + _replayBackoff;
    }

    private TimeSpan NextReplayDelay()
    {
        var delay = _nextReplay - _time.GetUtcNow();
        return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
    }

    /// <summary>Waits for the delay, or until input arrives when asked (or the queue completes at shutdown); never throws.</summary>
    private async Task WaitAsync(TimeSpan delay, bool waitForInput, CancellationToken stoppingToken)
    {
        if (delay == TimeSpan.Zero)
        {
            return;
        }

        using var timer = delay == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(delay, _time);
        if (waitForInput)
        {
            // Not bound to the stopping token: at shutdown the consumer completes the queue, which ends this wait.
            try
            {
                await _queue.Reader.WaitToReadAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                // The delay passed.
            }
        }
        else
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stoppingToken);
            await Task.Delay(Timeout.InfiniteTimeSpan, linked.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task AcknowledgeAsync()
    {
        foreach (var batch in _batch)
        {
            if (batch.Acknowledge is not { } acknowledge)
            {
                continue;
            }

            try
            {
                await acknowledge(CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Disconnected since: the broker delivers the message again and the idempotent store ignores the repeat.
                _metrics.AckFailed();
                LogAckFailed(_logger, batch.Site, batch.Gateway, batch.Seq, ex.Message);
            }
        }
    }

    private async Task NotifyAsync(CancellationToken stoppingToken)
    {
        foreach (var observer in _observers)
        {
            foreach (var batch in _batch)
            {
                if (batch.Readings.Count == 0)
                {
                    continue;
                }

                try
                {
                    await observer.ReadingsStoredAsync(batch.Site, batch.Gateway, batch.Readings, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogNotifyFailed(_logger, ex, batch.Site);
                }
            }
        }
    }

    private void MarkHealthy()
    {
        if (Interlocked.Exchange(ref _failingSinceTicks, 0) != 0)
        {
            _lastError = null;
            LogStoreRecovered(_logger, _store.Kind);
        }
    }

    private void MarkFailing(Exception ex)
    {
        _lastError = ex.Message;
        Interlocked.CompareExchange(ref _failingSinceTicks, _time.GetUtcNow().UtcTicks, 0);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Writing {Messages} messages to the {Store} store failed after every attempt; they go to the disk spill and are replayed when it is back, nothing is dropped")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string store, int messages);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Pushing stored readings of site {Site} to live clients failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string site);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Writing to the {Store} store failed (attempt {Attempt} next, in {DelayMs} ms)")]
    private static partial void LogWriteRetry(ILogger logger, Exception? exception, string store, int attempt, double delayMs);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Replaying the disk spill into the {Store} store failed ({Batches} messages waiting): {Error}; next attempt in {DelayMs} ms")]
    private static partial void LogReplayFailed(ILogger logger, string store, long batches, string error, double delayMs);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "The disk spill is replayed into the {Store} store and empty")]
    private static partial void LogSpillDrained(ILogger logger, string store);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Critical, Message = "Writing {Messages} messages to the disk spill failed as well; they stay in memory, unacknowledged, and are retried")]
    private static partial void LogSpillFailed(ILogger logger, Exception exception, int messages);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Error, Message = "The disk spill is full ({Bytes} of {MaxBytes} bytes): ingest takes no more messages until the store is back (the broker keeps them)")]
    private static partial void LogSpillFull(ILogger logger, long bytes, long maxBytes);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Information, Message = "The {Store} store accepts writes again")]
    private static partial void LogStoreRecovered(ILogger logger, string store);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Warning, Message = "Found {Batches} messages ({Bytes} bytes) in the disk spill from before; replaying them")]
    private static partial void LogSpillFound(ILogger logger, long batches, long bytes);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Acknowledging {Site}/{Gateway} seq {Seq} failed ({Error}); the broker will deliver it again")]
    private static partial void LogAckFailed(ILogger logger, string site, string gateway, long seq, string error);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Error, Message = "Stopping with {Messages} messages neither stored nor spilled; they were not acknowledged, so the broker delivers them again")]
    private static partial void LogUnwrittenAtShutdown(ILogger logger, int messages);
}

/// <summary>
/// What <c>/healthz</c> shows of the writer. State: <c>ok</c>; <c>failing</c> (the store refuses writes: batches go to the
/// disk spill); <c>draining</c> (the store is back and the spill is being replayed into it).
/// </summary>
public sealed record IngestWriterHealth(string Store, string State, DateTimeOffset? FailingSince, string? LastError, int Queued, long Spilled, long SpilledBytes, bool SpillFull);
