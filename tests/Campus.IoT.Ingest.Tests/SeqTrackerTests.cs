using Campus.IoT.Ingest;

namespace Campus.IoT.Ingest.Tests;

public sealed class SeqTrackerTests
{
    [Fact]
    public void Gaps_duplicates_and_resets_are_told_apart_per_gateway()
    {
        var tracker = new SeqTracker();

        Assert.Equal(SeqOutcome.First, tracker.Observe("s1", "gw-1", 41));
        Assert.Equal(SeqOutcome.InOrder, tracker.Observe("s1", "gw-1", 42));
        Assert.Equal(SeqOutcome.Gap, tracker.Observe("s1", "gw-1", 46));       // 43, 44, 45 never arrived
        Assert.Equal(SeqOutcome.Duplicate, tracker.Observe("s1", "gw-1", 46)); // a replay after a lost PUBACK
        Assert.Equal(SeqOutcome.Duplicate, tracker.Observe("s1", "gw-1", 44)); // late: counted, not a new gap
        Assert.Equal(SeqOutcome.Reset, tracker.Observe("s1", "gw-1", 1));      // the gateway's spool started over
        Assert.Equal(SeqOutcome.First, tracker.Observe("s1", "gw-2", 7));
        Assert.Equal(SeqOutcome.First, tracker.Observe("s2", "gw-1", 1));

        var gw1 = tracker.Snapshot().Single(s => s.Site == "s1" && s.Gateway == "gw-1");
        Assert.Equal(new GatewaySeqSnapshot("s1", "gw-1", 1, 6, 3, 2, 1), gw1);
        Assert.Equal(3, tracker.Snapshot().Count);
    }
}
