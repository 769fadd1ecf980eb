namespace Campus.IoT.Dashboard.Devices;

/// <summary>One device's health: where it is, through which gateway it reports, its status and why, battery and signal where known.</summary>
internal sealed record DeviceHealth(
    string Device,
    string Building,
    string Gateway,
    GatewayLinkStatus GatewayStatus,
    SensorStatus Status,
    HealthReasons Reasons,
    double? Battery,
    double? Rssi,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    TimeSpan? Interval,
    long SeqGaps);
