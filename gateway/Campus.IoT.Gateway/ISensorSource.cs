using Campus.IoT.Telemetry;

namespace Campus.IoT.Gateway;

/// <summary>Something the gateway polls for readings: one configured sensor behind its driver.</summary>
public interface ISensorSource
{
    string Device { get; }

    TimeSpan Interval { get; }

    /// <summary>Reads now; false with a fault reason when the read failed (a counted fault, never a value).</summary>
    bool TryRead(DateTimeOffset now, List<Reading> into, out string? fault);
}
