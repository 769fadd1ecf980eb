namespace Campus.IoT.Telemetry;

/// <summary>Bounds on what one MQTT message may carry.</summary>
public sealed record PayloadLimits
{
    public static PayloadLimits Default { get; } = new();

    /// <summary>Largest payload accepted, in bytes (256 KiB).</summary>
    public int MaxPayloadBytes { get; init; } = 256 * 1024;

    /// <summary>Most readings or events in one message.</summary>
    public int MaxItems { get; init; } = 1000;

    /// <summary>How far ahead of the receiver's clock a <c>ts</c> may be (clock skew allowance).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);
}
