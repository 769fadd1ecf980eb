using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest.Tests;

public sealed class DeadLetterStoreTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-dead-").FullName;

    private string File => Path.Combine(_directory, "ingest.db");

    [Fact]
    public void Keeps_the_newest_rejections_first_up_to_its_capacity_across_a_restart()
    {
        using (var store = new DeadLetterStore(File, capacity: 10))
        {
            for (var i = 0; i < 25; i++)
            {
                store.Add(At.AddSeconds(i), "campus/v1/s/g/telemetry", "message", i % 2 == 0 ? "not_json" : "bad_ts", $"#{i}", null, Bytes($"garbage {i}"));
            }
        }

        using var reopened = new DeadLetterStore(File, capacity: 10);
        var snapshot = reopened.Snapshot();
        Assert.Equal(Enumerable.Range(15, 10).Reverse().Select(i => $"#{i}"), snapshot.Select(r => r.Detail));
        Assert.Equal("garbage 24", snapshot[0].Payload);
        Assert.Equal(At.AddSeconds(24), snapshot[0].ReceivedAt);
        Assert.Equal(["#23", "#21", "#19", "#17", "#15"], reopened.Snapshot(reason: "bad_ts").Select(r => r.Detail));
        Assert.Equal(["#24", "#23"], reopened.Snapshot(limit: 2).Select(r => r.Detail));
    }

    [Fact]
    public void A_large_payload_is_previewed_as_text_and_kept_whole_as_bytes()
    {
        using var store = new DeadLetterStore(File, capacity: 100);
        var payload = new byte[10_000];
        Random.Shared.NextBytes(payload);
        store.Add(At, "t", "reading", "unknown_metric", "big", 2, new ReadOnlySequence<byte>(payload));

        var item = Assert.Single(store.Snapshot());
        Assert.Equal(2, item.Index);
        Assert.Equal(10_000, item.PayloadBytes);
        Assert.EndsWith("(10000 bytes)", item.Payload, StringComparison.Ordinal);
        Assert.Equal(payload, store.Payload(item.Id));
        Assert.Null(store.Payload(item.Id + 1));
    }

    [Fact]
    public void A_payload_beyond_the_size_limit_keeps_its_first_bytes_and_its_true_length()
    {
        using var store = new DeadLetterStore(File, capacity: 100);
        var payload = Encoding.ASCII.GetBytes(new string('x', 2 * 1024 * 1024));
        store.Add(At, "t", "message", "too_large", "2 MiB", null, new ReadOnlySequence<byte>(payload));

        var item = Assert.Single(store.Snapshot());
        Assert.Equal(payload.Length, item.PayloadBytes);
        Assert.Equal(DeadLetterStore.MaxStoredBytes, store.Payload(item.Id)!.Length);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
