using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Prints events the way an EST iO panel's printer port does (header line, label line, blank line, CRLF), for tests,
/// the demo and load generation. Deterministic for a seed: the panel clock starts at a seeded time and advances a seeded
/// 1–90 s per event; with <c>printerControl</c> each event is preceded by printer control sequences the parser strips.
/// </summary>
public sealed partial class EstPrinterSimulator
{
    private static readonly FrozenDictionary<EventType, string> Families = new Dictionary<EventType, string>
    {
        [EventType.Smoke] = "SMK",
        [EventType.Heat] = "HEAT",
        [EventType.ManualCallPoint] = "PULL",
        [EventType.Waterflow] = "WFLW",
        [EventType.FireAlarm] = "ALRM",
        [EventType.Supervisory] = "SUPV",
        [EventType.Trouble] = "TRBL",
        [EventType.Disabled] = "DSBL",
        [EventType.Test] = "TEST",
    }.ToFrozenDictionary();

    private static readonly byte[][] Control = [[0x1B, (byte)'@'], [0x0C], [0x1B, (byte)'E'], [0x1B, (byte)'F'], [0x00], [0x1B, (byte)'d', 0x01]];

    private readonly Random _random;
    private readonly bool _printerControl;
    private DateTime _clock;

    public EstPrinterSimulator(int seed, bool printerControl = false)
    {
        _random = new Random(seed);
        _printerControl = printerControl;
        _clock = new DateTime(2024, 3, 4, 7, 0, 0, DateTimeKind.Unspecified).AddMinutes(_random.Next(0, 600));
    }

    /// <summary>Whether the EST printer format can express this event (reset, silence, acknowledge, power_fault: no).</summary>
    public static bool Supports(EventType type, EventState state) => Families.ContainsKey(type);

    /// <summary>The printer bytes for <paramref name="events"/>; throws <see cref="ArgumentException"/> for one the format cannot print.</summary>
    public byte[] Render(IEnumerable<PrinterSimulatedEvent> events)
    {
        var bytes = new List<byte>();
        foreach (var e in events)
        {
            if (!Families.TryGetValue(e.Type, out var family))
            {
                throw new ArgumentException($"The EST printer format has no {e.Type.ToWire()} event.", nameof(events));
            }

            var address = Address(e);
            var label = e.Label ?? string.Empty;
            if (label.Length > 40 || label != label.Trim() || label.Contains('|', StringComparison.Ordinal) || label.Any(c => c is < ' ' or > '~') || PrinterText.IsSeparator(label))
            {
                throw new ArgumentException($"Label '{label}' cannot be printed as an EST label line.", nameof(events));
            }

            _clock = _clock.AddSeconds(_random.Next(1, 91));
            if (_printerControl)
            {
                bytes.AddRange(Control[_random.Next(Control.Length)]);
            }

            var suffix = e.State == EventState.Active ? "ACT" : "RST";
            var header = $"{family} {suffix}".PadRight(8) + " | " + _clock.ToString("HH:mm:ss MM/dd/yyyy", CultureInfo.InvariantCulture)
                + (address.Length > 0 ? " " + address.PadLeft(9) : string.Empty);
            bytes.AddRange(Encoding.ASCII.GetBytes(header + "\r\n" + label + "\r\n\r\n"));
        }

        return [.. bytes];
    }

    /// <summary>Point <c>L1D126</c> → <c>L:1 D:126</c>; otherwise zone <c>Z008</c> → <c>Z:008</c>.</summary>
    private static string Address(PrinterSimulatedEvent e)
    {
        var compact = e.Point ?? e.Zone;
        if (compact is null)
        {
            return string.Empty;
        }

        var tokens = Token().Matches(compact);
        if (tokens.Sum(t => t.Length) != compact.Length || tokens.Count is 0 or > 4 || (e.Point is null && !compact.StartsWith('Z')))
        {
            throw new ArgumentException($"'{compact}' is not an EST address such as L1D126, E010 or Z008.", nameof(e));
        }

        return string.Join(' ', tokens.Select(t => t.Groups[1].Value + ":" + t.Groups[2].Value));
    }

    [GeneratedRegex(@"([A-Z])(\d{1,4})", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
