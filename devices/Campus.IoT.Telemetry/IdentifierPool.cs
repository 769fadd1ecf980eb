using System.Collections.Concurrent;

namespace Campus.IoT.Telemetry;

/// <summary>
/// One string per valid identifier (<see cref="Identifier"/>), looked up by its UTF-8 bytes without allocating: a gateway
/// names the same devices in every message, so the decoder hands out the same strings instead of allocating a new one per
/// reading. Bounded: past <c>capacity</c> distinct identifiers it starts over (an identifier then costs one allocation
/// again). Safe for concurrent decoders.
/// </summary>
internal sealed class IdentifierPool
{
    private readonly ConcurrentDictionary<string, string> _strings;
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _capacity;
    private int _count;

    public IdentifierPool()
        : this(65_536)
    {
    }

    public IdentifierPool(int capacity)
    {
        _capacity = capacity;
        _strings = new(StringComparer.Ordinal);
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The pooled string for <paramref name="utf8"/>, or false when it is not a valid identifier.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out string value)
    {
        value = string.Empty;
        if (utf8.IsEmpty || utf8.Length > Identifier.MaxLength)
        {
            return false;
        }

        // Valid identifiers are ASCII, one char per byte.
        Span<char> chars = stackalloc char[Identifier.MaxLength];
        for (var i = 0; i < utf8.Length; i++)
        {
            chars[i] = (char)utf8[i];
        }

        var text = chars[..utf8.Length];
        if (!Identifier.IsValid(text))
        {
            return false;
        }

        if (_lookup.TryGetValue(text, out var pooled))
        {
            value = pooled;
            return true;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            _strings.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        value = _strings.GetOrAdd(new string(text), static s => s);
        return true;
    }
}
