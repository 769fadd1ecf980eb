namespace Campus.IoT.Dashboard.Devices;

/// <summary>A gateway's connection as its retained status topic says (the Last Will publishes offline).</summary>
internal enum GatewayLinkStatus
{
    /// <summary>Its readings were seen but no status message yet.</summary>
    Unknown,

    Online,

    Offline,
}
