using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Gateway.Spool;

/// <summary>
/// The gateway's store-and-forward queue. Every message is written here before it is published and stays until the broker
/// acknowledges it, so neither a broker outage nor a power cut loses it:
/// <list type="bullet">
/// <item>append-only segment files, CRC-checked records, fsync'd in group commits (appends that arrive during one fsync share
/// the next), a torn tail truncated at start-up;</item>
/// <item><c>seq</c> handed out here, so it rises by one per message and survives restarts;</item>
/// <item>two lanes: events (fire panel, smoke) are read before telemetry, so a live fire event overtakes a replay backlog;</item>
/// <item>bounded: beyond <see cref="SpoolOptions.MaxBytes"/> the oldest telemetry segment is dropped and counted (so the spool
/// holds at most that plus the segment being written); events are never dropped.</item>
/// </list>
/// </summary>
public sealed partial class DurableSpool : IDisposable
{
    private const string CursorFile = "cursor.json";

    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly SpoolLane _events;
    private readonly SpoolLane _telemetry;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushSignal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flusher;
    private List<TaskCompletionSource> _waiters = [];
    private long _lastSeq;
    private long _droppedTelemetry;
    private readonly long _truncatedBytes;
    private readonly long _corruptRecords;

    private DurableSpool(SpoolOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        Directory.CreateDirectory(options.Directory);
        var saved = ReadCursor();
        _events = new SpoolLane(options.Directory, "events");
        _telemetry = new SpoolLane(options.Directory, "telemetry");
        var e = _events.Recover(saved is null ? null : new SpoolPosition(saved.EventsSegment, saved.EventsOffset));
        var t = _telemetry.Recover(saved is null ? null : new SpoolPosition(saved.TelemetrySegment, saved.TelemetryOffset));
        _lastSeq = Math.Max(saved?.LastSeq ?? 0, Math.Max(e.MaxSeq, t.MaxSeq));
        _truncatedBytes = e.TruncatedBytes + t.TruncatedBytes;
        _corruptRecords = e.CorruptRecords + t.CorruptRecords;
        if (_truncatedBytes > 0 || _corruptRecords > 0)
        {
            LogRecovered(_logger, _truncatedBytes, _corruptRecords);
        }

        _flusher = Task.Run(FlushLoopAsync);
    }

    public long LastSeq
    {
        get
        {
            lock (_lock)
            {
                return _lastSeq;
            }
        }
    }

    public SpoolStats Stats
    {
        get
        {
            lock (_lock)
            {
                return new SpoolStats(_events.Depth + _telemetry.Depth, _events.Bytes + _telemetry.Bytes, _lastSeq, _droppedTelemetry, _truncatedBytes, _corruptRecords);
            }
        }
    }

    /// <summary>Opens (and recovers) the spool in <see cref="SpoolOptions.Directory"/>.</summary>
    public static DurableSpool Open(SpoolOptions options, ILogger logger) => new(options, logger);

