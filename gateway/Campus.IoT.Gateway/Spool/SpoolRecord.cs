namespace Campus.IoT.Gateway.Spool;

/// <summary>One spooled message: its <c>seq</c>, kind and the exact payload to publish (with its original <c>ts</c>).</summary>
public sealed record SpoolRecord(long Seq, SpoolKind Kind, ReadOnlyMemory<byte> Payload)
{
    internal SpoolPosition Next { get; init; }
}
