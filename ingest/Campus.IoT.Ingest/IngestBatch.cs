using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest;

/// <summary>
/// The accepted content of one MQTT message, on its way to the store. <see cref="Acknowledge"/> sends the message's PUBACK:
/// the writer calls it only once the content is durable (in the store or in the disk spill), so a crash before that means
/// the broker delivers the message again, never that it is lost. A message rejected whole travels here too, empty, so that
/// acknowledgements leave in the order the messages arrived, as MQTT requires.
/// </summary>
internal sealed record IngestBatch(string Site, string Gateway, long Seq, IReadOnlyList<Reading> Readings, IReadOnlyList<DeviceEvent> Events)
{
    public Func<CancellationToken, Task>? Acknowledge { get; init; }

    public bool IsEmpty => Readings.Count == 0 && Events.Count == 0;
}
