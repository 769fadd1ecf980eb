namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// A device as the device directory keeps it across restarts (<see cref="DeviceDirectoryStore"/>): where and when it was
/// heard, its reporting interval, its last value per metric. Times are the platform's clock except <see cref="NewestTs"/>
/// and the metric times, which are the readings' own.
/// </summary>
internal sealed record DeviceRecord(
    string Site,
    string Gateway,
    string Device,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset? NewestTs,
    TimeSpan? Interval,
    IReadOnlyDictionary<string, MetricValue> Metrics);

/// <summary>A gateway as the device directory keeps it across restarts: when last heard and the version it last reported.</summary>
internal sealed record GatewayRecord(string Site, string Gateway, DateTimeOffset? LastSeen, string? Version);
