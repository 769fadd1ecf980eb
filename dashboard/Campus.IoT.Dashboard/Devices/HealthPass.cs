using Campus.IoT.Alerting.Rules;
using Campus.IoT.Ingest;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// One evaluation of device and gateway health at one instant (<see cref="Now"/>). A site costs one walk over its devices
/// (no per-device allocation unless the caller asks for the device list), so the whole district is O(devices).
/// </summary>
internal sealed class HealthPass(
    DeviceDirectory directory,
    DateTimeOffset now,
    HealthOptions options,
    TimeSpan offlineFloor,
    double offlineMultiple,
    IReadOnlyDictionary<(string Site, string Device), HealthReasons> alarms,
    IReadOnlyDictionary<(string Site, string Gateway), GatewaySeqSnapshot> sequences)
{
    private const HealthReasons OfflineReasons = HealthReasons.GatewayOffline | HealthReasons.OfflineAlarm | HealthReasons.Silent;
    private const HealthReasons FaultReasons = HealthReasons.Stuck | HealthReasons.PanelTrouble | HealthReasons.LowBattery;

    public DateTimeOffset Now => now;

    public HealthOptions Options => options;

    /// <summary>A device's status and reasons, given its gateway's status and its open alarm conditions.</summary>
    public (SensorStatus Status, HealthReasons Reasons) Classify(in DeviceFacts device, GatewayLinkStatus gateway, HealthReasons alarmReasons)
    {
        var reasons = alarmReasons;
        if (gateway == GatewayLinkStatus.Offline)
        {
            reasons |= HealthReasons.GatewayOffline;
        }

        var silentFor = now - device.LastSeen;
        if (silentFor >= Scaled(device.Interval, offlineMultiple, offlineFloor))
        {
            reasons |= HealthReasons.Silent;
        }
        else if (silentFor > Scaled(device.Interval, options.StaleMultiple, options.StaleFloor))
        {
            reasons |= HealthReasons.Late;
        }

        if (device.Battery < options.LowBatteryPercent)
        {
            reasons |= HealthReasons.LowBattery;
        }

        if (device.Rssi < options.WeakSignalDbm)
        {
            reasons |= HealthReasons.WeakSignal;
        }

        var status = (reasons & OfflineReasons) != 0 ? SensorStatus.Offline
            : (reasons & FaultReasons) != 0 ? SensorStatus.Faulty
            : (reasons & HealthReasons.Late) != 0 ? SensorStatus.Stale
            : SensorStatus.Online;
        return (status, reasons);
    }

    /// <summary>
    /// One site's summary over the devices <paramref name="visible"/> lets through (all when null; a room-bound manager's
    /// rooms otherwise, and then only the gateways their devices report through). <paramref name="each"/> sees every
    /// counted device with its status.
    /// </summary>
    public SiteHealth Summarize(string site, Func<string, bool>? visible = null, DeviceVisitor? each = null)
    {
        var gateways = GatewayStatuses(site);
        int online = 0, stale = 0, faulty = 0, offline = 0;
        DateTimeOffset? lastSeen = null;
        double? battery = null, rssi = null;
        HashSet<string>? usedGateways = visible is null ? null : new(StringComparer.Ordinal);
        foreach (var device in directory.Facts(site))
        {
            if (visible is not null && !visible(device.Device))
            {
                continue;
            }

            usedGateways?.Add(device.Gateway);
            var link = gateways.TryGetValue(device.Gateway, out var g) ? g.Status : GatewayLinkStatus.Unknown;
            var (status, reasons) = Classify(device, link, alarms.GetValueOrDefault((site, device.Device)));
            switch (status)
            {
                case SensorStatus.Online: online++; break;
                case SensorStatus.Stale: stale++; break;
                case SensorStatus.Faulty: faulty++; break;
                default: offline++; break;
            }

            lastSeen = Later(lastSeen, device.LastSeen);
            battery = Lower(battery, device.Battery);
            rssi = Lower(rssi, device.Rssi);
            each?.Invoke(device, link, status, reasons);
        }

        int gwOnline = 0, gwOffline = 0, gwUnknown = 0;
        long gaps = 0, duplicates = 0;
        foreach (var (name, gateway) in gateways)
        {
            if (usedGateways is not null && !usedGateways.Contains(name))
            {
                continue;
            }

            switch (gateway.Status)
            {
                case GatewayLinkStatus.Online: gwOnline++; break;
                case GatewayLinkStatus.Offline: gwOffline++; break;
                default: gwUnknown++; break;
            }

            lastSeen = gateway.LastSeen is { } seen ? Later(lastSeen, seen) : lastSeen;
            if (sequences.TryGetValue((site, name), out var s))
            {
                gaps += s.Missing;
                duplicates += s.Duplicates;
            }
        }

        return new SiteHealth(
            site,
            new SensorCounts(online + stale + faulty + offline, online, stale, faulty, offline),
            new GatewayCounts(gwOnline + gwOffline + gwUnknown, gwOnline, gwOffline, gwUnknown),
            gaps,
            duplicates,
            lastSeen,
            battery,
            rssi);
    }

    /// <summary>One site in full: summary, gateways (status, what they reported, seq record), devices by building and id.</summary>
    public SiteHealthDetail Detail(string site, Func<string, bool>? visible = null)
    {
        var devices = new List<DeviceHealth>();
        var perGateway = new Dictionary<string, int>(StringComparer.Ordinal);
        var summary = Summarize(site, visible, (in DeviceFacts d, GatewayLinkStatus link, SensorStatus status, HealthReasons reasons) =>
        {
            perGateway[d.Gateway] = perGateway.GetValueOrDefault(d.Gateway) + 1;
            devices.Add(new DeviceHealth(
                d.Device,
                BuildingOf(site, d.Device),
                d.Gateway,
                link,
                status,
                reasons,
                d.Battery,
                d.Rssi,
                d.FirstSeen,
                d.LastSeen,
                d.Interval,
                sequences.TryGetValue((site, d.Gateway), out var s) ? s.Missing : 0));
        });
        devices.Sort((a, b) => string.CompareOrdinal(a.Building, b.Building) is var c and not 0 ? c : string.CompareOrdinal(a.Device, b.Device));

        var gateways = new List<GatewayHealthView>();
        foreach (var g in directory.Gateways(site))
        {
            if (visible is not null && !perGateway.ContainsKey(g.Gateway))
            {
                continue;
            }

            var s = sequences.GetValueOrDefault((site, g.Gateway));
            gateways.Add(new GatewayHealthView(
                g.Gateway,
                LinkOf(g),
                g.LastSeen,
                g.StatusTs,
                g.Version,
                g.Spooled,
                g.Health?.UptimeSeconds,
                perGateway.GetValueOrDefault(g.Gateway),
                s?.Missing ?? 0,
                s?.Duplicates ?? 0,
                s?.Resets ?? 0));
        }

        return new SiteHealthDetail(summary, gateways, devices);
    }

    /// <summary>
    /// The building a device is in: the first <see cref="HealthOptions.Buildings"/> mapping that matches, else the device
    /// id up to its first '-' (<c>lab3-fridge-1</c> → <c>lab3</c>), the whole id when it has none.
    /// </summary>
    public string BuildingOf(string site, string device)
    {
        foreach (var rule in options.Buildings)
        {
            if (Glob.IsMatch(rule.Devices, device) && (rule.Site is not { Length: > 0 } sites || Glob.IsMatch(sites, site)))
            {
                return rule.Building;
            }
        }

        var dash = device.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? device[..dash] : device;
    }

    /// <summary>The gateways of a site with their link status and when last heard.</summary>
    public Dictionary<string, (GatewayLinkStatus Status, DateTimeOffset? LastSeen)> GatewayStatuses(string site)
    {
        var map = new Dictionary<string, (GatewayLinkStatus, DateTimeOffset?)>(StringComparer.Ordinal);
        foreach (var g in directory.Gateways(site))
        {
            map[g.Gateway] = (LinkOf(g), g.LastSeen);
        }

        return map;
    }

    private static GatewayLinkStatus LinkOf(GatewaySnapshot gateway) => gateway.State switch
    {
        Telemetry.GatewayState.Online => GatewayLinkStatus.Online,
        Telemetry.GatewayState.Offline => GatewayLinkStatus.Offline,
        _ => GatewayLinkStatus.Unknown,
    };

    private static TimeSpan Scaled(TimeSpan? interval, double multiple, TimeSpan floor)
    {
        if (interval is not { } i)
        {
            return floor;
        }

        var scaled = TimeSpan.FromTicks((long)(i.Ticks * multiple));
        return scaled > floor ? scaled : floor;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x >= b ? x : b;

    private static double? Lower(double? a, double? b) => a is { } x ? (b is { } y && y < x ? y : x) : b;
}
