using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

/// <summary>Event types, normalised from every panel protocol and smoke input.</summary>
public enum EventType
{
    [JsonStringEnumMemberName("fire_alarm")] FireAlarm,
    [JsonStringEnumMemberName("smoke")] Smoke,
    [JsonStringEnumMemberName("heat")] Heat,
    [JsonStringEnumMemberName("manual_call_point")] ManualCallPoint,
    [JsonStringEnumMemberName("waterflow")] Waterflow,
    [JsonStringEnumMemberName("supervisory")] Supervisory,
    [JsonStringEnumMemberName("trouble")] Trouble,
    [JsonStringEnumMemberName("disabled")] Disabled,
    [JsonStringEnumMemberName("power_fault")] PowerFault,
    [JsonStringEnumMemberName("silence")] Silence,
    [JsonStringEnumMemberName("reset")] Reset,
    [JsonStringEnumMemberName("acknowledge")] Acknowledge,
    [JsonStringEnumMemberName("test")] Test,
}
