namespace Campus.IoT.Alerting;

/// <summary>
/// Which past alarms to read: those raised in [<see cref="From"/>, <see cref="To"/>), of <see cref="Sites"/> (every site
/// when null), optionally of one severity and one rule, that <see cref="Visible"/> lets through (a room-bound manager sees
/// only their rooms' devices), at most <see cref="Limit"/> of them.
/// </summary>
public sealed record AlarmHistoryQuery(DateTimeOffset From, DateTimeOffset To)
{
    public IReadOnlyCollection<string>? Sites { get; init; }

    public AlarmSeverity? Severity { get; init; }

    public string? Rule { get; init; }

    /// <summary>(site, device) → may the reader see it; null: every alarm of <see cref="Sites"/>.</summary>
    public Func<string, string?, bool>? Visible { get; init; }

    public int Limit { get; init; } = 500;
}

/// <summary>The times of one alarm that needed a person (it was shown unacknowledged), for response-time statistics.</summary>
public sealed record AlarmTiming(string Site, string? Device, AlarmSeverity Severity, DateTimeOffset RaisedAt, DateTimeOffset? AckedAt, DateTimeOffset? ClearedAt);

/// <summary>
/// Response times of one school at one severity over a period: how many alarms needed a person, how many were
/// acknowledged, how long acknowledging and clearing took (median, 90th percentile, longest), and how many were not
/// acknowledged within the target (the fire escalation's first step: 60 s by default).
/// </summary>
public sealed record ResponseTimeRow(
    string Site,
    AlarmSeverity Severity,
    int Count,
    int Acknowledged,
    TimeSpan? AckMedian,
    TimeSpan? AckP90,
    TimeSpan? AckMax,
    int Cleared,
    TimeSpan? ClearMedian,
    TimeSpan? ClearP90,
    int NotAckedInTime);

/// <summary>Time to acknowledge and time to clear, and their statistics per school and severity.</summary>
public static class ResponseTimes
{
    /// <summary>
    /// Acknowledged time minus raised time; null while not acknowledged. The raise is the condition's source time (a
    /// gateway's clock), the acknowledgement the platform's: a gateway clock ahead of the platform's (the decoder allows a
    /// few minutes) would give a negative span, which counts as 0.
    /// </summary>
    public static TimeSpan? ToAcknowledge(DateTimeOffset raisedAt, DateTimeOffset? ackedAt) => Since(raisedAt, ackedAt);

    /// <summary>Cleared time minus raised time; null while not cleared (as <see cref="ToAcknowledge"/>).</summary>
    public static TimeSpan? ToClear(DateTimeOffset raisedAt, DateTimeOffset? clearedAt) => Since(raisedAt, clearedAt);

    /// <summary>
    /// One row per (site, severity), by site then severity (highest first). An alarm counts as not acknowledged in time
    /// when it was acknowledged later than <paramref name="target"/> after its raise, or it is still unacknowledged and
    /// <paramref name="now"/> is past that.
    /// </summary>
    public static IReadOnlyList<ResponseTimeRow> Summarise(IEnumerable<AlarmTiming> alarms, DateTimeOffset now, TimeSpan target) =>
    [
        .. alarms
            .GroupBy(a => (a.Site, a.Severity))
            .OrderBy(g => g.Key.Site, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Severity)
            .Select(g =>
            {
                var acks = g.Select(a => ToAcknowledge(a.RaisedAt, a.AckedAt)).OfType<TimeSpan>().Order().ToList();
                var clears = g.Select(a => ToClear(a.RaisedAt, a.ClearedAt)).OfType<TimeSpan>().Order().ToList();
                var late = g.Count(a => ToAcknowledge(a.RaisedAt, a.AckedAt) is { } took ? took > target : now - a.RaisedAt > target);
                return new ResponseTimeRow(
                    g.Key.Site,
                    g.Key.Severity,
                    g.Count(),
                    acks.Count,
                    Median(acks),
                    Percentile(acks, 90),
                    acks.Count > 0 ? acks[^1] : null,
                    clears.Count,
                    Median(clears),
                    Percentile(clears, 90),
                    late);
            }),
    ];

    /// <summary>The middle value of sorted spans (the mean of the two middle ones for an even count); null when none.</summary>
    public static TimeSpan? Median(IReadOnlyList<TimeSpan> sorted) =>
        sorted.Count == 0 ? null
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
        : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>
    /// Nearest rank: the smallest of the sorted spans that at least <paramref name="percent"/> % of them do not exceed
    /// (rank ⌈percent·n/100⌉, in integers so that no rounding moves it).
    /// </summary>
    public static TimeSpan? Percentile(IReadOnlyList<TimeSpan> sorted, int percent) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((((percent * sorted.Count) + 99) / 100) - 1, 0, sorted.Count - 1)];

    private static TimeSpan? Since(DateTimeOffset raisedAt, DateTimeOffset? at) =>
        at is { } then ? (then > raisedAt ? then - raisedAt : TimeSpan.Zero) : null;
}
