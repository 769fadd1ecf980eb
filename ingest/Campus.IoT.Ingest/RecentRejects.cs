using System.Buffers;
using System.Text;

namespace Campus.IoT.Ingest;

/// <summary>The last rejected messages, bounded, for operators (<c>GET /api/ingest/rejects</c>).</summary>
internal sealed class RecentRejects(int capacity = 200)
{
    private const int MaxPayloadChars = 4096;
    private readonly Queue<RejectedMessage> _items = new();
    private readonly Lock _lock = new();

    public void Add(DateTimeOffset at, string topic, string scope, string reason, string detail, int? index, ReadOnlySequence<byte> payload)
    {
        var length = (int)Math.Min(payload.Length, MaxPayloadChars);
        var text = Encoding.UTF8.GetString(payload.Slice(0, length));
        if (payload.Length > length)
        {
            text += $"… ({payload.Length} bytes)";
        }

        lock (_lock)
        {
            _items.Enqueue(new RejectedMessage(at, topic, scope, reason, detail, index, text));
            while (_items.Count > capacity)
            {
                _items.Dequeue();
            }
        }
    }

    public IReadOnlyList<RejectedMessage> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items.Reverse()];
        }
    }
}
