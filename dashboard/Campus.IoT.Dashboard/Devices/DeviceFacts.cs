namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// The health view's facts about one device: its gateway, first and last heard (platform clock), its learnt reporting
/// interval (null until it has reported twice), its last battery (%) and signal (dBm) when it reports them.
/// </summary>
internal readonly record struct DeviceFacts(string Device, string Gateway, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, TimeSpan? Interval, double? Battery, double? Rssi);
