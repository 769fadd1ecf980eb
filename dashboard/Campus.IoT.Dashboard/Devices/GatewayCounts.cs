namespace Campus.IoT.Dashboard.Devices;

/// <summary>How many gateways of a site are online, offline, or not yet reported (readings seen, no status).</summary>
internal sealed record GatewayCounts(int Total, int Online, int Offline, int Unknown);
