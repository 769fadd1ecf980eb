using System.Text.Json.Serialization;

namespace Campus.IoT.Hazards;

/// <summary>The audit's change sets (<c>{"deadline":["2026-12-01","2026-12-05"]}</c>), source-generated.</summary>
[JsonSerializable(typeof(Dictionary<string, string?[]>))]
internal sealed partial class HazardJsonContext : JsonSerializerContext;
