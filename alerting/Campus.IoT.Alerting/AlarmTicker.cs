using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Alerting;

/// <summary>Runs the engine's time-driven detection every <see cref="Interval"/> on the injected clock.</summary>
internal sealed partial class AlarmTicker(AlarmService alarms, TimeProvider time, ILogger<AlarmTicker> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await alarms.TickAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogTickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Time-driven alarm detection failed; it runs again at the next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
