using System.Collections.Concurrent;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// The recent inputs this node received for each school, newest last: every node subscribes to every school, so when a node
/// dies the node that takes a school over rebuilds its detectors' windows from here (<see cref="SiteRulesGrain"/>).
/// Bounded per school by count and by age (<see cref="AlarmEngine.LateAfter"/>: older inputs are history, not live).
/// </summary>
internal sealed class SiteJournal(TimeProvider time, int capacityPerSite = 4096)
{
    private readonly ConcurrentDictionary<string, Queue<JournalEntry>> _sites = new(StringComparer.Ordinal);

    public void Append(string site, JournalEntry entry)
    {
        var queue = _sites.GetOrAdd(site, _ => new Queue<JournalEntry>());
        lock (queue)
        {
            queue.Enqueue(entry);
            var oldest = time.GetUtcNow() - AlarmEngine.LateAfter;
            while (queue.Count > capacityPerSite || (queue.TryPeek(out var head) && head.ReceivedAt < oldest))
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>The school's inputs received within the live window, oldest first.</summary>
    public IReadOnlyList<JournalEntry> Recent(string site)
    {
        if (!_sites.TryGetValue(site, out var queue))
        {
            return [];
        }

        var oldest = time.GetUtcNow() - AlarmEngine.LateAfter;
        lock (queue)
        {
            return [.. queue.Where(e => e.ReceivedAt >= oldest)];
        }
    }

    /// <summary>Schools this node has heard from.</summary>
    public IEnumerable<string> Sites => _sites.Keys;
}

/// <summary>One input: readings or events (with the gateway's <c>seq</c>), or a gateway status (no seq).</summary>
internal sealed record JournalEntry(string Gateway, long? Seq, Reading[]? Readings, DeviceEvent[]? Events, (bool Online, DateTimeOffset Ts)? Status, DateTimeOffset ReceivedAt);
