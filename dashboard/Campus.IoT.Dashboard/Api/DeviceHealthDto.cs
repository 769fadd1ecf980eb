using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>A device's line in GET /api/health/sensors.</summary>
internal sealed record DeviceHealthDto(
    string Device,
    string Building,
    string Gateway,
    string GatewayStatus,
    string Status,
    string[] Reasons,
    double? Battery,
    double? Rssi,
    string FirstSeen,
    string LastSeen,
    double? IntervalSeconds,
    long SeqGaps)
{
    public static DeviceHealthDto From(DeviceHealth d) => new(
        d.Device,
        d.Building,
        d.Gateway,
        d.GatewayStatus.ToWire(),
        d.Status.ToWire(),
        d.Reasons.ToWire(),
        d.Battery,
        d.Rssi,
        Timestamps.Format(d.FirstSeen),
        Timestamps.Format(d.LastSeen),
        d.Interval is { } i ? Math.Round(i.TotalSeconds, 1) : null,
        d.SeqGaps);
}
