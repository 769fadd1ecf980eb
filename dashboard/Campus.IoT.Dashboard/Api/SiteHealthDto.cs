using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// A school's line of the sensor-health view (GET /api/sites, and in every <c>deviceHealthChanged</c>). <c>SiteName</c> is the
/// school's name from <c>Campus:Sites</c> in the API's answers (null when not configured, and in the hub's messages).
/// </summary>
internal sealed record SiteHealthDto(
    string Site,
    SensorCounts Sensors,
    GatewayCounts Gateways,
    long SeqGaps,
    long SeqDuplicates,
    string? LastSeen,
    double? LowestBattery,
    double? WeakestRssi,
    string? SiteName)
{
    public static SiteHealthDto From(SiteHealth s, SiteDirectory? sites = null) =>
        new(s.Site, s.Sensors, s.Gateways, s.SeqGaps, s.SeqDuplicates, s.LastSeen is { } seen ? Timestamps.Format(seen) : null, s.LowestBattery, s.WeakestRssi, sites?.NameOf(s.Site));
}
