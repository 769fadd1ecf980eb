using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Prints events the way a GST9000 printer port does (GB18030 records: ESC 6 date line, address line, ESC 9 keyword line,
/// location line, device type line, empty line; LF line ends), for tests, the demo and load generation. Deterministic for
/// a seed: the seed picks the clock and equivalent forms (火警/火警后续, 主电/备电, device type wording).
/// </summary>
public sealed partial class GstPrinterSimulator
{
    private static readonly byte[] Start = [0x1B, (byte)'6'];
    private static readonly byte[] Emphasis = [0x1B, (byte)'9'];
    private static readonly byte[] Control = [0x1B, (byte)'@', 0x1C, (byte)'&'];

    private readonly Random _random;
    private readonly bool _printerControl;
    private DateTime _clock;

    public GstPrinterSimulator(int seed, bool printerControl = false)
    {
        _random = new Random(seed);
        _printerControl = printerControl;
        _clock = new DateTime(2024, 3, 4, 7, 0, 0, DateTimeKind.Unspecified).AddMinutes(_random.Next(0, 600));
    }

    /// <summary>
    /// Whether the GST printer format can express this event: fire alarms only as active (a GST panel clears them by
    /// reset); reset and silence only as active; no waterflow, acknowledge or test keyword.
    /// </summary>
    public static bool Supports(EventType type, EventState state) => type switch
    {
        EventType.FireAlarm or EventType.Smoke or EventType.Heat or EventType.ManualCallPoint or EventType.Reset or EventType.Silence => state == EventState.Active,
        EventType.Trouble or EventType.Disabled or EventType.Supervisory or EventType.PowerFault => true,
        _ => false,
    };

    /// <summary>The printer bytes for <paramref name="events"/>; throws <see cref="ArgumentException"/> for one the format cannot print.</summary>
    public byte[] Render(IEnumerable<PrinterSimulatedEvent> events)
    {
        var bytes = new List<byte>();
        foreach (var e in events)
        {
            Validate(e);
            var active = e.State == EventState.Active;
            var (keyword, device) = e.Type switch
            {
                EventType.Smoke => ("首次火警", Pick("感烟探测器", "点型感烟探测器")),
                EventType.Heat => ("首次火警", Pick("感温探测器", "点型感温探测器")),
                EventType.ManualCallPoint => ("首次火警", Pick("手动报警按钮", "消火栓按钮")),
                EventType.FireAlarm => (Pick("火警", "火警后续"), Pick<string?>(null, "感烟探测器", "输入模块")),
                EventType.Trouble => (active ? "故障" : "故障恢复", Pick<string?>(null, "感烟探测器", "输入模块")),
                EventType.Disabled => (active ? "屏蔽" : Pick("取消屏蔽", "屏蔽恢复"), Pick<string?>(null, "感温探测器")),
                EventType.Supervisory => (active ? "监管" : "监管恢复", Pick<string?>(null, "输入模块")),
                EventType.PowerFault => (Pick("主电故障", "备电故障") + (active ? string.Empty : "恢复"), null),
                EventType.Reset => ("系统复位", null),
                _ => ("消音", null),
            };

            _clock = _clock.AddSeconds(_random.Next(1, 91));
            if (_printerControl)
            {
                bytes.AddRange(Control);
            }

            bytes.AddRange(Start);
            bytes.AddRange(Encode(_clock.ToString("yy/MM/dd  HH:mm", CultureInfo.InvariantCulture) + "\n  " + (e.Point ?? string.Empty) + "\n"));
            bytes.AddRange(Emphasis);
            bytes.AddRange(Encode(keyword + "\n" + (e.Label is null ? string.Empty : e.Label + "\n") + (device is null ? string.Empty : device + "\n") + "\n"));
        }

        return [.. bytes];
    }

    private static void Validate(PrinterSimulatedEvent e)
    {
        if (!Supports(e.Type, e.State))
        {
            throw new ArgumentException($"The GST printer format has no {e.Type.ToWire()} {e.State.ToWire()} event.", nameof(e));
        }

        if (e.Zone is not null)
        {
            throw new ArgumentException("The GST printer format prints no zone.", nameof(e));
        }

        if (e.Point is not null && !Point().IsMatch(e.Point))
        {
            throw new ArgumentException($"'{e.Point}' is not a GST address such as 004-004 or 01-001-023.", nameof(e));
        }

        if (e.Label is not { } label)
        {
            return;
        }

        var words = label.Split(' ');
        if (label.Length is 0 or > 40 || label != label.Trim() || words.Any(w => w.Length == 0 || GstPrinterParser.IsDeviceType(w)) || label.Any(char.IsControl)
            || DateLike().IsMatch(label) || PrinterText.IsSeparator(label))
        {
            throw new ArgumentException($"Label '{label}' cannot be printed as a GST location line.", nameof(e));
        }

        try
        {
            _ = PrinterText.StrictGb18030.GetBytes(label);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"Label '{label}' has characters GB18030 cannot encode.", nameof(e), ex);
        }
    }

    private static byte[] Encode(string text) => PrinterText.StrictGb18030.GetBytes(text);

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];

    [GeneratedRegex(@"^(?:\d{2}-)?\d{3}-\d{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Point();

    [GeneratedRegex(@"^(?:(?:\d{4}|\d{2})[/\-.年]\d{1,2}|\d{1,2}[:：时]\d{2})", RegexOptions.CultureInvariant)]
    private static partial Regex DateLike();
}
