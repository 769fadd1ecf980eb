using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Prints events the way a Notifier panel's 80-column printer port does (one CRLF line per event, fields separated by
/// two to four spaces, 12-hour time and MMDDYY date), for tests, the demo and load generation. Deterministic for a seed:
/// the seed picks the clock, spacing and equivalent keywords (TROUBL/TROUBLE, CLR TBL/CLEARED TROUBLE, FIRE ALARM/ALARM:).
/// </summary>
public sealed partial class NotifierPrinterSimulator
{
    private static readonly string[] AnyDevice = ["SMOKE(PHOTO)", "HEAT(FIXED)", "MONITOR", "CONTROL", "PULL STATION"];
    private static readonly byte[][] Control = [[0x1B, (byte)'@'], [0x0C], [0x00], [0x1B, (byte)'3', 0x18]];

    private readonly Random _random;
    private readonly bool _printerControl;
    private DateTime _clock;

    public NotifierPrinterSimulator(int seed, bool printerControl = false)
    {
        _random = new Random(seed);
        _printerControl = printerControl;
        _clock = new DateTime(2024, 3, 4, 7, 0, 0, DateTimeKind.Unspecified).AddMinutes(_random.Next(0, 600));
    }

    /// <summary>Whether the Notifier printer format can express this event (test and power_fault: no; reset, silence and acknowledge only as active).</summary>
    public static bool Supports(EventType type, EventState state) => type switch
    {
        EventType.Test or EventType.PowerFault => false,
        EventType.Reset or EventType.Silence or EventType.Acknowledge => state == EventState.Active,
        _ => true,
    };

    /// <summary>The printer bytes for <paramref name="events"/>; throws <see cref="ArgumentException"/> for one the format cannot print.</summary>
    public byte[] Render(IEnumerable<PrinterSimulatedEvent> events)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var e in events)
        {
            var fields = Fields(e);
            _clock = _clock.AddSeconds(_random.Next(1, 91));
            var hour = _clock.Hour % 12 == 0 ? 12 : _clock.Hour % 12;
            var trailer = string.Create(CultureInfo.InvariantCulture, $"{hour:D2}:{_clock.Minute:D2}{(_clock.Hour < 12 ? 'A' : 'P')} {_clock:MMddyy}")
                + (e.Point is null ? string.Empty : " " + e.Point);
            fields.Add(trailer);

            text.Clear();
            foreach (var field in fields)
            {
                text.Append(text.Length > 0 ? new string(' ', _random.Next(2, 5)) : string.Empty).Append(field);
            }

            if (_printerControl)
            {
                bytes.AddRange(Control[_random.Next(Control.Length)]);
            }

            bytes.AddRange(Encoding.ASCII.GetBytes(text.Append("\r\n").ToString()));
        }

        return [.. bytes];
    }

    private List<string> Fields(PrinterSimulatedEvent e)
    {
        if (!Supports(e.Type, e.State))
        {
            throw new ArgumentException($"The Notifier printer format has no {e.Type.ToWire()} {e.State.ToWire()} event.", nameof(e));
        }

        var active = e.State == EventState.Active;
        var system = e.Type switch
        {
            EventType.Reset => "SYSTEM RESET",
            EventType.Silence => "ALARM SILENCED",
            EventType.Acknowledge => "ACKNOWLEDGE",
            _ => null,
        };
        if (system is not null)
        {
            if (e.Point is not null || e.Label is not null || e.Zone is not null)
            {
                throw new ArgumentException($"A Notifier {system} line carries no point, label or zone.", nameof(e));
            }

            return [system];
        }

        if (e.Point is not null && !Address().IsMatch(e.Point))
        {
            throw new ArgumentException($"'{e.Point}' is not a Notifier address such as 1D012, 1M002 or N001.", nameof(e));
        }

        if (e.Zone is not null && !Zone().IsMatch(e.Zone))
        {
            throw new ArgumentException($"'{e.Zone}' is not a Notifier zone such as Z003.", nameof(e));
        }

        if (e.Label is { } label && (label.Length is 0 or > 40 || label != label.Trim() || label.Contains("  ", StringComparison.Ordinal)
            || label.Any(c => c is < ' ' or > '~') || Zone().IsMatch(label) || PrinterText.IsSeparator(label)))
        {
            throw new ArgumentException($"Label '{label}' cannot be printed as a Notifier label field.", nameof(e));
        }

        var (keyword, device) = e.Type switch
        {
            EventType.Smoke => (FireKeyword(active), Pick("SMOKE(PHOTO)", "SMOKE(ION)", "SMOKE(LASER)")),
            EventType.Heat => (FireKeyword(active), Pick("HEAT(FIXED)", "HEAT(ROR)")),
            EventType.ManualCallPoint => (FireKeyword(active), "PULL STATION"),
            EventType.Waterflow => (FireKeyword(active), "WATERFLOW"),
            EventType.FireAlarm => (FireKeyword(active), "MONITOR"),
            EventType.Trouble => (active ? Pick("TROUBL", "TROUBLE") : Pick("CLR TBL", "CLEARED TROUBLE"), Pick(AnyDevice)),
            EventType.Supervisory => (active ? "SUPERVISORY" : "CLEARED SUPERVISORY", Pick("TAMPER", "LATCH SUPERV")),
            _ => (active ? "DISABLED" : "CLEARED DISABLED", Pick(AnyDevice)),
        };

        List<string> fields = [keyword, device];
        if (e.Label is not null)
        {
            fields.Add(e.Label);
        }

        if (e.Zone is not null)
        {
            fields.Add(e.Zone);
        }

        return fields;
    }

    private string FireKeyword(bool active) => active ? Pick("FIRE ALARM", "ALARM:") : "CLEARED FIRE ALARM";

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    [GeneratedRegex(@"^(?:\d{1,2}[DM]\d{3}|[A-Z]{1,2}\d{1,3}(?:\.\d{1,3})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Address();

    [GeneratedRegex(@"^Z\d{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Zone();
}
