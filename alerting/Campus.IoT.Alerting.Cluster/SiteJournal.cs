using System.Collections.Concurrent;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// The recent inputs this node received for each school, oldest first: every node subscribes to every school, so the node
/// that takes a school over rebuilds its detectors' windows from here (<see cref="SiteRulesGrain"/>). Bounded per school by
/// count (<see cref="CapacityPerSite"/>) and by age (<see cref="MaxAge"/>: longer than the built-in held conditions of
/// cold storage, 10 min, and freezers, 15 min).
/// </summary>
internal sealed class SiteJournal(TimeProvider time)
{
    public const int CapacityPerSite = 8192;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, Queue<JournalEntry>> _sites = new(StringComparer.Ordinal);

    public void Append(string site, JournalEntry entry)
    {
        var queue = _sites.GetOrAdd(site, _ => new Queue<JournalEntry>());
        lock (queue)
        {
            queue.Enqueue(entry);
            var oldest = time.GetUtcNow() - MaxAge;
            while (queue.Count > CapacityPerSite || (queue.TryPeek(out var head) && head.ReceivedAt < oldest))
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>The school's inputs received within <see cref="MaxAge"/>, oldest first.</summary>
    public IReadOnlyList<JournalEntry> Recent(string site)
    {
        if (!_sites.TryGetValue(site, out var queue))
        {
            return [];
        }

        var oldest = time.GetUtcNow() - MaxAge;
        lock (queue)
        {
            return [.. queue.Where(e => e.ReceivedAt >= oldest)];
        }
    }

    /// <summary>Schools this node has heard from.</summary>
    public IEnumerable<string> Sites => _sites.Keys;
}

/// <summary>One input: readings or events (with the gateway's message id), or a gateway status (none).</summary>
internal sealed record JournalEntry(string Gateway, MessageId? Message, Reading[]? Readings, DeviceEvent[]? Events, (bool Online, DateTimeOffset Ts)? Status, DateTimeOffset ReceivedAt);
