using System.Threading.Channels;

namespace Campus.IoT.Ingest;

/// <summary>
/// The bounded hand-off between the MQTT receiver and the store writer. When it is full the receiver waits, which holds back
/// the broker's QoS 1 flow instead of growing memory.
/// </summary>
internal sealed class IngestQueue(int capacity = 10_000)
{
    private readonly Channel<IngestBatch> _channel = Channel.CreateBounded<IngestBatch>(new BoundedChannelOptions(capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = false,
    });

    public int Capacity => capacity;

    public ChannelReader<IngestBatch> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public ValueTask EnqueueAsync(IngestBatch batch, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(batch, cancellationToken);

    /// <summary>No more input: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
