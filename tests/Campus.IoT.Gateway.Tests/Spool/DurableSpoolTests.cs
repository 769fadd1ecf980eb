using System.Text;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Gateway.Tests.Spool;

public sealed class DurableSpoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-spool-").FullName;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task Appends_get_rising_seq_and_are_peeked_in_order_until_acknowledged()
    {
        using var spool = Open();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i + 1, await spool.AppendAsync(SpoolKind.Telemetry, Payload));
        }

        var peeked = spool.Peek(10);
        Assert.Equal([1L, 2, 3, 4, 5], peeked.Select(r => r.Seq));
        Assert.Equal("seq=3", Encoding.UTF8.GetString(peeked[2].Payload.Span));
        Assert.Equal(5, spool.Stats.Depth);

        spool.Acknowledge(peeked.Take(2).ToList());
        Assert.Equal([3L, 4, 5], spool.Peek(10).Select(r => r.Seq));
        Assert.Equal(3, spool.Stats.Depth);
    }

    [Fact]
    public async Task Unacknowledged_messages_and_seq_survive_a_restart()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                await spool.AppendAsync(SpoolKind.Telemetry, Payload);
            }

            spool.Acknowledge(spool.Peek(4));
        }

        using (var reopened = Open())
        {
            Assert.Equal(10, reopened.LastSeq);
            Assert.Equal([5L, 6, 7, 8, 9, 10], reopened.Peek(100).Select(r => r.Seq));
            Assert.Equal(11, await reopened.AppendAsync(SpoolKind.Events, Payload));
        }
    }

    [Fact]
    public async Task A_hard_kill_loses_nothing_that_was_acknowledged_as_durable()
    {
        // The files as they are while the spool runs are what a kill -9 or power cut leaves behind.
        var crashCopy = Directory.CreateTempSubdirectory("campus-spool-crash-").FullName;
        using (var spool = Open())
        {
            for (var i = 0; i < 200; i++)
            {
                await spool.AppendAsync(i % 10 == 0 ? SpoolKind.Events : SpoolKind.Telemetry, Payload);
            }

            spool.Acknowledge(spool.Peek(50));
            foreach (var file in Directory.GetFiles(_directory))
            {
                using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var target = File.Create(Path.Combine(crashCopy, Path.GetFileName(file)));
                source.CopyTo(target);
            }
        }

        using var recovered = DurableSpool.Open(new SpoolOptions(crashCopy), _logs.CreateLogger("spool"));
        var left = recovered.Peek(1000).Select(r => r.Seq).Order().ToList();
        Assert.Equal(150, left.Count);
        Assert.Equal(200, recovered.LastSeq);
        Assert.Equal(201, await recovered.AppendAsync(SpoolKind.Telemetry, Payload));
        recovered.Dispose();
        Directory.Delete(crashCopy, recursive: true);
    }

    [Fact]
    public async Task Events_overtake_a_telemetry_backlog()
    {
        using var spool = Open();
        for (var i = 0; i < 100; i++)
        {
            await spool.AppendAsync(SpoolKind.Telemetry, Payload);
        }

        var fire = await spool.AppendAsync(SpoolKind.Events, Payload);

        var next = spool.Peek(10);
        Assert.Equal(fire, next[0].Seq);
        Assert.Equal(SpoolKind.Events, next[0].Kind);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8, 9], next.Skip(1).Select(r => r.Seq));
    }

    [Fact]
    public async Task A_torn_record_at_the_end_is_truncated_and_everything_before_it_kept()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 20; i++)
            {
                await spool.AppendAsync(SpoolKind.Telemetry, Payload);
            }
        }

        // Power cut in the middle of a write: half a record header and some of its body.
        var segment = Directory.GetFiles(_directory, "telemetry-*.seg").Order().Last();
        await File.AppendAllBytesAsync(segment, [0x40, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]);

        using var reopened = Open();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), reopened.Peek(100).Select(r => r.Seq));
        Assert.Equal(10, reopened.Stats.RecoveredTruncatedBytes);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 6001);
        Assert.Equal(21, await reopened.AppendAsync(SpoolKind.Telemetry, Payload));
        Assert.Equal(21, reopened.Peek(100)[^1].Seq);
    }

    [Fact]
    public async Task When_full_the_oldest_telemetry_is_dropped_and_counted_and_events_never()
    {
        var options = new SpoolOptions(_directory) { MaxBytes = 64 * 1024, SegmentBytes = 8 * 1024 };
        using var spool = DurableSpool.Open(options, _logs.CreateLogger("spool"));
        var events = new List<long>();
        for (var i = 0; i < 2000; i++)
        {
            var seq = await spool.AppendAsync(i % 50 == 0 ? SpoolKind.Events : SpoolKind.Telemetry, s => new byte[100]);
            if (i % 50 == 0)
            {
                events.Add(seq);
            }
        }

        var stats = spool.Stats;
        Assert.True(stats.DroppedTelemetry > 0);
        Assert.InRange(stats.Bytes, 1, options.MaxBytes + options.SegmentBytes);
        var kept = spool.Peek(5000);
        Assert.Equal(events, kept.Where(r => r.Kind == SpoolKind.Events).Select(r => r.Seq));
        var telemetry = kept.Where(r => r.Kind == SpoolKind.Telemetry).Select(r => r.Seq).ToList();
        Assert.Equal(2000, telemetry[^1]);
        Assert.Equal(telemetry.Count, telemetry[^1] - telemetry[0] + 1 - events.Count(e => e > telemetry[0]));
        Assert.Equal(2000 - events.Count - telemetry.Count, stats.DroppedTelemetry);
        Assert.Contains(_logs.Errors, e => e.EventId.Id == 6002);
    }

    [Fact]
    public async Task Acknowledged_segments_are_deleted()
    {
        using var spool = DurableSpool.Open(new SpoolOptions(_directory) { SegmentBytes = 4096 }, _logs.CreateLogger("spool"));
        for (var i = 0; i < 500; i++)
        {
            await spool.AppendAsync(SpoolKind.Telemetry, s => new byte[64]);
        }

        Assert.True(Directory.GetFiles(_directory, "telemetry-*.seg").Length > 5);
        while (spool.Peek(100) is { Count: > 0 } batch)
        {
            spool.Acknowledge(batch);
        }

        Assert.Single(Directory.GetFiles(_directory, "telemetry-*.seg"));
        Assert.Equal(0, spool.Stats.Depth);
    }

    [Fact]
    public async Task Concurrent_appends_get_unique_contiguous_seq_and_all_survive()
    {
        using (var spool = Open())
        {
            var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 250; i++)
                {
                    await spool.AppendAsync(SpoolKind.Telemetry, Payload);
                }
            }));
            await Task.WhenAll(tasks);
        }

        using var reopened = Open();
        var records = reopened.Peek(5000);
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.All(records, r => Assert.Equal($"seq={r.Seq}", Encoding.UTF8.GetString(r.Payload.Span)));
    }

    [Fact]
    public async Task A_damaged_cursor_replays_what_is_kept_rather_than_losing_it()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                await spool.AppendAsync(SpoolKind.Telemetry, Payload);
            }

            spool.Acknowledge(spool.Peek(3));
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "cursor.json"), "{not json");
        using var reopened = Open();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), reopened.Peek(100).Select(r => r.Seq));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 6004);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Payload(long seq) => Encoding.UTF8.GetBytes($"seq={seq}");

    private DurableSpool Open() => DurableSpool.Open(new SpoolOptions(_directory), _logs.CreateLogger("spool"));
}
