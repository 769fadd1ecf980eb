using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

/// <summary>Source-generated JSON for the wire contract: camelCase members, snake_case enum values, UTC millisecond timestamps.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(TelemetryMessage))]
[JsonSerializable(typeof(EventMessage))]
[JsonSerializable(typeof(GatewayStatus))]
[JsonSerializable(typeof(DeviceEvent))]
public sealed partial class TelemetryJsonContext : JsonSerializerContext;
