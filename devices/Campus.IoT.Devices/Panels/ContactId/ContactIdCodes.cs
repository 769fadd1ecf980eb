using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.ContactId;

/// <summary>
/// The Contact ID (SIA DC-05) event codes this platform acts on, with the contract event type each becomes. Anything else
/// is reported as <c>unknown_event</c>, never guessed (burglary, open/close and the rest have no fire-safety profile).
/// </summary>
public static class ContactIdCodes
{
    private static readonly Dictionary<int, EventType> Map = new()
    {
        [110] = EventType.FireAlarm,        // fire alarm
        [111] = EventType.Smoke,            // smoke
        [112] = EventType.FireAlarm,        // combustion
        [113] = EventType.Waterflow,        // water flow
        [114] = EventType.Heat,             // heat
        [115] = EventType.ManualCallPoint,  // pull station
        [116] = EventType.Smoke,            // duct
        [117] = EventType.FireAlarm,        // flame
        [118] = EventType.Supervisory,      // near alarm: a pre-alarm that needs a look, not an evacuation
        [200] = EventType.Supervisory,      // fire supervisory
        [201] = EventType.Supervisory,      // low water pressure
        [202] = EventType.Supervisory,      // low CO2
        [203] = EventType.Supervisory,      // gate valve sensor
        [204] = EventType.Supervisory,      // low water level
        [205] = EventType.Supervisory,      // pump activated
        [206] = EventType.Supervisory,      // pump failure
        [301] = EventType.PowerFault,       // AC loss
        [302] = EventType.PowerFault,       // low system battery
        [373] = EventType.Trouble,          // fire trouble
        [380] = EventType.Trouble,          // sensor trouble
        [381] = EventType.Trouble,          // loss of supervision, RF
        [382] = EventType.Trouble,          // loss of supervision, RPM
        [383] = EventType.Trouble,          // sensor tamper
        [384] = EventType.Trouble,          // RF low battery
        [385] = EventType.Trouble,          // smoke detector high sensitivity
        [386] = EventType.Trouble,          // smoke detector low sensitivity
        [387] = EventType.Trouble,          // intrusion detector high sensitivity
        [388] = EventType.Trouble,          // intrusion detector low sensitivity
        [601] = EventType.Test,             // manual trigger test report
        [602] = EventType.Test,             // periodic test report
    };

    public static IEnumerable<int> Known => Map.Keys;

    public static bool TryMap(int code, out EventType type) => Map.TryGetValue(code, out type);

    /// <summary>The digit value in the checksum: 0 counts 10, B–F count 11–15.</summary>
    public static int DigitValue(char c) => c switch
    {
        '0' => 10,
        >= '1' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>The check digit that makes the 16 digits sum to a multiple of 15.</summary>
    public static char CheckDigit(ReadOnlySpan<char> fifteenDigits)
    {
        var sum = 0;
        foreach (var c in fifteenDigits)
        {
            sum += DigitValue(c);
        }

        var need = 15 - (sum % 15);
        return need switch
        {
            10 => '0',
            < 10 => (char)('0' + need),
            _ => (char)('A' + need - 10),
        };
    }

    /// <summary>True when the 16 digits sum to a multiple of 15 (SIA DC-05).</summary>
    public static bool ChecksumOk(ReadOnlySpan<char> sixteenDigits)
    {
        var sum = 0;
        foreach (var c in sixteenDigits)
        {
            var v = DigitValue(c);
            if (v < 0)
            {
                return false;
            }

            sum += v;
        }

        return sum % 15 == 0;
    }
}
