namespace Campus.IoT.Dashboard.Api;

/// <summary>GET /api/devices?site=: the server's clock and the school's devices.</summary>
internal sealed record DevicesDto(string Now, string Site, IReadOnlyList<DeviceDto> Devices);
