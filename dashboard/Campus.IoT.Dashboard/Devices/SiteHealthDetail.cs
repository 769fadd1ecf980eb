namespace Campus.IoT.Dashboard.Devices;

/// <summary>One school in full: its summary, every gateway and every device (those the user may see).</summary>
internal sealed record SiteHealthDetail(SiteHealth Summary, IReadOnlyList<GatewayHealthView> Gateways, IReadOnlyList<DeviceHealth> Devices);
