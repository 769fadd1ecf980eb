using System.Text.Json;
using System.Text.Json.Serialization;

namespace Campus.IoT.Telemetry;

/// <summary>Writes RFC 3339 UTC with exactly three fraction digits (<c>2026-11-28T17:40:00.125Z</c>).</summary>
public sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Timestamps.TryParse(reader.GetString(), out var ts) ? ts : throw new JsonException("ts is not an RFC 3339 timestamp");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamps.Format(value));
}
