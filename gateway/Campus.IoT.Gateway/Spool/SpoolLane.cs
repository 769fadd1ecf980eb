using System.Globalization;

namespace Campus.IoT.Gateway.Spool;

/// <summary>
/// One lane of the spool: numbered append-only segment files, a cursor at the first unacknowledged record and the end of
/// what is durable. Not thread-safe: <see cref="DurableSpool"/> serialises every call.
/// </summary>
internal sealed class SpoolLane : IDisposable
{
    private readonly string _directory;
    private readonly string _prefix;
    private readonly SortedDictionary<long, long> _segmentLengths = [];
    private FileStream? _writer;
    private long _writeSegment;
    private FileStream? _reader;
    private long _readerSegment = -1;

    public SpoolLane(string directory, string prefix)
    {
        _directory = directory;
        _prefix = prefix;
    }

    /// <summary>The first record not yet acknowledged.</summary>
    public SpoolPosition Cursor { get; private set; }

    /// <summary>The end of what has been written and fsync'd.</summary>
    public SpoolPosition Committed { get; private set; }

    /// <summary>Records appended but not yet acknowledged.</summary>
    public long Depth { get; private set; }

    public long Bytes => _segmentLengths.Values.Sum();

    public int SegmentCount => _segmentLengths.Count;

    /// <summary>Scans the lane's segments, truncates a torn tail, places the cursor, and returns what it found.</summary>
    public (long MaxSeq, long TruncatedBytes, long CorruptRecords) Recover(SpoolPosition? savedCursor)
    {
        long maxSeq = 0, truncated = 0, corrupt = 0;
        foreach (var path in Directory.EnumerateFiles(_directory, _prefix + "-*.seg"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name.AsSpan(_prefix.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                _segmentLengths[number] = new FileInfo(path).Length;
            }
        }

        var last = _segmentLengths.Count > 0 ? _segmentLengths.Keys.Max() : 0;
        foreach (var number in _segmentLengths.Keys.ToList())
        {
            using var stream = new FileStream(PathOf(number), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            while (SpoolFormat.TryRead(stream, out _, out var seq, out _, out _))
            {
                maxSeq = Math.Max(maxSeq, seq);
            }

            var good = stream.Position;
            if (good < stream.Length)
            {
                if (number == last)
                {
                    // A write cut short by power loss: drop the partial record, keep everything before it.
                    truncated += stream.Length - good;
                    stream.SetLength(good);
                    stream.Flush(flushToDisk: true);
                }
                else
                {
                    // Damage inside an older segment: what follows the damage in it cannot be trusted.
                    corrupt++;
                }

                _segmentLengths[number] = good;
            }
        }

        _writeSegment = _segmentLengths.Count > 0 ? last : 1;
        _segmentLengths.TryAdd(_writeSegment, 0);

        // The saved cursor, clamped to what survived; if its segment is gone (fully acknowledged and deleted), the next one.
        Cursor = savedCursor is { } c && _segmentLengths.TryGetValue(c.Segment, out var length)
            ? new SpoolPosition(c.Segment, Math.Min(c.Offset, length))
            : new SpoolPosition(_segmentLengths.Keys.FirstOrDefault(n => n >= (savedCursor?.Segment ?? 0), _segmentLengths.Keys.Min()), 0);
        Committed = new SpoolPosition(_writeSegment, _segmentLengths[_writeSegment]);
        _writer = new FileStream(PathOf(_writeSegment), FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
        Depth = CountFrom(Cursor);
        return (maxSeq, truncated, corrupt);
    }

    /// <summary>Writes a record (not yet durable: see <see cref="FlushDurable"/>), starting a new segment when this one is full.</summary>
    public void Append(byte[] record, long segmentBytes)
    {
        if (_segmentLengths[_writeSegment] > 0 && _segmentLengths[_writeSegment] + record.Length > segmentBytes)
        {
            Roll();
        }

        _writer!.Write(record);
        _segmentLengths[_writeSegment] += record.Length;
        Depth++;
    }

    /// <summary>Forces what was appended to the disk (fsync) and moves the committed end.</summary>
    public void FlushDurable()
    {
        var end = new SpoolPosition(_writeSegment, _segmentLengths[_writeSegment]);
        if (end == Committed)
        {
            return;
        }

        _writer!.Flush(flushToDisk: true);
        Committed = end;
    }

    /// <summary>Reads up to <paramref name="max"/> committed records from <paramref name="from"/>.</summary>
    public void Read(SpoolPosition from, int max, List<SpoolRecord> into)
    {
        var position = from;
        while (max > 0 && position < Committed)
        {
            if (!_segmentLengths.TryGetValue(position.Segment, out var length) || position.Offset >= length)
            {
                var next = _segmentLengths.Keys.FirstOrDefault(n => n > position.Segment);
                if (next == 0)
                {
                    return;
                }

                position = new SpoolPosition(next, 0);
                continue;
            }

            var reader = ReaderFor(position.Segment);
            reader.Position = position.Offset;
            if (!SpoolFormat.TryRead(reader, out var kind, out var seq, out var payload, out var bytes))
            {
                // Unreadable committed data (damage found at recovery): skip to the next segment.
                position = new SpoolPosition(position.Segment, length);
                continue;
            }

            position = new SpoolPosition(position.Segment, position.Offset + bytes);
            into.Add(new SpoolRecord(seq, kind, payload) { Next = position });
            max--;
        }
    }

    /// <summary>Moves the cursor past acknowledged records and returns the segments it has left behind (to delete).</summary>
    public List<long> Acknowledge(SpoolPosition next, int records)
    {
        Cursor = next;
        Depth -= records;
        return _segmentLengths.Keys.Where(n => n < Cursor.Segment && n != _writeSegment).ToList();
    }

    public void Delete(long segment)
    {
        if (segment == _readerSegment)
        {
            _reader?.Dispose();
            _reader = null;
            _readerSegment = -1;
        }

        _segmentLengths.Remove(segment);
        File.Delete(PathOf(segment));
    }

    /// <summary>Drops the oldest segment, never the one being written, and returns the unacknowledged records lost with it.</summary>
    public long DropOldest()
    {
        var oldest = _segmentLengths.Keys.Min();
        if (oldest == _writeSegment)
        {
            return 0;
        }

        var lost = Cursor.Segment > oldest ? 0 : CountFrom(Cursor.Segment == oldest ? Cursor : new SpoolPosition(oldest, 0), oldest);
        Delete(oldest);
        if (Cursor.Segment <= oldest)
        {
            Cursor = new SpoolPosition(_segmentLengths.Keys.Min(), 0);
        }

        Depth -= lost;
        return lost;
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _reader?.Dispose();
    }

    private void Roll()
    {
        // Closing a segment makes all of it durable.
        _writer!.Flush(flushToDisk: true);
        _writer.Dispose();
        Committed = new SpoolPosition(_writeSegment, _segmentLengths[_writeSegment]);
        _writeSegment++;
        _segmentLengths[_writeSegment] = 0;
        _writer = new FileStream(PathOf(_writeSegment), FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
    }

    private long CountFrom(SpoolPosition from, long? onlySegment = null)
    {
        long count = 0;
        foreach (var (number, length) in _segmentLengths.Where(s => s.Key >= from.Segment && (onlySegment is null || s.Key == onlySegment)))
        {
            using var stream = new FileStream(PathOf(number), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Position = number == from.Segment ? from.Offset : 0;
            while (stream.Position < length && SpoolFormat.TryRead(stream, out _, out _, out _, out _))
            {
                count++;
            }
        }

        return count;
    }

    private FileStream ReaderFor(long segment)
    {
        if (_readerSegment != segment)
        {
            _reader?.Dispose();
            _reader = new FileStream(PathOf(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            _readerSegment = segment;
        }

        return _reader!;
    }

    private string PathOf(long segment) => Path.Combine(_directory, $"{_prefix}-{segment.ToString("D10", CultureInfo.InvariantCulture)}.seg");
}
