using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.SiaDc09;

/// <summary>The SIA DC-03 (SIA-DCS) event codes acted on here; the rest are <c>unknown_event</c>, never guessed.</summary>
public static class SiaCodes
{
    private static readonly Dictionary<string, (EventType Type, EventState State)> Map = new(StringComparer.Ordinal)
    {
        ["FA"] = (EventType.FireAlarm, EventState.Active),     // fire alarm
        ["FH"] = (EventType.FireAlarm, EventState.Cleared),    // fire alarm restore
        ["FT"] = (EventType.Trouble, EventState.Active),       // fire trouble
        ["FJ"] = (EventType.Trouble, EventState.Cleared),      // fire trouble restore
        ["FS"] = (EventType.Supervisory, EventState.Active),   // fire supervisory
        ["FB"] = (EventType.Disabled, EventState.Active),      // fire bypass
        ["FU"] = (EventType.Disabled, EventState.Cleared),     // fire unbypass
        ["AT"] = (EventType.PowerFault, EventState.Active),    // AC trouble
        ["AR"] = (EventType.PowerFault, EventState.Cleared),   // AC restore
        ["YT"] = (EventType.PowerFault, EventState.Active),    // system battery trouble
        ["YR"] = (EventType.PowerFault, EventState.Cleared),   // system battery restore
        ["RP"] = (EventType.Test, EventState.Active),          // automatic test
        ["RX"] = (EventType.Test, EventState.Active),          // manual test
    };

    public static IEnumerable<string> Known => Map.Keys;

    public static bool TryMap(string code, out EventType type, out EventState state)
    {
        if (Map.TryGetValue(code, out var mapped))
        {
            (type, state) = mapped;
            return true;
        }

        (type, state) = (default, default);
        return false;
    }
}
