using Campus.IoT.Ingest;

namespace Campus.IoT.Ingest.Tests;

public sealed class ReadingChunkTests
{
    private const long Minute = 1_795_000_020_000; // a minute's start, Unix ms

    [Fact]
    public void Entries_are_offset_int32_then_value_double_both_little_endian()
    {
        var data = Chunk((1_234, 21.5));

        // 0x000004D2 = 1234, then 21.5 = 0x4035800000000000.
        Assert.Equal(new byte[] { 0xD2, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x35, 0x40 }, data);
        Assert.Equal(1, ReadingChunk.Count(data));
        Assert.Equal(1_234, ReadingChunk.OffsetAt(data, 0));
        Assert.Equal(21.5, ReadingChunk.ValueAt(data, 0));
    }

    [Fact]
    public void Decode_returns_the_readings_in_range_in_time_order()
    {
        var data = Chunk((0, 1), (10_000, 2), (59_999, 3));
        var into = new List<(long Ts, double Value)>();

        ReadingChunk.Decode(Minute, data, Minute + 1, Minute + 59_999, into);

        Assert.Equal([(Minute + 10_000, 2.0)], into);
        into.Clear();
        ReadingChunk.Decode(Minute, data, long.MinValue, long.MaxValue, into);
        Assert.Equal(data, ReadingChunk.Encode(Minute, into)); // and back
    }

    [Fact]
    public void A_valid_chunk_has_whole_entries_with_offsets_rising_inside_the_minute()
    {
        Assert.True(ReadingChunk.IsValid([]));
        Assert.True(ReadingChunk.IsValid(Chunk((0, 1), (59_999, 2))));
        Assert.False(ReadingChunk.IsValid(Chunk((0, 1)).AsSpan(0, 11))); // a cut entry
        Assert.False(ReadingChunk.IsValid(Chunk((5, 1), (5, 2))));     // a time twice
        Assert.False(ReadingChunk.IsValid(Chunk((6, 1), (5, 2))));     // out of order
        Assert.False(ReadingChunk.IsValid(Chunk((60_000, 1))));        // the next minute
        Assert.False(ReadingChunk.IsValid(Chunk((-1, 1))));            // before the minute
    }

    private static byte[] Chunk(params (int Offset, double Value)[] entries)
    {
        var data = new byte[entries.Length * ReadingChunk.EntrySize];
        for (var i = 0; i < entries.Length; i++)
        {
            ReadingChunk.Put(data.AsSpan(i * ReadingChunk.EntrySize), entries[i].Offset, entries[i].Value);
        }

        return data;
    }
}
