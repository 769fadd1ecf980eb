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
    /// <summary>A maintenance window ended over a suppressed alarm whose condition is still there: it needs attention again.</summary>
    Resumed,
}
