using System.Collections.Concurrent;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Devices;

namespace Campus.IoT.Dashboard.Live;

/// <summary><c>Campus:Watchdog</c>: the console watchdog.</summary>
internal sealed class WatchdogOptions
{
    public const string Section = "Campus:Watchdog";

    public bool Enabled { get; set; } = true;

    /// <summary>The schools whose guard room must be watched; empty: every school the platform has heard from.</summary>
    public string[] Sites { get; set; } = [];

    /// <summary>A board that has not sent a heartbeat for this long no longer counts (a frozen browser, a dead PC).</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a school may be without a watching board before it is an alarm (a page reload, a PC restart).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The guard-room boards connected now: each board page sends <c>ConsoleHeartbeat</c> every 10 s for the schools it joined.
/// Thread-safe.
/// </summary>
internal sealed class ConsoleRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string[] Sites, DateTimeOffset LastBeat)> _consoles = new(StringComparer.Ordinal);

    public void Beat(string connectionId, IEnumerable<string> sites) => _consoles[connectionId] = ([.. sites], time.GetUtcNow());

    public void Remove(string connectionId) => _consoles.TryRemove(connectionId, out _);

    /// <summary>True when a board watching <paramref name="site"/> (or every school) sent a heartbeat within <paramref name="timeout"/>.</summary>
    public bool Attended(string site, TimeSpan timeout)
    {
        var now = time.GetUtcNow();
        return _consoles.Values.Any(c => now - c.LastBeat <= timeout && (c.Sites.Contains(site, StringComparer.Ordinal) || c.Sites.Contains(LiveHub.AllSites)));
    }
}

/// <summary>
/// The console watchdog: every 5 s (on the injected clock) it checks each school's guard room. A school with no board
/// connected, or none still sending heartbeats, for longer than the grace period raises <c>console-unattended</c>, which
/// goes to the safety officer (policy <c>console</c>); a board coming back clears it. A missed fire alarm is the worst
/// failure this software can have, and a board nobody has open is how it would happen.
/// </summary>
internal sealed partial class ConsoleWatchdog(
    IAlarms alarms,
    ConsoleRegistry consoles,
    DeviceDirectory directory,
    WatchdogOptions options,
    TimeProvider time,
    ILogger<ConsoleWatchdog> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, DateTimeOffset> _unattendedSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raised = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CheckAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One round: raise for schools unattended beyond the grace period, clear for those attended again.</summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sites = options.Sites.Length > 0 ? options.Sites : directory.Sites();
        foreach (var site in sites)
        {
            if (consoles.Attended(site, options.HeartbeatTimeout))
            {
                _unattendedSince.Remove(site);
                if (_raised.Remove(site))
                {
                    await alarms.OnConsoleStatusAsync(site, attended: true, "a guard-room board is watching again", cancellationToken);
                }

                continue;
            }

            if (!_unattendedSince.TryGetValue(site, out var since))
            {
                _unattendedSince[site] = now;
                continue;
            }

            if (now - since >= options.Grace && _raised.Add(site))
            {
                LogUnattended(logger, site, now - since);
                await alarms.OnConsoleStatusAsync(site, attended: false, $"no guard-room board has been watching {site} since {Telemetry.Timestamps.Format(since)}", cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "No guard-room board is watching {Site} (for {Duration}): console-unattended raised")]
    private static partial void LogUnattended(ILogger logger, string site, TimeSpan duration);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "The console watchdog's check failed; it runs again at the next tick")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
