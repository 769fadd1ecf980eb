namespace Campus.IoT.Alerting;

/// <summary>Wire spellings of alarm enumerations (API, SignalR, replay output, storage).</summary>
public static class AlarmNames
{
    public static string ToWire(this AlarmSeverity severity) => severity switch
    {
        AlarmSeverity.Critical => "critical",
        AlarmSeverity.Major => "major",
        AlarmSeverity.Minor => "minor",
        AlarmSeverity.Warning => "warning",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    public static string ToWire(this AlarmState state) => state switch
    {
        AlarmState.ActiveUnack => "active_unack",
        AlarmState.ActiveAck => "active_ack",
        AlarmState.ClearedUnack => "cleared_unack",
        AlarmState.Cleared => "cleared",
        AlarmState.Shelved => "shelved",
        AlarmState.Suppressed => "suppressed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string ToWire(this AlarmTransitionKind kind) => kind switch
    {
        AlarmTransitionKind.Raised => "raised",
        AlarmTransitionKind.Updated => "updated",
        AlarmTransitionKind.Escalated => "escalated",
        AlarmTransitionKind.Acknowledged => "acknowledged",
        AlarmTransitionKind.Cleared => "cleared",
        AlarmTransitionKind.Suppressed => "suppressed",
        AlarmTransitionKind.Shelved => "shelved",
        AlarmTransitionKind.Unshelved => "unshelved",
        AlarmTransitionKind.Resumed => "resumed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParseSeverity(string? text, out AlarmSeverity severity)
    {
        foreach (var candidate in Enum.GetValues<AlarmSeverity>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                severity = candidate;
                return true;
            }
        }

        severity = default;
        return false;
    }

    public static bool TryParseState(string? text, out AlarmState state)
    {
        foreach (var candidate in Enum.GetValues<AlarmState>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Open means the alarm still needs a person: active, or cleared but not yet acknowledged.</summary>
    /// <summary>Not yet cleared and acknowledged: the engine keeps tracking it (shelved and suppressed alarms included).</summary>
    public static bool IsOpen(this AlarmState state) => state is AlarmState.ActiveUnack or AlarmState.ActiveAck or AlarmState.ClearedUnack or AlarmState.Shelved or AlarmState.Suppressed;
}
