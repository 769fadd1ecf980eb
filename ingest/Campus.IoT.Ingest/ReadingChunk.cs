using System.Buffers.Binary;

namespace Campus.IoT.Ingest;

/// <summary>
/// The raw readings of one series in one minute, as the embedded store keeps them in a row of <c>reading_chunks</c>: 12 bytes
/// per reading, ordered by time with no time twice: the reading's offset from the start of the minute in milliseconds
/// (int32, little-endian, 0–59,999), then its value (IEEE 754 double, little-endian). A chunk is what Prometheus and
/// TimescaleDB call a chunk or a compressed batch: one row where a row per reading would cost a B-tree insert each.
/// </summary>
internal static class ReadingChunk
{
    public const int EntrySize = 12;
    public const long SpanMs = 60_000;

    public static int Count(ReadOnlySpan<byte> data) => data.Length / EntrySize;

    public static int OffsetAt(ReadOnlySpan<byte> data, int index) => BinaryPrimitives.ReadInt32LittleEndian(data[(index * EntrySize)..]);

    public static double ValueAt(ReadOnlySpan<byte> data, int index) => BinaryPrimitives.ReadDoubleLittleEndian(data[((index * EntrySize) + 4)..]);

    public static void Put(Span<byte> destination, int offsetMs, double value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, offsetMs);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[4..], value);
    }

    /// <summary>
    /// Checks a stored chunk: whole entries, offsets inside the minute and strictly rising. A chunk that fails was not
    /// written by this store (or the file is damaged): the caller reports it rather than merging into it.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> data)
    {
        if (data.Length % EntrySize != 0)
        {
            return false;
        }

        var last = -1;
        for (var i = 0; i < Count(data); i++)
        {
            var offset = OffsetAt(data, i);
            if (offset <= last || offset >= SpanMs)
            {
                return false;
            }

            last = offset;
        }

        return true;
    }

    /// <summary>Encodes readings of one minute, in time order with no time twice, as a chunk.</summary>
    public static byte[] Encode(long minute, IReadOnlyList<(long Ts, double Value)> readings)
    {
        var data = new byte[readings.Count * EntrySize];
        for (var i = 0; i < readings.Count; i++)
        {
            Put(data.AsSpan(i * EntrySize), checked((int)(readings[i].Ts - minute)), readings[i].Value);
        }

        return data;
    }

    /// <summary>Appends the chunk's readings with <c>from &lt;= ts &lt; to</c> (Unix ms) to <paramref name="into"/>, in time order.</summary>
    public static void Decode(long minute, ReadOnlySpan<byte> data, long from, long to, List<(long Ts, double Value)> into)
    {
        for (var i = 0; i < Count(data); i++)
        {
            var ts = minute + OffsetAt(data, i);
            if (ts >= from && ts < to)
            {
                into.Add((ts, ValueAt(data, i)));
            }
        }
    }
}
