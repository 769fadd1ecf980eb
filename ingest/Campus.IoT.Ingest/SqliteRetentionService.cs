using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Ingest;

/// <summary>Applies the embedded store's retention once at start and then every hour.</summary>
internal sealed partial class SqliteRetentionService(
    SqliteReadingStore store,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<SqliteRetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                RunOnce();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    internal long RunOnce()
    {
        var o = options.Value;
        try
        {
            var deleted = store.ApplyRetention(time.GetUtcNow(), IngestOptions.Days(o.RawRetentionDays), IngestOptions.Days(o.MinuteRollupRetentionDays), IngestOptions.Days(o.HourRollupRetentionDays));
            if (deleted > 0)
            {
                LogDeleted(logger, deleted, o.RawRetentionDays, o.MinuteRollupRetentionDays, o.HourRollupRetentionDays);
            }

            return deleted;
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex);
            return 0;
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Retention deleted {Rows} rows (raw kept {RawDays} d, minute rollups {MinuteDays} d, hour rollups {HourDays} d; 0 = forever)")]
    private static partial void LogDeleted(ILogger logger, long rows, int rawDays, int minuteDays, int hourDays);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "Applying retention to the embedded store failed; it is tried again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
