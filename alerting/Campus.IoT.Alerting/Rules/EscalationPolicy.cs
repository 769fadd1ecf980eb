namespace Campus.IoT.Alerting.Rules;

/// <summary>One step of an escalation ladder: how long after the raise, and who is told then.</summary>
public sealed record EscalationLevel(TimeSpan After, IReadOnlyList<string> Recipients);

/// <summary>
/// An escalation policy: level 0 is the raise itself (the guard-room board); each further level is due when the alarm is
/// still active and unacknowledged that long after it was raised. With <see cref="Repeat"/>, once the last level is passed
/// its recipients are told again every <see cref="Repeat"/> (Alertmanager's repeat_interval) until someone acknowledges.
/// Acknowledging, shelving, suppressing or the condition clearing stops it.
/// </summary>
public sealed record EscalationPolicy(string Name, IReadOnlyList<EscalationLevel> Levels, TimeSpan? Repeat = null)
{
    /// <summary>Where it was written (0 for a built-in policy).</summary>
    public int Line { get; init; }

    /// <summary>How long after the raise <paramref name="level"/> is due, or null when the ladder has no such level.</summary>
    public TimeSpan? DueAfter(int level) =>
        level < 0 ? null
        : level < Levels.Count ? Levels[level].After
        : Repeat is { } every ? Levels[^1].After + (every * (level - Levels.Count + 1))
        : null;

    /// <summary>Who is told at <paramref name="level"/>: a repeat goes to the last level's recipients.</summary>
    public IReadOnlyList<string> RecipientsAt(int level) => Levels[Math.Clamp(level, 0, Levels.Count - 1)].Recipients;

    /// <summary>DESIGN.md's <c>fire</c> policy: the guard room at once, the safety officer and principal after 60 s, the district duty office after 180 s.</summary>
    public static EscalationPolicy Fire { get; } = new("fire",
    [
        new EscalationLevel(TimeSpan.Zero, ["guard-room"]),
        new EscalationLevel(TimeSpan.FromSeconds(60), ["safety-officer", "principal"]),
        new EscalationLevel(TimeSpan.FromSeconds(180), ["district-duty-office"]),
    ]);

    /// <summary>
    /// The console watchdog's policy: nobody watches the guard-room board, so the board is no use — the safety officer at
    /// once, and again every 15 minutes until someone acknowledges or a board is back.
    /// </summary>
    public static EscalationPolicy Console { get; } = new("console", [new EscalationLevel(TimeSpan.Zero, ["safety-officer"])], TimeSpan.FromMinutes(15));

    public static IReadOnlyDictionary<string, EscalationPolicy> Defaults { get; } = new Dictionary<string, EscalationPolicy>(StringComparer.Ordinal) { [Fire.Name] = Fire, [Console.Name] = Console };
}

/// <summary>
/// Flapping (chattering) protection, ISA-18.2 style: an alarm whose condition came back <see cref="Raises"/> times within
/// <see cref="Within"/> is flapping; then its clear is held until the condition has stayed clear for <see cref="Settle"/>,
/// so it stays one alarm (a repeat updates it) instead of a raise and a notification per bounce. A raise is never delayed.
/// </summary>
public sealed record FlappingPolicy(int Raises, TimeSpan Within, TimeSpan Settle)
{
    public int Line { get; init; }

    public static FlappingPolicy Default { get; } = new(4, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5));
}
