namespace Campus.IoT.Hazards;

/// <summary>
/// An alarm raise the feed saw, kept for the repeat rule (the same device raising N alarms within M days opens a hazard)
/// whether or not it was linked to a hazard. Rows older than the rule's window are pruned as new raises arrive.
/// </summary>
public sealed class HazardAlarmRaise
{
    public required string AlarmId { get; set; }

    public required string Site { get; set; }

    /// <summary>The device, or the gateway for an alarm about a gateway itself.</summary>
    public required string Device { get; set; }

    public required string Rule { get; set; }

    public required string Severity { get; set; }

    public DateTimeOffset RaisedAt { get; set; }

    /// <summary>Whether the alarm is still active as of the last transition the feed saw (copied to its link when linked later).</summary>
    public bool Active { get; set; }
}
