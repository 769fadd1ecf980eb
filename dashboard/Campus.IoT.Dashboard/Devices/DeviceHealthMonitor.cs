using System.Diagnostics;
using System.Threading.Channels;
using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Dashboard.Live;
using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// Pushes <c>deviceHealthChanged</c> to a school's live group (and <c>*</c>) when one of its devices or gateways changes
/// status. It evaluates every device on a timer of the injected clock (<see cref="HealthOptions.EvaluateEvery"/>: a silent
/// device turns stale or offline with time alone), and at once when a gateway reports its status or an alarm condition that
/// bears on health changes. One pass is O(devices), allocates nothing per unchanged device, and runs on one loop; wake-ups
/// during a pass coalesce into one more.
/// </summary>
internal sealed partial class DeviceHealthMonitor : BackgroundService, IGatewayStatusObserver
{
    private readonly SensorHealthModel _model;
    private readonly DeviceAlarmIndex _alarms;
    private readonly IHubContext<LiveHub> _hub;
    private readonly IOptions<HealthOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeviceHealthMonitor> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Dictionary<string, SiteState> _last = new(StringComparer.Ordinal);

    public DeviceHealthMonitor(SensorHealthModel model, DeviceAlarmIndex alarms, IHubContext<LiveHub> hub, IOptions<HealthOptions> options, TimeProvider time, ILogger<DeviceHealthMonitor> logger)
    {
        _model = model;
        _alarms = alarms;
        _hub = hub;
        _options = options;
        _time = time;
        _logger = logger;
        _alarms.Changed += Wake;
    }

    /// <summary>Passes run so far, and how long the last one took (devices and sites walked, pushes sent).</summary>
    public long Passes { get; private set; }

    public TimeSpan LastPassDuration { get; private set; }

    public void GatewayStatus(string site, string gateway, GatewayStatus status) => Wake();

    /// <summary>Asks for a pass soon (coalesced with any already asked for).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = _options.Value.EvaluateEvery;
        using var timer = _time.CreateTimer(_ => Wake(), null, every, every);
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await EvaluateAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _alarms.Changed -= Wake;
        _pass.Dispose();
        base.Dispose();
    }

    /// <summary>One pass over every site: statuses compared with the last pass, a push per site where any changed.</summary>
    internal async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var pass = _model.Begin();
            var messages = new List<DeviceHealthChangedDto>();
            foreach (var site in _model.Directory.Sites())
            {
                if (Compare(pass, site) is { } message)
                {
                    messages.Add(message);
                }
            }

            LastPassDuration = Stopwatch.GetElapsedTime(started);
            Passes++;
            foreach (var message in messages)
            {
                try
                {
                    await _hub.Clients.Groups([LiveHub.GroupOf(message.Site), LiveHub.GroupOf(LiveHub.AllSites)])
                        .SendAsync("deviceHealthChanged", message, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPushFailed(_logger, ex, message.Site);
                }
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    private DeviceHealthChangedDto? Compare(HealthPass pass, string site)
    {
        if (!_last.TryGetValue(site, out var last))
        {
            last = new SiteState();
            _last[site] = last;
        }

        List<HealthChangeDto>? changes = null;
        var more = 0;
        void Changed(string kind, string id, string? building, string status, string? previous, string[] reasons)
        {
            changes ??= [];
            if (changes.Count < DeviceHealthChangedDto.MaxChanges)
            {
                changes.Add(new HealthChangeDto(kind, id, building, status, previous, reasons));
            }
            else
            {
                more++;
            }
        }

        var summary = pass.Summarize(site, null, (in DeviceFacts d, GatewayLinkStatus _, SensorStatus status, HealthReasons reasons) =>
        {
            var had = last.Devices.TryGetValue(d.Device, out var before);
            if (had && before == status)
            {
                return;
            }

            last.Devices[d.Device] = status;
            Changed("device", d.Device, pass.BuildingOf(site, d.Device), status.ToWire(), had ? before.ToWire() : null, reasons.ToWire());
        });

        foreach (var (gateway, (status, _)) in pass.GatewayStatuses(site))
        {
            if (last.Gateways.TryGetValue(gateway, out var before) && before == status)
            {
                continue;
            }

            var had = last.Gateways.ContainsKey(gateway);
            last.Gateways[gateway] = status;
            Changed("gateway", gateway, null, status.ToWire(), had ? before.ToWire() : null, []);
        }

        return changes is null ? null : new DeviceHealthChangedDto(site, Timestamps.Format(pass.Now), SiteHealthDto.From(summary), changes, more);
    }

    private sealed class SiteState
    {
        public Dictionary<string, SensorStatus> Devices { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, GatewayLinkStatus> Gateways { get; } = new(StringComparer.Ordinal);
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Error, Message = "Evaluating sensor health failed; it runs again at the next tick")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "Pushing deviceHealthChanged for {Site} failed; pages catch up on their next read")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, string site);
}
