using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

/// <summary>
/// The gateway's periodic health, carried in its retained status message: how long it has run, its CPU temperature where
/// the board reports one, and the read errors per device since start.
/// </summary>
public sealed record GatewayHealth(long UptimeSeconds)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CpuTemperature { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, long>? ReadErrors { get; init; }

    /// <summary>Readings held back because the gateway's clock was not set (a year before 2024).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ClockHeld { get; init; }
}
