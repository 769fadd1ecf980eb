namespace Campus.IoT.Gateway.Spool;

/// <summary>Where the spool lives and how much disk it may take.</summary>
public sealed record SpoolOptions(string Directory)
{
    /// <summary>Upper bound on spooled bytes; beyond it the oldest telemetry is dropped (counted), never events.</summary>
    public long MaxBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Size at which a lane starts a new segment file.</summary>
    public long SegmentBytes { get; init; } = 4L * 1024 * 1024;
}
