using System.Collections.Frozen;

namespace Campus.IoT.Telemetry;

/// <summary>The metrics the contract knows, each with its one fixed unit. Unknown metrics are rejected, never guessed.</summary>
public static class Metrics
{
    public const string Temperature = "temperature";
    public const string Humidity = "humidity";
    public const string SmokeObscuration = "smoke_obscuration";
    public const string Gas = "gas";
    public const string Battery = "battery";
    public const string Rssi = "rssi";
    public const string Voltage = "voltage";

    private static readonly FrozenDictionary<string, string> UnitsByMetric = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Temperature] = "°C",
        [Humidity] = "%RH",
        [SmokeObscuration] = "%/m",
        [Gas] = "ppm",
        [Battery] = "%",
        [Rssi] = "dBm",
        [Voltage] = "V",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Names = UnitsByMetric.Keys.ToFrozenSet(StringComparer.Ordinal);

    public static IEnumerable<string> All => Names;

    public static bool IsKnown(string metric) => UnitsByMetric.ContainsKey(metric);

    /// <summary>Returns the interned constant for a known metric so stored strings are shared.</summary>
    public static bool TryNormalize(string metric, out string known) => Names.TryGetValue(metric, out known!);

    public static string UnitOf(string metric) =>
        UnitsByMetric.TryGetValue(metric, out var unit) ? unit : throw new ArgumentException($"unknown metric '{metric}'", nameof(metric));
}
