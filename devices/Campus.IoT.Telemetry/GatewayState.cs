using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

public enum GatewayState
{
    [JsonStringEnumMemberName("online")] Online,
    [JsonStringEnumMemberName("offline")] Offline,
}
