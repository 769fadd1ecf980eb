using System.Collections.Concurrent;
using Campus.IoT.Alerting;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// Every gateway and device the platform has heard from, kept in memory from the traffic itself: stored readings
/// (<see cref="IReadingObserver"/>: each device's last value and time per metric, when it was last heard, how often it
/// reports) and gateway status (<see cref="IGatewayStatusObserver"/>: online/offline, version, spool, health). The room and
/// sensor-health views read it. <see cref="DeviceDirectoryStore"/> saves it to disk and restores it at start, so a device
/// that stays silent after a restart still shows, as offline, instead of vanishing (a gateway's status is also retained at
/// the broker). Thread-safe; bounded by the number of devices; indexed by site, so one school's devices are read without
/// walking the district's.
/// </summary>
internal sealed class DeviceDirectory(TimeProvider time) : IReadingObserver, IGatewayStatusObserver, Alerting.Cluster.IClusterReadingObserver
{

    private readonly ConcurrentDictionary<string, SiteEntry> _sites = new(StringComparer.Ordinal);

    public Task ReadingsStoredAsync(string site, string gateway, IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        ReadingsReceived(site, gateway, readings);
        return Task.CompletedTask;
    }

    /// <summary>Readings heard (one machine: stored by ingest; a cluster node: received by its alerting subscription, which sees every school's).</summary>
    public void ReadingsReceived(string site, string gateway, IReadOnlyList<Reading> readings)
    {
        var now = time.GetUtcNow();
        var entry = Site(site);
        DeviceEntry? device = null;
        foreach (var r in readings)
        {
            // Consecutive readings of one device (the usual order in a message) share one lookup.
            if (device is null || !string.Equals(device.Device, r.Device, StringComparison.Ordinal))
            {
                device = entry.Devices.GetOrAdd(r.Device, static (id, now) => new DeviceEntry(id, now), now);
            }

            device.Heard(gateway, r, now);
        }

        entry.Gateways.GetOrAdd(gateway, static id => new GatewayEntry(id)).Heard(now);
    }

    public void GatewayStatus(string site, string gateway, GatewayStatus status) =>
        Site(site).Gateways.GetOrAdd(gateway, static id => new GatewayEntry(id)).Status(status, time.GetUtcNow());

