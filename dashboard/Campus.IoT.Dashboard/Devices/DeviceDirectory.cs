using System.Collections.Concurrent;
using Campus.IoT.Alerting;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// Every gateway and device the platform has heard from, kept in memory from the traffic itself: stored readings
/// (<see cref="IReadingObserver"/>: each device's last value and time per metric, when it was last heard) and gateway
/// status (<see cref="IGatewayStatusObserver"/>: online/offline, version, spool, health). The room and sensor-health views
/// read it. After a restart it fills again as gateways report (a gateway's status is retained at the broker, so gateways
/// reappear at once; a device reappears with its next reading). Thread-safe; bounded by the number of devices.
/// </summary>
internal sealed class DeviceDirectory(TimeProvider time) : IReadingObserver, IGatewayStatusObserver
{
    private readonly ConcurrentDictionary<(string Site, string Device), DeviceEntry> _devices = new();
    private readonly ConcurrentDictionary<(string Site, string Gateway), GatewayEntry> _gateways = new();

    public Task ReadingsStoredAsync(string site, string gateway, IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var r in readings)
        {
            var entry = _devices.GetOrAdd((site, r.Device), key => new DeviceEntry(key.Site, key.Device, now));
            entry.Heard(gateway, r, now);
        }

        _gateways.GetOrAdd((site, gateway), key => new GatewayEntry(key.Site, key.Gateway)).Heard(now);
        return Task.CompletedTask;
    }

    public void GatewayStatus(string site, string gateway, GatewayStatus status) =>
        _gateways.GetOrAdd((site, gateway), key => new GatewayEntry(key.Site, key.Gateway)).Status(status, time.GetUtcNow());

    public IReadOnlyList<string> Sites() =>
        [.. _devices.Keys.Select(k => k.Site).Concat(_gateways.Keys.Select(k => k.Site)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public IReadOnlyList<DeviceSnapshot> Devices(string? site = null) =>
        [.. _devices.Values.Where(d => site is null || d.Site == site).Select(d => d.Snapshot()).OrderBy(d => d.Site, StringComparer.Ordinal).ThenBy(d => d.Device, StringComparer.Ordinal)];

    public IReadOnlyList<GatewaySnapshot> Gateways(string? site = null) =>
        [.. _gateways.Values.Where(g => site is null || g.Site == site).Select(g => g.Snapshot()).OrderBy(g => g.Site, StringComparer.Ordinal).ThenBy(g => g.Gateway, StringComparer.Ordinal)];

    private sealed class DeviceEntry(string site, string device, DateTimeOffset firstSeen)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, MetricValue> _metrics = new(StringComparer.Ordinal);
        private string _gateway = string.Empty;
        private readonly DateTimeOffset _firstSeen = firstSeen;
        private DateTimeOffset _lastSeen = firstSeen;

        public string Site => site;

        public void Heard(string gateway, Reading reading, DateTimeOffset now)
        {
            lock (_lock)
            {
                _gateway = gateway;
                _lastSeen = now;
                // A replayed (older) reading does not replace a newer value.
                if (!_metrics.TryGetValue(reading.Metric, out var last) || last.Ts <= reading.Ts)
                {
                    _metrics[reading.Metric] = new MetricValue(reading.Value, reading.Ts);
                }
            }
        }

        public DeviceSnapshot Snapshot()
        {
            lock (_lock)
            {
                return new DeviceSnapshot(site, _gateway, device, _firstSeen, _lastSeen, new Dictionary<string, MetricValue>(_metrics, StringComparer.Ordinal));
            }
        }
    }

    private sealed class GatewayEntry(string site, string gateway)
    {
        private readonly Lock _lock = new();
        private GatewayStatus? _status;
        private DateTimeOffset? _statusAt;
        private DateTimeOffset? _lastSeen;

        public string Site => site;

        public string Gateway => gateway;

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
                _statusAt = now;
                if (status.State == GatewayState.Online)
                {
                    _lastSeen = now;
                }
            }
        }

        public GatewaySnapshot Snapshot()
        {
            lock (_lock)
            {
                return new GatewaySnapshot(site, gateway, _status?.State, _status?.Ts, _statusAt, _lastSeen, _status?.Version, _status?.Spooled, _status?.Health);
            }
        }
    }
}

/// <summary>A metric's last value and its reading time.</summary>
internal sealed record MetricValue(double Value, DateTimeOffset Ts);

/// <summary>A device as last heard: through which gateway, when first and last (platform clock), its last value per metric.</summary>
internal sealed record DeviceSnapshot(string Site, string Gateway, string Device, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, IReadOnlyDictionary<string, MetricValue> Metrics);

/// <summary>A gateway: its last status (null state when only its readings were seen), when heard, and what it reported.</summary>
internal sealed record GatewaySnapshot(string Site, string Gateway, GatewayState? State, DateTimeOffset? StatusTs, DateTimeOffset? StatusAt, DateTimeOffset? LastSeen, string? Version, long? Spooled, GatewayHealth? Health);
