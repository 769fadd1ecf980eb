namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// One school's health in a line: device and gateway counts, seq gaps and duplicates over its gateways, when anything of
/// it was last heard, its lowest battery (%) and weakest signal (dBm) where devices report them.
/// </summary>
internal sealed record SiteHealth(
    string Site,
    SensorCounts Sensors,
    GatewayCounts Gateways,
    long SeqGaps,
    long SeqDuplicates,
    DateTimeOffset? LastSeen,
    double? LowestBattery,
    double? WeakestRssi);
