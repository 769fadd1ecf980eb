using Campus.IoT.Alerting;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// A cluster node's health view: every <see cref="Interval"/> the index of device alarm conditions is reloaded from the
/// shared alarm store, so the alarms of schools whose engines run on other nodes show here too (this node's own schools
/// update it at once through <see cref="HealthAlarmNotifier"/>).
/// </summary>
internal sealed partial class AlarmIndexRefresh(DeviceAlarmIndex index, IAlarmStore store, TimeProvider time, ILogger<AlarmIndexRefresh> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    index.Reload(store.LoadOpen());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "Reloading the health view's device alarm conditions from the alarm store failed; it tries again in 10 s")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
