using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>A device as the directory knows it (GET /api/devices): building, gateway, first and last heard, last value per metric.</summary>
internal sealed record DeviceDto(string Device, string Building, string Gateway, string FirstSeen, string LastSeen, IReadOnlyDictionary<string, MetricValueDto> Metrics)
{
    public static DeviceDto From(DeviceSnapshot d, string building) => new(
        d.Device,
        building,
        d.Gateway,
        Timestamps.Format(d.FirstSeen),
        Timestamps.Format(d.LastSeen),
        d.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(
            m => m.Key,
            m => new MetricValueDto(m.Value.Value, Timestamps.Format(m.Value.Ts), Telemetry.Metrics.IsKnown(m.Key) ? Telemetry.Metrics.UnitOf(m.Key) : string.Empty),
            StringComparer.Ordinal));
}
