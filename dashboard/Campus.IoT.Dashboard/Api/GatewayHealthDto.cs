using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>A gateway's line in GET /api/health/sensors.</summary>
internal sealed record GatewayHealthDto(
    string Gateway,
    string Status,
    string? LastSeen,
    string? StatusTs,
    string? Version,
    long? Spooled,
    long? UptimeSeconds,
    int Devices,
    long SeqGaps,
    long SeqDuplicates,
    long SeqResets)
{
    public static GatewayHealthDto From(GatewayHealthView g) => new(
        g.Gateway,
        g.Status.ToWire(),
        g.LastSeen is { } seen ? Timestamps.Format(seen) : null,
        g.StatusTs is { } ts ? Timestamps.Format(ts) : null,
        g.Version,
        g.Spooled,
        g.UptimeSeconds,
        g.Devices,
        g.SeqGaps,
        g.SeqDuplicates,
        g.SeqResets);
}
