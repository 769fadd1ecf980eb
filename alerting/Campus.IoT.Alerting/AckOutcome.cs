namespace Campus.IoT.Alerting;

public enum AckResult
{
    Acknowledged,
    NotFound,
    /// <summary>The alarm exists but is already acknowledged (or closed).</summary>
    NotAcknowledgeable,
}

public sealed record AckOutcome(AckResult Result, Alarm? Alarm);
