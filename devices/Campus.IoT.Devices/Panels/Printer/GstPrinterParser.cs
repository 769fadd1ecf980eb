using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Chinese panel printer output (GST/海湾 and panels printing the same way), GB18030 text, <c>--format gst</c>.
/// The GST9000 prints each event as a record of lines ended by an empty line:
/// <code>
/// ESC 6 "08/12/02  17:24"      panel date and time
///       "  004-004"             loop-device address (spaces only for system events)
/// ESC 9 "首次火警"              event keyword
///       "裙楼一层上空"          location → Label
///       "感烟探测器"            device type
///       ""                      end of record
/// </code>
/// One-line records (<c>2023-10-20 12:06:56 首次火警 01号机 001回路 023号 点型感烟 3层化学实验室</c>) parse the same way: a
/// leading date/time, an address anywhere after the keyword, the rest split on whitespace. A record also ends when a line
/// starting with a date/time arrives, a rule line, or (for an over-long record) after <see cref="MaxRecordLines"/> lines.
/// <para>
/// Keywords (whole words at the start of the event line): 首次火警 → fire_alarm active, refined to smoke / heat /
/// manual_call_point when the device type names exactly one of 感烟·烟感·光束·吸气 / 感温·温感·缆式 / 手动报警·手报·
/// 消火栓·手动按钮; 火警, 火警后续 → fire_alarm active; 故障 → trouble active, 故障恢复 → cleared; 主电故障, 备电故障 →
/// power_fault active, …恢复 → cleared; 屏蔽 → disabled active, 取消屏蔽·解除屏蔽·屏蔽恢复 → cleared; 监管 → supervisory
/// active, 监管恢复 → cleared; 系统复位, 复位 → reset; 消音 → silence. 启动, 反馈, 停止 (linkage module start, feedback,
/// stop) are recognised and skipped, counted in <see cref="IgnoredUnits"/>: the wire contract has no type for them and
/// no profile uses them. Anything else is <c>unknown_event</c>; bytes that are not valid GB18030 make the record
/// <c>bad_encoding</c>.
/// </para>
/// Point: <c>LLL-DDD</c> (loop and device, three digits each), <c>MM-LLL-DDD</c> when a controller number (号机) is given.
/// </summary>
public sealed partial class GstPrinterParser : IPanelParser
{
    /// <summary>A record longer than this is <c>too_long</c> (a GST record has five lines).</summary>
    public const int MaxRecordLines = 8;

    private static readonly GstKeyword[] Keywords = new GstKeyword[]
    {
        new("首次火警", EventType.FireAlarm, EventState.Active, Refine: true),
        new("火警后续", EventType.FireAlarm, EventState.Active),
        new("火警", EventType.FireAlarm, EventState.Active),
        new("故障恢复", EventType.Trouble, EventState.Cleared),
        new("故障", EventType.Trouble, EventState.Active),
        new("主电故障恢复", EventType.PowerFault, EventState.Cleared),
        new("主电故障", EventType.PowerFault, EventState.Active),
        new("备电故障恢复", EventType.PowerFault, EventState.Cleared),
        new("备电故障", EventType.PowerFault, EventState.Active),
        new("屏蔽", EventType.Disabled, EventState.Active),
        new("取消屏蔽", EventType.Disabled, EventState.Cleared),
        new("解除屏蔽", EventType.Disabled, EventState.Cleared),
        new("屏蔽恢复", EventType.Disabled, EventState.Cleared),
        new("监管", EventType.Supervisory, EventState.Active),
        new("监管恢复", EventType.Supervisory, EventState.Cleared),
        new("系统复位", EventType.Reset, EventState.Active),
        new("复位", EventType.Reset, EventState.Active),
        new("消音", EventType.Silence, EventState.Active),
        new("启动", null, EventState.Active),
        new("反馈", null, EventState.Active),
        new("停止", null, EventState.Active),
    }.OrderByDescending(k => k.Text.Length).ToArray();

    private static readonly string[] SmokeTerms = ["感烟", "烟感", "光束", "吸气"];
    private static readonly string[] HeatTerms = ["感温", "温感", "缆式"];
    private static readonly string[] ManualTerms = ["手动报警", "手报", "消火栓", "手动按钮"];
    private static readonly string[] DeviceSuffixes = ["探测器", "按钮", "模块"];

    private readonly PanelContext _context;
    private readonly PrinterLineAssembler _assembler = new();
    private readonly List<PrinterLine> _lines = [];
    private readonly List<GstLine> _record = [];
    private long _ruleBytes;

    public GstPrinterParser(PanelContext context)
    {
        _context = context;
    }

    public string Format => "gst";

