using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// Keeps every school's engine running somewhere: every <see cref="Interval"/> each node wakes the grain of every school it
/// knows (configured schools, schools with open alarms, schools it has heard from). A school whose node died is taken over
/// at the next pass even if none of its sensors speaks (its silent-sensor and offline detection must go on), and the
/// watchdog's unattended schools are told again (a grain that moved has forgotten).
/// </summary>
internal sealed partial class SiteKeeper(
    IGrainFactory grains,
    SiteJournal journal,
    IAlarmStore store,
    ClusterAlarms alarms,
    ClusterSettings settings,
    TimeProvider time,
    ILogger<SiteKeeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                await PassAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    internal async Task PassAsync(CancellationToken cancellationToken)
    {
        IEnumerable<string> sites;
        try
        {
            sites = settings.KnownSites().Concat(journal.Sites).Concat(store.LoadOpen().Select(a => a.Site)).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPassFailed(logger, ex, "(listing)");
            return;
        }

        foreach (var site in sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await grains.GetGrain<ISiteRulesGrain>(site).Wake();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(logger, ex, site);
            }
        }

        await alarms.RepeatConsoleAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 5305, Level = LogLevel.Warning, Message = "Waking the rules engine of school {Site} failed; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string site);
}
