using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Edwards EST iO64/iO1000 (and the Kidde VS/FX family) printer port, <c>--format est</c>. Each event is a header line
/// <c>SMK ACT | 12:06:56 10/20/2023 L:1 D:126</c> (family, ACT or RST, panel time and date, address) followed by the
/// device's label on the next line, then blank lines. Families map to event types (SMK, DUCT → smoke; HEAT → heat; PULL →
/// manual_call_point; WFLW → waterflow; ALRM → fire_alarm; SUPV → supervisory; TRBL → trouble; DSBL → disabled; TEST →
/// test; the Spanish-language panel's HUMO, DUCTO, CALOR, EST MAN, FLUJ, FALL, DESH, PRBA likewise); ACT → active, RST →
/// cleared. Every other family (MON, PROB, PALM, ALMV, COAL, COSU, COMO, MANT …) is <c>unknown_event</c>: iO panels print
/// a reset or a silence as MON/PROB pseudo-points (E:042 "Reinicio", E:045 "Silencio Senales") whose meaning depends on
/// the event-ID table, so they are reported, never guessed.
/// <para>
/// A header waits for its label line; it is emitted as soon as that line, a blank line, a rule or the next header arrives
/// (or at <see cref="Flush"/>). For panels that print no label line, construct with <c>labelOnNextLine: false</c> and
/// every header is emitted the moment its line ends.
/// </para>
/// </summary>
public sealed partial class EstPrinterParser : IPanelParser
{
    private static readonly FrozenDictionary<string, EventType> Families = new Dictionary<string, EventType>(StringComparer.Ordinal)
    {
        ["SMK"] = EventType.Smoke,
        ["DUCT"] = EventType.Smoke,
        ["HEAT"] = EventType.Heat,
        ["PULL"] = EventType.ManualCallPoint,
        ["WFLW"] = EventType.Waterflow,
        ["ALRM"] = EventType.FireAlarm,
        ["SUPV"] = EventType.Supervisory,
        ["TRBL"] = EventType.Trouble,
        ["DSBL"] = EventType.Disabled,
        ["TEST"] = EventType.Test,
        ["HUMO"] = EventType.Smoke,
        ["DUCTO"] = EventType.Smoke,
        ["CALOR"] = EventType.Heat,
        ["EST MAN"] = EventType.ManualCallPoint,
        ["FLUJ"] = EventType.Waterflow,
        ["FALL"] = EventType.Trouble,
        ["DESH"] = EventType.Disabled,
        ["PRBA"] = EventType.Test,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly PanelContext _context;
    private readonly bool _labelOnNextLine;
    private readonly PrinterLineAssembler _assembler = new();
    private readonly List<PrinterLine> _lines = [];
    private Pending? _pending;
    private long _ruleBytes;

    /// <param name="context">Device id and clock.</param>
    /// <param name="labelOnNextLine">True (the panel default) when each header is followed by its label line.</param>
    public EstPrinterParser(PanelContext context, bool labelOnNextLine = true)
    {
        _context = context;
        _labelOnNextLine = labelOnNextLine;
    }

    public string Format => "est";

    public long NoiseBytes => _assembler.NoiseBytes + _ruleBytes;

    public IReadOnlyList<PanelRecord> Feed(ReadOnlySpan<byte> data)
    {
        var output = new List<PanelRecord>();
        _lines.Clear();
        _assembler.Feed(data, _lines);
        foreach (var line in _lines)
        {
            OnLine(line, output);
        }

        return output;
    }

    public IReadOnlyList<PanelRecord> Flush()
    {
        var output = new List<PanelRecord>();
        EmitPending(output, label: null);
        if (_assembler.Flush() is { } open)
        {
            output.Add(PanelRecord.FromError(PrinterReasons.Truncated, PrinterText.Latin1(open.Bytes).Trim()));
        }

        return output;
    }

    private void OnLine(PrinterLine line, List<PanelRecord> output)
    {
        var text = PrinterText.Latin1(line.Bytes).Trim();
        if (line.Kind == PrinterLineKind.TooLong)
        {
            EmitPending(output, label: null);
            output.Add(PanelRecord.FromError(PrinterReasons.TooLong, text));
            return;
        }

        if (text.Length == 0)
        {
            EmitPending(output, label: null);
            return;
        }

        if (PrinterText.IsSeparator(text))
        {
            EmitPending(output, label: null);
            _ruleBytes += line.Bytes.Length;
            return;
        }

        if (text.Contains('|', StringComparison.Ordinal))
        {
            EmitPending(output, label: null);
            _pending = ParseHeader(text);
            if (!_labelOnNextLine)
            {
                EmitPending(output, label: null);
            }

            return;
        }

        if (_pending is not null)
        {
            EmitPending(output, label: text);
            return;
        }

        // Text with no header before it: "Outputs are latched", report bodies, a label whose header was lost.
        output.Add(PanelRecord.FromError(PrinterReasons.UnknownEvent, text));
    }

    private void EmitPending(List<PanelRecord> output, string? label)
    {
        if (_pending is not { } pending)
        {
            return;
        }

        _pending = null;
        var raw = label is null ? pending.Header : pending.Header + "\n" + label;
        if (pending.Error is { } reason)
        {
            output.Add(PanelRecord.FromError(reason, raw));
            return;
        }

        output.Add(PanelRecord.FromEvent(new DeviceEvent(_context.Device, pending.Type, pending.State, _context.Time.GetUtcNow())
        {
            Point = pending.Point,
            Zone = pending.Zone,
            Label = label,
            Raw = raw,
        }));
    }

    private static Pending ParseHeader(string header)
    {
        var match = HeaderPattern().Match(header);
        if (!match.Success || !ValidTime(match.Groups["time"].Value) || !ValidDate(match.Groups["date"].Value))
        {
            return Pending.Failed(header, PrinterReasons.BadLayout);
        }

        var family = match.Groups["family"].Value;
        if (!Families.TryGetValue(family, out var type))
        {
            return Pending.Failed(header, PrinterReasons.UnknownEvent);
        }

        var state = match.Groups["suffix"].Value == "ACT" ? EventState.Active : EventState.Cleared;
        if (!TryAddress(match.Groups["address"].Value, out var point, out var zone))
        {
            return Pending.Failed(header, PrinterReasons.BadLayout);
        }

        return new Pending(header, type, state, point, zone, Error: null);
    }

    /// <summary>
    /// <c>L:1 D:126</c> → point <c>L1D126</c> (modules <c>L:1 M:005</c> → <c>L1M005</c>), <c>E:010</c> → <c>E010</c>,
    /// <c>A:008</c> → <c>A008</c>, <c>Z:008</c> → zone <c>Z008</c>: colons and spaces removed, digits as printed.
    /// </summary>
    private static bool TryAddress(string address, out string? point, out string? zone)
    {
        point = null;
        zone = null;
        if (address.Length == 0)
        {
            return true;
        }

        if (!AddressPattern().IsMatch(address))
        {
            return false;
        }

        var compact = new StringBuilder(address.Length);
        foreach (var c in address)
        {
            if (c is not (':' or ' '))
            {
                compact.Append(c);
            }
        }

        if (compact[0] == 'Z' && !address.Contains(' ', StringComparison.Ordinal))
        {
            zone = compact.ToString();
        }
        else
        {
            point = compact.ToString();
        }

        return true;
    }

    private static bool ValidTime(string time) =>
        int.Parse(time.AsSpan(0, 2), CultureInfo.InvariantCulture) <= 23
        && int.Parse(time.AsSpan(3, 2), CultureInfo.InvariantCulture) <= 59
        && int.Parse(time.AsSpan(6, 2), CultureInfo.InvariantCulture) <= 59;

    private static bool ValidDate(string date)
    {
        var month = int.Parse(date.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(date.AsSpan(3, 2), CultureInfo.InvariantCulture);
        return month is >= 1 and <= 12 && day is >= 1 and <= 31;
    }

    [GeneratedRegex(@"^(?<family>[A-Z]{2,6}(?: [A-Z]{2,6})?) +(?<suffix>ACT|RST) *\| *(?<time>\d{2}:\d{2}:\d{2}) +(?<date>\d{2}/\d{2}/\d{4})(?: +(?<address>\S.*?))? *$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"^[A-Z]:\d{1,4}(?: +[A-Z]:\d{1,4}){0,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex AddressPattern();

    private sealed record Pending(string Header, EventType Type, EventState State, string? Point, string? Zone, string? Error)
    {
        public static Pending Failed(string header, string reason) => new(header, EventType.Trouble, EventState.Active, null, null, reason);
    }
}
