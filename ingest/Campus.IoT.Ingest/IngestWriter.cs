using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Ingest;

/// <summary>
/// Drains the queue into the store in batches, one transaction each. A failed write is retried with back-off until it
/// succeeds; nothing is dropped. On shutdown it writes what is still queued before it stops.
/// </summary>
internal sealed partial class IngestWriter(
    IngestQueue queue,
    SqliteReadingStore store,
    IEnumerable<IReadingObserver> observers,
    IngestMetrics metrics,
    TimeProvider time,
    ILogger<IngestWriter> logger) : BackgroundService
{
    public const int MaxBatchMessages = 500;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly List<IngestBatch> _batch = new(MaxBatchMessages);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reading ends when the consumer completes the queue, so what was received before shutdown is still written.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            _batch.Clear();
            while (_batch.Count < MaxBatchMessages && queue.Reader.TryRead(out var item))
            {
                _batch.Add(item);
            }

            await WriteWithRetryAsync(stoppingToken);
            await NotifyAsync(stoppingToken);
        }
    }

    private async Task WriteWithRetryAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var (readings, events) = store.Write(_batch);
                metrics.Stored(_batch.Count, readings, events);
                return;
            }
            catch (Exception ex)
            {
                metrics.WriteFailed();
                var delay = RetryDelays[Math.Min(attempt, RetryDelays.Length - 1)];
                LogWriteFailed(logger, ex, _batch.Count, attempt + 1, delay.TotalMilliseconds);
                await Task.Delay(delay, time, stoppingToken.IsCancellationRequested ? CancellationToken.None : stoppingToken)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task NotifyAsync(CancellationToken stoppingToken)
    {
        foreach (var observer in observers)
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
                    LogNotifyFailed(logger, ex, batch.Site);
                }
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Writing {Messages} messages to the store failed (attempt {Attempt}); retrying in {DelayMs} ms, nothing is dropped")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int messages, int attempt, double delayMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Pushing stored readings of site {Site} to live clients failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string site);
}