    public IReadOnlyList<string> Sites() => [.. _sites.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True when something of <paramref name="site"/> has been heard.</summary>
    public bool Knows(string site) => _sites.ContainsKey(site);

    public IReadOnlyList<DeviceSnapshot> Devices(string? site = null) =>
        [.. SitesOf(site).SelectMany(s => s.Devices.Values.Select(d => d.Snapshot(s.Site))).OrderBy(d => d.Site, StringComparer.Ordinal).ThenBy(d => d.Device, StringComparer.Ordinal)];

    public IReadOnlyList<GatewaySnapshot> Gateways(string? site = null) =>
        [.. SitesOf(site).SelectMany(s => s.Gateways.Values.Select(g => g.Snapshot(s.Site))).OrderBy(g => g.Site, StringComparer.Ordinal).ThenBy(g => g.Gateway, StringComparer.Ordinal)];

    /// <summary>
    /// What the health view needs of each device of one site, without copying its metrics: gateway, first and last heard,
    /// learnt reporting interval, battery and signal. Unordered; cheap enough to call for every site on a timer.
    /// </summary>
    public IReadOnlyList<DeviceFacts> Facts(string site)
    {
        if (!_sites.TryGetValue(site, out var entry))
        {
            return [];
        }

        // Enumerating the dictionary itself takes no lock and copies nothing (its Values property would do both).
        var list = new List<DeviceFacts>(entry.Devices.Count);
        foreach (var device in entry.Devices)
        {
            list.Add(device.Value.Facts());
        }

        return list;
    }

    /// <summary>The devices heard at or after <paramref name="since"/> (platform clock), to be saved.</summary>
    public IReadOnlyList<DeviceRecord> DevicesHeardSince(DateTimeOffset since)
    {
        var list = new List<DeviceRecord>();
        foreach (var site in _sites.Values)
        {
            foreach (var device in site.Devices)
            {
                if (device.Value.Record(site.Site) is { } record && record.LastSeen >= since)
                {
                    list.Add(record);
                }
            }
        }

        return list;
    }

    /// <summary>The gateways heard at or after <paramref name="since"/> (platform clock), to be saved.</summary>
    public IReadOnlyList<GatewayRecord> GatewaysHeardSince(DateTimeOffset since) =>
        [.. _sites.Values.SelectMany(s => s.Gateways.Values.Select(g => g.Record(s.Site))).Where(g => g.LastSeen >= since)];

    /// <summary>
    /// Puts back a device saved before a restart. Whatever was heard since the start wins: a restored record never
    /// replaces newer traffic.
    /// </summary>
    public void Restore(DeviceRecord record)
    {
        var device = Site(record.Site).Devices.GetOrAdd(record.Device, static (id, r) => new DeviceEntry(id, r.FirstSeen), record);
        device.Restore(record);
    }

    /// <summary>Puts back a gateway saved before a restart (newer status or traffic wins).</summary>
    public void Restore(GatewayRecord record) =>
        Site(record.Site).Gateways.GetOrAdd(record.Gateway, static id => new GatewayEntry(id)).Restore(record);

    private SiteEntry Site(string site) => _sites.GetOrAdd(site, static s => new SiteEntry(s));

    private IEnumerable<SiteEntry> SitesOf(string? site) =>
        site is null ? _sites.Values : _sites.TryGetValue(site, out var one) ? [one] : [];

    private sealed class SiteEntry(string site)
    {
        public string Site => site;

        public ConcurrentDictionary<string, DeviceEntry> Devices { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, GatewayEntry> Gateways { get; } = new(StringComparer.Ordinal);
    }

    private sealed class DeviceEntry(string device, DateTimeOffset firstSeen)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, MetricValue> _metrics = new(StringComparer.Ordinal);
        private string _gateway = string.Empty;
        private DateTimeOffset _firstSeen = firstSeen;
        private DateTimeOffset _lastSeen = firstSeen;
        private DateTimeOffset? _newestTs;
        private TimeSpan? _interval;
        // Kept inline (not as the MetricValue objects) so a health pass over 100,000 devices touches one object per device.
        private double? _battery;
        private double? _rssi;

        public string Device => device;

        public void Heard(string gateway, Reading reading, DateTimeOffset now)
        {
            lock (_lock)
            {
                _gateway = gateway;
                _lastSeen = now;
                Learn(reading.Ts);
                // A replayed (older) reading does not replace a newer value.
                if (!_metrics.TryGetValue(reading.Metric, out var last) || last.Ts <= reading.Ts)
                {
                    _metrics[reading.Metric] = new MetricValue(reading.Value, reading.Ts);
                    if (reading.Metric == Metrics.Battery)
                    {
                        _battery = reading.Value;
                    }
                    else if (reading.Metric == Metrics.Rssi)
                    {
                        _rssi = reading.Value;
                    }
                }
            }
        }

        /// <summary>
        /// How often the device reports, from the gaps between its readings' own timestamps (so a spool replay after an
        /// outage teaches the true interval, and readings of several metrics at one instant count once): an exponentially
        /// weighted mean, as the offline detector learns it, with a gap counted as at most three intervals (the gap that
        /// ends an outage nudges it; a device that really slows down is followed within a few readings).
        /// </summary>
        private void Learn(DateTimeOffset ts)
        {
            if (_newestTs is not { } newest)
            {
                _newestTs = ts;
                return;
            }

            if (ts <= newest)
            {
                return;
            }

            var gap = ts - newest;
            _newestTs = ts;
            if (_interval is { } learnt)
            {
                var capped = gap.Ticks > learnt.Ticks * 3 ? learnt.Ticks * 3 : gap.Ticks;
                _interval = TimeSpan.FromTicks((long)((learnt.Ticks * 0.8) + (capped * 0.2)));
            }
            else
            {
                _interval = gap;
            }
        }

        public DeviceSnapshot Snapshot(string site)
        {
            lock (_lock)
            {
                return new DeviceSnapshot(site, _gateway, device, _firstSeen, _lastSeen, new Dictionary<string, MetricValue>(_metrics, StringComparer.Ordinal));
            }
        }

        public DeviceRecord Record(string site)
        {
            lock (_lock)
            {
                return new DeviceRecord(site, _gateway, device, _firstSeen, _lastSeen, _newestTs, _interval, new Dictionary<string, MetricValue>(_metrics, StringComparer.Ordinal));
            }
        }

        public void Restore(DeviceRecord record)
        {
            lock (_lock)
            {
                if (_gateway.Length > 0)
                {
                    // Heard since the start: keep what is newer, take the history (first seen, interval) from before.
                    _firstSeen = record.FirstSeen < _firstSeen ? record.FirstSeen : _firstSeen;
                    _interval ??= record.Interval;
                    foreach (var (metric, value) in record.Metrics)
                    {
                        _metrics.TryAdd(metric, value);
                    }

                    _battery ??= _metrics.TryGetValue(Metrics.Battery, out var heardBattery) ? heardBattery.Value : null;
                    _rssi ??= _metrics.TryGetValue(Metrics.Rssi, out var heardRssi) ? heardRssi.Value : null;
                    return;
                }

                _gateway = record.Gateway;
                _firstSeen = record.FirstSeen;
                _lastSeen = record.LastSeen;
                _newestTs = record.NewestTs;
                _interval = record.Interval;
                foreach (var (metric, value) in record.Metrics)
                {
                    _metrics[metric] = value;
                }

                _battery = record.Metrics.TryGetValue(Metrics.Battery, out var battery) ? battery.Value : null;
                _rssi = record.Metrics.TryGetValue(Metrics.Rssi, out var rssi) ? rssi.Value : null;
            }
        }

        public DeviceFacts Facts()
        {
            lock (_lock)
            {
                return new DeviceFacts(device, _gateway, _firstSeen, _lastSeen, _interval, _battery, _rssi);
            }
        }
    }

    private sealed class GatewayEntry(string gateway)
    {
        private readonly Lock _lock = new();
        private GatewayStatus? _status;
        private string? _version;
        private DateTimeOffset? _statusAt;
        private DateTimeOffset? _lastSeen;

        public void Heard(DateTimeOffset now)
        {
            lock (_lock)
            {
                _lastSeen = now;
            }
        }

        public void Status(GatewayStatus status, DateTimeOffset now)
        {
            lock (_lock)
            {
                _status = status;
                // The Last Will carries no version: the gateway still runs the one it last reported.
                _version = status.Version ?? _version;
                _statusAt = now;
                if (status.State == GatewayState.Online)
                {
                    _lastSeen = now;
                }
            }
        }

        public GatewayRecord Record(string site)
        {
            lock (_lock)
            {
                return new GatewayRecord(site, gateway, _lastSeen, _version);
            }
        }

        public void Restore(GatewayRecord record)
        {
            lock (_lock)
            {
                _version ??= record.Version;
                if (_lastSeen is null || record.LastSeen > _lastSeen)
                {
                    _lastSeen = record.LastSeen;
                }
            }
        }

        public GatewaySnapshot Snapshot(string site)
        {
            lock (_lock)
            {
                return new GatewaySnapshot(site, gateway, _status?.State, _status?.Ts, _statusAt, _lastSeen, _version, _status?.Spooled, _status?.Health);
            }
        }
    }
}

/// <summary>A metric's last value and its reading time.</summary>
internal sealed record MetricValue(double Value, DateTimeOffset Ts);

/// <summary>A device as last heard: through which gateway, when first and last (platform clock), its last value per metric.</summary>
internal sealed record DeviceSnapshot(string Site, string Gateway, string Device, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, IReadOnlyDictionary<string, MetricValue> Metrics);

/// <summary>A gateway: its last status (null state when only its readings were seen), when heard, and what it reported (the version: the last one it reported).</summary>
internal sealed record GatewaySnapshot(string Site, string Gateway, GatewayState? State, DateTimeOffset? StatusTs, DateTimeOffset? StatusAt, DateTimeOffset? LastSeen, string? Version, long? Spooled, GatewayHealth? Health);

