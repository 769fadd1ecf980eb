namespace Campus.IoT.Dashboard.Devices;

/// <summary>How many devices of a site (or building) are in each status.</summary>
internal sealed record SensorCounts(int Total, int Online, int Stale, int Faulty, int Offline);
