using Campus.IoT.Ingest.Spill;
using Campus.IoT.Telemetry;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest.Tests;

public sealed class SpillBufferTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-spill-").FullName;

    private string File => Path.Combine(_directory, "ingest.db");

    [Fact]
    public void Batches_come_back_in_order_with_their_content_after_a_reopen_and_leave_only_when_removed()
    {
        var readings = new IngestBatch("school-01", "gw-1", 7, [new Reading("fridge-1", Metrics.Temperature, 4.25, T0), new Reading("fridge-1", Metrics.Humidity, 61, T0.AddMilliseconds(1))], []);
        var events = new IngestBatch("school-01", "gw-2", 8, [], [new DeviceEvent("panel-main", EventType.FireAlarm, EventState.Active, T0) { Point = "L1D126", Zone = "Z3", Label = "3F lab", Raw = "FIRE L1D126" }]);
        var empty = new IngestBatch("school-01", "gw-1", 9, [], []);
        using (var spill = new SpillBuffer(File))
        {
            spill.Append([readings, empty, events]);
            Assert.Equal(2, spill.Count);
            Assert.True(spill.Bytes > 0);
        }

        using var reopened = new SpillBuffer(File);
        Assert.Equal(2, reopened.Count);
        var chunk = reopened.Peek(10);
        Assert.Equal(2, chunk.Batches.Count);
        Assert.Equal(("school-01", "gw-1", 7L), (chunk.Batches[0].Site, chunk.Batches[0].Gateway, chunk.Batches[0].Seq));
        Assert.Equal(readings.Readings, chunk.Batches[0].Readings);
        Assert.Equal(events.Events, chunk.Batches[1].Events);
        Assert.Equal(2, reopened.Count); // peeking removes nothing

        reopened.Remove(reopened.Peek(1));
        Assert.Equal(1, reopened.Count);
        Assert.Equal(8, reopened.Peek(10).Batches.Single().Seq);
        reopened.Remove(reopened.Peek(10));
        Assert.Equal(0, reopened.Count);
        Assert.Equal(0, reopened.Bytes);
    }

    [Fact]
    public void An_append_into_a_locked_file_throws_and_adds_nothing()
    {
        using var spill = new SpillBuffer(File);
        using var blocker = new SqliteConnection($"Data Source={File};Default Timeout=1");
        blocker.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "PRAGMA busy_timeout = 100; BEGIN EXCLUSIVE;";
            begin.ExecuteNonQuery();
        }

        var batch = new IngestBatch("school-01", "gw-1", 1, [new Reading("d1", Metrics.Temperature, 1, T0)], []);
        spill.SetBusyTimeout(200);
        Assert.Throws<SqliteException>(() => spill.Append([batch]));
        Assert.Equal(0, spill.Count);

        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        spill.Append([batch]);
        Assert.Equal(1, spill.Count);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
