using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest;

/// <summary>The accepted content of one MQTT message, on its way to the store.</summary>
internal sealed record IngestBatch(string Site, string Gateway, long Seq, IReadOnlyList<Reading> Readings, IReadOnlyList<DeviceEvent> Events);
