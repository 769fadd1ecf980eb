namespace Campus.IoT.Telemetry;

/// <summary>Payload of <c>campus/v1/{site}/{gateway}/events</c>.</summary>
public sealed record EventMessage(long Seq, DateTimeOffset Ts, IReadOnlyList<DeviceEvent> Events);