    public long NoiseBytes => _assembler.NoiseBytes + _ruleBytes;

    /// <summary>Recognised records that are not events (启动, 反馈, 停止), skipped.</summary>
    public long IgnoredUnits { get; private set; }

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
        var open = _assembler.Flush();
        if (open is { } partial && PrinterText.LenientGb18030.GetString(partial.Bytes).Trim().Length > 0)
        {
            _record.Add(new GstLine(partial.Bytes, null));
            output.Add(PanelRecord.FromError(PrinterReasons.Truncated, LenientText(_record)));
            _record.Clear();
        }
        else if (_record.Exists(l => l.Text is null || Classify(l.Text) == LineKind.Content))
        {
            CloseRecord(output);
        }
        else if (_record.Exists(l => l.Text!.Trim().Length > 0))
        {
            output.Add(PanelRecord.FromError(PrinterReasons.Truncated, LenientText(_record)));
            _record.Clear();
        }
        else
        {
            _record.Clear();
        }

        return output;
    }

    private void OnLine(PrinterLine line, List<PanelRecord> output)
    {
        if (line.Kind == PrinterLineKind.TooLong)
        {
            CloseRecord(output);
            output.Add(PanelRecord.FromError(PrinterReasons.TooLong, PrinterText.LenientGb18030.GetString(line.Bytes).Trim()));
            return;
        }

        if (line.IsBlank)
        {
            CloseRecord(output);
            return;
        }

        string? text = PrinterText.TryGb18030(line.Bytes, out var decoded) ? decoded : null;
        if (text is not null)
        {
            var trimmed = text.Trim();
            if (PrinterText.IsSeparator(trimmed))
            {
                CloseRecord(output);
                _ruleBytes += line.Bytes.Length;
                return;
            }

            if (DatePrefix().IsMatch(trimmed) && _record.Exists(l => l.Text is null || l.Text.Trim().Length > 0))
            {
                CloseRecord(output); // a new record begins with its date line
            }
        }

        if (_record.Count == MaxRecordLines)
        {
            output.Add(PanelRecord.FromError(PrinterReasons.TooLong, LenientText(_record)));
            _record.Clear();
        }

        _record.Add(new GstLine(line.Bytes, text));
    }

    private void CloseRecord(List<PanelRecord> output)
    {
        if (_record.Count == 0)
        {
            return;
        }

        var lines = _record.ToArray();
        _record.Clear();
        if (Array.Exists(lines, l => l.Text is null))
        {
            output.Add(PanelRecord.FromError(PrinterReasons.BadEncoding, string.Join("0A", lines.Select(l => Convert.ToHexString(l.Bytes)))));
            return;
        }

        var texts = lines.Select(l => l.Text!.Trim()).Where(t => t.Length > 0).ToList();
        if (texts.Count > 0 && Interpret(texts) is { } record)
        {
            output.Add(record);
        }
    }

    private PanelRecord? Interpret(List<string> texts)
    {
        var raw = string.Join('\n', texts);
        string? point = null;
        var at = 0;
        for (; at < texts.Count; at++)
        {
            var kind = Classify(texts[at]);
            if (kind == LineKind.Content)
            {
                break;
            }

            if (kind == LineKind.Address)
            {
                point ??= AddressOf(AddressLine().Match(texts[at]));
            }
        }

        if (at == texts.Count)
        {
            return PanelRecord.FromError(PrinterReasons.BadLayout, raw);
        }

        var eventText = texts[at];
        var date = DatePrefix().Match(eventText);
        if (date.Success)
        {
            eventText = eventText[date.Length..].TrimStart();
        }

        var leading = AddressInText().Match(eventText);
        if (leading.Success && leading.Index == 0)
        {
            point ??= AddressOf(leading);
            eventText = eventText[leading.Length..].TrimStart();
        }

        if (Match(eventText) is not { } keyword)
        {
            return PanelRecord.FromError(PrinterReasons.UnknownEvent, raw);
        }

        if (keyword.Type is not { } type)
        {
            IgnoredUnits++;
            return null;
        }

        var remainder = eventText[keyword.Text.Length..].TrimStart(':', '：', ' ', '\u3000');
        var address = AddressInText().Match(remainder);
        if (address.Success)
        {
            point ??= AddressOf(address);
            remainder = remainder.Remove(address.Index, address.Length);
        }

        var segments = new List<string>();
        segments.AddRange(Words().Split(remainder));
        foreach (var text in texts.Skip(at + 1))
        {
            segments.AddRange(Words().Split(text));
        }

        segments.RemoveAll(s => s.Length == 0);
        var devices = segments.Where(IsDeviceType).ToList();
        var label = string.Join(' ', segments.Where(s => !IsDeviceType(s)));
        if (keyword.Refine)
        {
            type = Refine(devices);
        }

        return PanelRecord.FromEvent(new DeviceEvent(_context.Device, type, keyword.State, _context.Time.GetUtcNow())
        {
            Point = point,
            Label = label.Length > 0 ? label : null,
            Raw = raw,
        });
    }

    private static GstKeyword? Match(string eventText)
    {
        foreach (var keyword in Keywords)
        {
            if (eventText.StartsWith(keyword.Text, StringComparison.Ordinal)
                && (eventText.Length == keyword.Text.Length || eventText[keyword.Text.Length] is ':' or '：' || char.IsWhiteSpace(eventText[keyword.Text.Length])))
            {
                return keyword;
            }
        }

        return null;
    }

    private static EventType Refine(List<string> devices)
    {
        var found = new HashSet<EventType>();
        foreach (var device in devices)
        {
            if (ContainsAny(device, SmokeTerms))
            {
                found.Add(EventType.Smoke);
            }

            if (ContainsAny(device, HeatTerms))
            {
                found.Add(EventType.Heat);
            }

            if (ContainsAny(device, ManualTerms))
            {
                found.Add(EventType.ManualCallPoint);
            }
        }

        return found.Count == 1 ? found.First() : EventType.FireAlarm;
    }

    /// <summary>A word naming a device type (感烟探测器, 手动报警按钮, 输入模块 …) rather than a location.</summary>
    internal static bool IsDeviceType(string segment) =>
        ContainsAny(segment, SmokeTerms) || ContainsAny(segment, HeatTerms) || ContainsAny(segment, ManualTerms)
        || DeviceSuffixes.Any(s => segment.EndsWith(s, StringComparison.Ordinal));

    private static bool ContainsAny(string text, string[] terms) => terms.Any(t => text.Contains(t, StringComparison.Ordinal));

    private static LineKind Classify(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return LineKind.Filler;
        }

        var date = DatePrefix().Match(trimmed);
        if (date.Success && date.Length == trimmed.Length)
        {
            return LineKind.Date;
        }

        return AddressLine().IsMatch(trimmed) ? LineKind.Address : LineKind.Content;
    }

    private static string AddressOf(Match match)
    {
        var machine = match.Groups["m"];
        var loop = int.Parse(match.Groups["l"].ValueSpan, CultureInfo.InvariantCulture);
        var device = int.Parse(match.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
        return machine.Success
            ? string.Create(CultureInfo.InvariantCulture, $"{int.Parse(machine.ValueSpan, CultureInfo.InvariantCulture):D2}-{loop:D3}-{device:D3}")
            : string.Create(CultureInfo.InvariantCulture, $"{loop:D3}-{device:D3}");
    }

    private static string LenientText(List<GstLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            var part = (line.Text ?? PrinterText.LenientGb18030.GetString(line.Bytes)).Trim();
            if (part.Length > 0)
            {
                text.Append(text.Length > 0 ? "\n" : string.Empty).Append(part);
            }
        }

        return text.ToString();
    }

    /// <summary>A leading date and/or time: 08/12/02  17:24, 2023-10-20 12:06:56, 2023年10月20日 12时06分, 17:24.</summary>
    [GeneratedRegex(@"^(?:(?:\d{4}|\d{2})[/\-.年]\d{1,2}[/\-.月]\d{1,2}日?(?:\s*(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?|\d{1,2}时\d{1,2}分(?:\d{1,2}秒)?))?|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?|\d{1,2}时\d{1,2}分(?:\d{1,2}秒)?)(?=\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex DatePrefix();

    /// <summary>A line that is only an address: 004-004, 01-001-023, 1回路23号, 01号机 001回路 023号.</summary>
    [GeneratedRegex(@"^(?:(?:(?<m>\d{1,2})-)?(?<l>\d{1,3})-(?<d>\d{1,3})|(?:(?<m>\d{1,3})号机\s*)?(?<l>\d{1,3})回路\s*(?<d>\d{1,3})号)$", RegexOptions.CultureInvariant)]
    private static partial Regex AddressLine();

    /// <summary>An address inside text, as a whole word (so 3-5层 is a label, not an address).</summary>
    [GeneratedRegex(@"(?<=^|\s)(?:(?<m>\d{1,2})-)?(?<l>\d{1,3})-(?<d>\d{1,3})(?=\s|$)|(?:(?<m>\d{1,3})号机\s*)?(?<l>\d{1,3})回路\s*(?<d>\d{1,3})号", RegexOptions.CultureInvariant)]
    private static partial Regex AddressInText();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    private enum LineKind
    {
        Filler,
        Date,
        Address,
        Content,
    }
}
