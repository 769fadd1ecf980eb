using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Campus.IoT.Ingest.Spill;
using Campus.IoT.Telemetry;
using Campus.IoT.Tests.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Ingest.Tests;

/// <summary>
/// The writer's batch linger (<see cref="IngestOptions.BatchLinger"/>): a batch that is not full waits, on the injected clock,
/// for more messages before it is written; a full batch and a batch at shutdown do not wait. Each store write is observed
/// through the <c>campus.ingest.messages.stored</c> counter (one measurement per write), the store is the real SQLite one.
/// </summary>
public sealed class IngestWriterLingerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-linger-").FullName;
    private readonly FakeTimeProvider _time = new(T0);
    private readonly IngestQueue _queue = new(100);
    private readonly TestMeterFactory _meters = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<long> _writes = new();
    private SqliteReadingStore? _store;
    private SpillBuffer? _spill;
    private IngestWriter? _writer;
    private long _seq;

    public Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, _meters) && instrument.Name == "campus.ingest.messages.stored")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _writes.Enqueue(value));
        _listener.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_writer is not null)
        {
            _queue.Complete();
            await _writer.StopAsync(CancellationToken.None);
            _writer.Dispose();
        }

        _listener.Dispose();
        _meters.Dispose();
        _store?.Dispose();
        _spill?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_batch_that_is_not_full_waits_the_linger_for_more_messages_and_is_written_once()
    {
        await StartAsync(maxBatch: 10);
        await EnqueueAsync(3);
        await Eventually.True(() => _queue.Count == 0, "the writer taking the first three messages");

        // Taken, lingering: two more arrive before the linger ends and join the same write.
        await EnqueueAsync(2);
        await Eventually.True(() => _queue.Count == 0, "the writer topping the batch up");
        Assert.Empty(_writes);
        Assert.Equal(0, _store!.CountReadings());

        _time.Advance(Linger);
        await Eventually.True(() => !_writes.IsEmpty, "the write after the linger");
        Assert.Equal([5L], _writes);
        Assert.Equal(5, _store.CountReadings());
    }

    [Fact]
    public async Task A_pause_in_the_stream_ends_the_linger_early()
    {
        await StartAsync(maxBatch: 10);
        await EnqueueAsync(3);
        await Eventually.True(() => _queue.Count == 0, "the writer taking the messages");
        Assert.Empty(_writes);

        // Nothing arrives for a tenth of the linger: the batch goes without waiting for the rest of it.
        _time.Advance(Linger / 10);
        await Eventually.True(() => !_writes.IsEmpty, "the write after the pause");
        Assert.Equal([3L], _writes);
        Assert.Equal(3, _store!.CountReadings());
    }

    [Fact]
    public async Task Messages_that_keep_coming_are_batched_until_the_linger_ends()
    {
        await StartAsync(maxBatch: 100, start: false);
        await EnqueueAsync(10);
        await StartWriterAsync();
        await Eventually.True(() => _queue.Count == 0, "the writer taking the first ten messages");

        // A message every 5 ms (under the 10 ms pause) for 95 ms: all of it lingers in one batch.
        for (var step = 0; step < 19; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(5));
            await EnqueueAsync(1);
            await Eventually.True(() => _queue.Count == 0, "the writer topping the batch up");
        }

        Assert.Empty(_writes);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        await Eventually.True(() => !_writes.IsEmpty, "the write when the linger ends");
        Assert.Equal([29L], _writes);
    }

    [Fact]
    public async Task At_a_school_s_rate_a_message_is_written_as_it_arrives()
    {
        // Fewer than a tenth of a batch waiting: the stream is not busy, nothing lingers (the clock never moves).
        await StartAsync(maxBatch: 100);
        await EnqueueAsync(1);
        await Eventually.True(() => !_writes.IsEmpty, "the write of the single message");
        Assert.Equal([1L], _writes);
        Assert.Equal(1, _store!.CountReadings());
    }

    [Fact]
    public async Task A_full_batch_is_written_without_waiting_for_the_linger()
    {
        await StartAsync(maxBatch: 4);
        await EnqueueAsync(4);

        // The clock never moves: only a full batch can be written.
        await Eventually.True(() => !_writes.IsEmpty, "the write of the full batch");
        Assert.Equal([4L], _writes);
        Assert.Equal(4, _store!.CountReadings());
    }

    [Fact]
    public async Task At_shutdown_a_lingering_batch_is_written_at_once()
    {
        await StartAsync(maxBatch: 10);
        await EnqueueAsync(2);
        await Eventually.True(() => _queue.Count == 0, "the writer taking the messages");

        // The consumer completes the queue at shutdown; the clock never moves.
        _queue.Complete();
        await Eventually.True(() => !_writes.IsEmpty, "the write at shutdown");
        Assert.Equal([2L], _writes);
        Assert.Equal(2, _store!.CountReadings());
    }

    [Fact]
    public async Task With_no_linger_what_is_queued_is_written_at_once()
    {
        await StartAsync(maxBatch: 10, linger: TimeSpan.Zero);
        await EnqueueAsync(3);
        await Eventually.True(() => _writes.Sum() == 3, "the write of the three messages");
        Assert.Equal(3, _store!.CountReadings());
    }

    /// <summary>Creates the writer and starts it, unless <paramref name="start"/> is false (see <see cref="StartWriterAsync"/>).</summary>
    private async Task StartAsync(int maxBatch, TimeSpan? linger = null, bool start = true)
    {
        _store = new SqliteReadingStore(Path.Combine(_directory, "readings.db"));
        _spill = new SpillBuffer(Path.Combine(_directory, "ingest.db"));
        var options = new IngestOptions { MaxBatchMessages = maxBatch, BatchLinger = linger ?? Linger };
        Assert.Empty(options.Validate());
        _writer = new IngestWriter(_queue, _store, _spill, [], new IngestMetrics(_meters), Options.Create(options), _time, NullLogger<IngestWriter>.Instance);
        if (start)
        {
            await StartWriterAsync();
        }
    }

    private Task StartWriterAsync() => _writer!.StartAsync(CancellationToken.None);

    private async Task EnqueueAsync(int messages)
    {
        for (var i = 0; i < messages; i++)
        {
            var seq = ++_seq;
            await _queue.EnqueueAsync(new IngestBatch("school-01", "gw-1", seq, [new Reading("fridge-1", Metrics.Temperature, 4 + (seq / 10.0), T0.AddSeconds(seq))], []), CancellationToken.None);
        }
    }
}
