using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

public enum EventState
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("cleared")] Cleared,
}
