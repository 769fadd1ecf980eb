using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>
/// One alarm: a rule's condition on one source (site, gateway, device, panel point). There is at most one alarm per
/// <see cref="AlarmKey"/> that is not cleared; repeats update it. Times: <see cref="RaisedAt"/> is the source time of the
/// condition, the other times are the platform clock when the change was made.
/// </summary>
public sealed record Alarm
{
    public required string Id { get; init; }

    public required string Rule { get; init; }

    public required string Site { get; init; }

    public required string Gateway { get; init; }

    /// <summary>Absent for an alarm about a gateway itself.</summary>
    public string? Device { get; init; }

    public string? Point { get; init; }

    public string? Zone { get; init; }

    public string? Label { get; init; }

    /// <summary>The event type that raised it, for event rules.</summary>
    public EventType? Type { get; init; }

    /// <summary>The metric and the latest value, for reading rules.</summary>
    public string? Metric { get; init; }

    public double? Value { get; init; }

    public required AlarmSeverity Severity { get; init; }

    public required AlarmState State { get; init; }

    public required DateTimeOffset RaisedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? AckedAt { get; init; }

    public string? AckedBy { get; init; }

    public string? AckNote { get; init; }

    public DateTimeOffset? ClearedAt { get; init; }

    /// <summary>How many times the condition was reported while this alarm was open.</summary>
    public int Count { get; init; } = 1;

    public int EscalationLevel { get; init; }

    /// <summary>While shelved: when the shelf expires and the alarm returns to <see cref="ShelvedFrom"/>.</summary>
    public DateTimeOffset? ShelvedUntil { get; init; }

    /// <summary>While shelved: the state it had when it was shelved.</summary>
    public AlarmState? ShelvedFrom { get; init; }

    /// <summary>
    /// When the escalation ladder started: the platform clock when it raised the alarm (a late event's source time would
    /// climb the whole ladder at once before any guard had seen it). Null in rows from before it was kept: then <see cref="RaisedAt"/>.
    /// </summary>
    public DateTimeOffset? EscalationFrom { get; init; }

    /// <summary>The condition bounced often enough to count as flapping (<see cref="Rules.FlappingPolicy"/>).</summary>
    public bool Flapping { get; init; }

    /// <summary>While flapping: when the condition cleared; the alarm clears once it has stayed clear for the settle time.</summary>
    public DateTimeOffset? ClearPendingSince { get; init; }

    /// <summary>When the next escalation step is due while the alarm is active and unacknowledged (the board's countdown).</summary>
    public DateTimeOffset? NextEscalationAt { get; init; }

    /// <summary>While suppressed by a maintenance window: that window's id.</summary>
    public string? Maintenance { get; init; }

    public AlarmKey Key => new(Rule, Site, Gateway, Device, Point);
}
