using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>A school's line of the sensor-health view (GET /api/sites, and in every <c>deviceHealthChanged</c>).</summary>
internal sealed record SiteHealthDto(
    string Site,
    SensorCounts Sensors,
    GatewayCounts Gateways,
    long SeqGaps,
    long SeqDuplicates,
    string? LastSeen,
    double? LowestBattery,
    double? WeakestRssi)
{
    public static SiteHealthDto From(SiteHealth s) =>
        new(s.Site, s.Sensors, s.Gateways, s.SeqGaps, s.SeqDuplicates, s.LastSeen is { } seen ? Timestamps.Format(seen) : null, s.LowestBattery, s.WeakestRssi);
}
