namespace Campus.IoT.Telemetry;

/// <summary>Payload of <c>campus/v1/{site}/{gateway}/telemetry</c>.</summary>
public sealed record TelemetryMessage(long Seq, DateTimeOffset Ts, IReadOnlyList<Reading> Readings);
