namespace Campus.IoT.Alerting.Rules;

/// <summary>One step of an escalation ladder: how long after the raise, and who is told then.</summary>
public sealed record EscalationLevel(TimeSpan After, IReadOnlyList<string> Recipients);

/// <summary>
/// An escalation policy: level 0 is the raise itself (the guard-room board); each further level is due when the alarm is
/// still active and unacknowledged that long after it was raised. Acknowledging (or the condition clearing) stops it.
/// </summary>
public sealed record EscalationPolicy(string Name, IReadOnlyList<EscalationLevel> Levels)
{
    /// <summary>DESIGN.md's <c>fire</c> policy: the guard room at once, the safety officer and principal after 60 s, the district duty office after 180 s.</summary>
    public static EscalationPolicy Fire { get; } = new("fire",
    [
        new EscalationLevel(TimeSpan.Zero, ["guard-room"]),
        new EscalationLevel(TimeSpan.FromSeconds(60), ["safety-officer", "principal"]),
        new EscalationLevel(TimeSpan.FromSeconds(180), ["district-duty-office"]),
    ]);

    public static IReadOnlyDictionary<string, EscalationPolicy> Defaults { get; } = new Dictionary<string, EscalationPolicy>(StringComparer.Ordinal) { [Fire.Name] = Fire };
}
