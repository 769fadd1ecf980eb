namespace Campus.IoT.Alerting;

public enum AlarmTransitionKind
{
    Raised,
    /// <summary>The condition repeated, re-activated or changed value on an alarm that is not cleared.</summary>
    Updated,
    Escalated,
    Acknowledged,
    Cleared,
    Suppressed,
    Shelved,
    Unshelved,
}
