using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

/// <summary>Retained payload of <c>campus/v1/{site}/{gateway}/status</c>; the MQTT Last Will publishes <c>offline</c>.</summary>
public sealed record GatewayStatus(GatewayState State, DateTimeOffset Ts)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Spooled { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GatewayHealth? Health { get; init; }
}
