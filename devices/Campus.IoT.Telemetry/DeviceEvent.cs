using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

/// <summary>A smoke-input or fire-panel event. <see cref="Raw"/> keeps the panel's original text or hex.</summary>
public sealed record DeviceEvent(string Device, EventType Type, EventState State, DateTimeOffset Ts)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Point { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Zone { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Raw { get; init; }
}