    /// <summary>
    /// Assigns the next <c>seq</c>, builds the payload with it, appends it and returns once it is on disk. The payload
    /// builder runs under the spool's lock, so records are in <c>seq</c> order.
    /// </summary>
    public async Task<long> AppendAsync(SpoolKind kind, Func<long, byte[]> payloadForSeq, CancellationToken cancellationToken = default)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long seq;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            seq = _lastSeq + 1;
            var record = SpoolFormat.Encode(kind, seq, payloadForSeq(seq));
            (kind == SpoolKind.Events ? _events : _telemetry).Append(record, _options.SegmentBytes);
            _lastSeq = seq;
            _waiters.Add(durable);
            EnforceBound();
        }

        _flushSignal.Release();
        await durable.Task.WaitAsync(cancellationToken);
        return seq;
    }

    /// <summary>The next durable records to publish, events first, without removing them.</summary>
    public IReadOnlyList<SpoolRecord> Peek(int max)
    {
        var records = new List<SpoolRecord>(Math.Min(max, 1024));
        lock (_lock)
        {
            _events.Read(_events.Cursor, max, records);
            _telemetry.Read(_telemetry.Cursor, max - records.Count, records);
        }

        return records;
    }

    /// <summary>
    /// The broker acknowledged these records (a prefix, per kind, of what <see cref="Peek"/> returned): they leave the spool.
    /// The cursor is persisted before any segment is deleted.
    /// </summary>
    public void Acknowledge(IReadOnlyList<SpoolRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            var deletable = new List<(SpoolLane Lane, long Segment)>();
            foreach (var (lane, kind) in new[] { (_events, SpoolKind.Events), (_telemetry, SpoolKind.Telemetry) })
            {
                var acked = records.Where(r => r.Kind == kind).ToList();
                if (acked.Count > 0 && acked[^1].Next > lane.Cursor)
                {
                    deletable.AddRange(lane.Acknowledge(acked[^1].Next, acked.Count).Select(s => (lane, s)));
                }
            }

            WriteCursor();
            foreach (var (lane, segment) in deletable)
            {
                lane.Delete(segment);
            }
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _flusher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        lock (_lock)
        {
            FlushAndRelease();
            WriteCursor();
            _events.Dispose();
            _telemetry.Dispose();
        }

        _flushSignal.Dispose();
        _stop.Dispose();
    }

    private async Task FlushLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _flushSignal.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_lock)
            {
                FlushAndRelease();
            }
        }
    }

    /// <summary>One fsync per lane for every append written since the last one (group commit).</summary>
    private void FlushAndRelease()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        var waiters = _waiters;
        _waiters = [];
        try
        {
            _events.FlushDurable();
            _telemetry.FlushDurable();
            waiters.ForEach(w => w.TrySetResult());
        }
        catch (Exception ex)
        {
            // Disk full or failing: the appends are not durable, and their callers are told so.
            LogFlushFailed(_logger, ex, waiters.Count);
            waiters.ForEach(w => w.TrySetException(new IOException("the spool could not make the message durable", ex)));
        }
    }

    private void EnforceBound()
    {
        // Whole segments go, oldest first; the segment being written stays, so the spool holds at most MaxBytes plus one segment.
        while (_events.Bytes + _telemetry.Bytes > _options.MaxBytes && _telemetry.SegmentCount > 1)
        {
            var lost = _telemetry.DropOldest();
            _droppedTelemetry += lost;
            LogDropped(_logger, lost, _options.MaxBytes);
        }
    }

    private SpoolCursor? ReadCursor()
    {
        var path = Path.Combine(_options.Directory, CursorFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SpoolJsonContext.Default.SpoolCursor);
        }
        catch (JsonException ex)
        {
            // A damaged cursor costs duplicates (replay from the start of what is kept), never loss.
            LogCursorDamaged(_logger, ex.Message);
            return null;
        }
    }

    private void WriteCursor()
    {
        var cursor = new SpoolCursor(_lastSeq, _events.Cursor.Segment, _events.Cursor.Offset, _telemetry.Cursor.Segment, _telemetry.Cursor.Offset);
        var path = Path.Combine(_options.Directory, CursorFile);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, cursor, SpoolJsonContext.Default.SpoolCursor);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Spool recovered after an unclean stop: {TruncatedBytes} bytes of a torn record truncated, {CorruptRecords} damaged segments")]
    private static partial void LogRecovered(ILogger logger, long truncatedBytes, long corruptRecords);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Spool full ({MaxBytes} bytes): dropped the oldest {Records} unsent telemetry messages (events are never dropped)")]
    private static partial void LogDropped(ILogger logger, long records, long maxBytes);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Critical, Message = "Spool fsync failed; {Count} messages are not durable")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Spool cursor file is damaged ({Error}); replaying everything kept")]
    private static partial void LogCursorDamaged(ILogger logger, string error);
}
