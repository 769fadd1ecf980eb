using System.Diagnostics.Metrics;

namespace Campus.IoT.Ingest;

/// <summary>The ingest meter: what arrived, what was rejected and why, what was stored.</summary>
internal sealed class IngestMetrics
{
    public const string MeterName = "Campus.IoT.Ingest";

    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _messagesStored;
    private readonly Counter<long> _readingsStored;
    private readonly Counter<long> _eventsStored;
    private readonly Counter<long> _writeFailures;
    private readonly Counter<long> _sequence;
    private readonly Counter<long> _spilled;
    private readonly Counter<long> _spillFailures;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _ackFailures;
    private readonly Meter _meter;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("campus.ingest.messages.received", "{message}", "MQTT messages received, by topic kind");
        _rejected = meter.CreateCounter<long>("campus.ingest.rejected", "{rejection}", "Messages (scope=message) or single readings/events (scope=reading|event) rejected, by reason");
        _messagesStored = meter.CreateCounter<long>("campus.ingest.messages.stored", "{message}", "Messages whose accepted content is durable in the store");
        _readingsStored = meter.CreateCounter<long>("campus.ingest.readings.stored", "{reading}", "Readings written to the store");
        _eventsStored = meter.CreateCounter<long>("campus.ingest.events.stored", "{event}", "Device events written to the store");
        _sequence = meter.CreateCounter<long>("campus.ingest.seq.anomalies", "{message}", "Messages whose seq showed a gap, a duplicate or a gateway spool reset, by kind");
        _writeFailures = meter.CreateCounter<long>("campus.ingest.write.failures", "{failure}", "Store writes that failed and were retried");
        _spilled = meter.CreateCounter<long>("campus.ingest.spilled", "{message}", "Messages written to the disk spill because the store failed or was behind");
        _spillFailures = meter.CreateCounter<long>("campus.ingest.spill.failures", "{failure}", "Writes to the disk spill that failed (the batch stays unacknowledged and is retried)");
        _replayed = meter.CreateCounter<long>("campus.ingest.replayed", "{message}", "Messages replayed from the disk spill into the store");
        _ackFailures = meter.CreateCounter<long>("campus.ingest.ack.failures", "{message}", "Acknowledgements that could not be sent (the broker redelivers; the store ignores the repeat)");
    }

    public void Received(string kind) => _received.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Rejected(string scope, string reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("scope", scope), new KeyValuePair<string, object?>("reason", reason));

    public void Stored(int messages, int readings, int events)
    {
        _messagesStored.Add(messages);
        _readingsStored.Add(readings);
        _eventsStored.Add(events);
    }

    public void WriteFailed() => _writeFailures.Add(1);

    public void Spilled(int messages) => _spilled.Add(messages);

    public void SpillFailed() => _spillFailures.Add(1);

    public void AckFailed() => _ackFailures.Add(1);

    public void Replayed(int messages, int readings, int events)
    {
        _replayed.Add(messages);
        _readingsStored.Add(readings);
        _eventsStored.Add(events);
        _messagesStored.Add(messages);
    }

    /// <summary>Gauges of what waits: messages in memory, and messages and bytes in the disk spill.</summary>
    public void ObserveBacklog(Func<int> queued, Func<long> spilled, Func<long> spilledBytes)
    {
        _meter.CreateObservableGauge("campus.ingest.queue.depth", queued, "{message}", "Messages received and waiting in memory for the writer");
        _meter.CreateObservableGauge("campus.ingest.spill.depth", spilled, "{message}", "Messages waiting in the disk spill for the store");
        _meter.CreateObservableGauge("campus.ingest.spill.bytes", spilledBytes, "By", "Bytes waiting in the disk spill");
    }

    public void Sequence(SeqOutcome outcome) =>
        _sequence.Add(1, new KeyValuePair<string, object?>("kind", outcome switch { SeqOutcome.Gap => "gap", SeqOutcome.Duplicate => "duplicate", _ => "reset" }));
}
