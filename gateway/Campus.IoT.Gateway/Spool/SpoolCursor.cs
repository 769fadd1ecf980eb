using System.Text.Json.Serialization;

namespace Campus.IoT.Gateway.Spool;

/// <summary>The persisted state: the last <c>seq</c> handed out and each lane's first unacknowledged record.</summary>
internal sealed record SpoolCursor(long LastSeq, long EventsSegment, long EventsOffset, long TelemetrySegment, long TelemetryOffset);

[JsonSerializable(typeof(SpoolCursor))]
internal sealed partial class SpoolJsonContext : JsonSerializerContext;
