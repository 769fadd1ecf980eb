namespace Campus.IoT.Dashboard.Api;

/// <summary>GET /api/health/sensors?site=: the server's clock, the school's summary, its gateways and devices.</summary>
internal sealed record SensorHealthDto(string Now, SiteHealthDto Summary, IReadOnlyList<GatewayHealthDto> Gateways, IReadOnlyList<DeviceHealthDto> Devices);
