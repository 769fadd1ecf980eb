namespace Campus.IoT.Alerting;

/// <summary>A change to an alarm, with who made it (a rule or a person) and an optional note, for the audit log.</summary>
public sealed record AlarmTransition(AlarmTransitionKind Kind, Alarm Alarm, DateTimeOffset At, string By, string? Note = null)
{
    /// <summary>An update that made the alarm active and unacknowledged again (its condition came back): notified like a raise.</summary>
    public bool Reactivated { get; init; }
}
