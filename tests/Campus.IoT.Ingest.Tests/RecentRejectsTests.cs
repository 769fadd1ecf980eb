using System.Buffers;
using System.Text;
using Campus.IoT.Ingest;

namespace Campus.IoT.Ingest.Tests;

public sealed class RecentRejectsTests
{
    [Fact]
    public void Keeps_the_newest_rejects_first_up_to_its_capacity_with_payloads_truncated()
    {
        var rejects = new RecentRejects(capacity: 3);
        var at = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            rejects.Add(at.AddSeconds(i), $"campus/v1/s/g/telemetry", "message", "not_json", $"#{i}", null, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes($"garbage {i}")));
        }

        rejects.Add(at.AddSeconds(9), "t", "reading", "unknown_metric", "big", 2, new ReadOnlySequence<byte>(new byte[10_000]));

        var snapshot = rejects.Snapshot();
        Assert.Equal(3, snapshot.Count);
        Assert.Equal(["big", "#4", "#3"], snapshot.Select(r => r.Detail));
        Assert.EndsWith("(10000 bytes)", snapshot[0].Payload, StringComparison.Ordinal);
        Assert.Equal(2, snapshot[0].Index);
    }
}
