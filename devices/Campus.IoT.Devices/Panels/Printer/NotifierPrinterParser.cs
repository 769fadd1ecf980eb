using System.Globalization;
using System.Text.RegularExpressions;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Notifier NFS-320 / NFS2-640 / NFS2-3030 printer or CRT port in 80-column mode, <c>--format notifier</c>: one event per
/// line, fields separated by runs of two or more spaces —
/// <c>FIRE ALARM  SMOKE(PHOTO)  3RD FLOOR LAB  Z003  10:32A 041519 1D012</c>: event keyword, device type code, custom
/// label, zone, panel time (12-hour, A/P), date MMDDYY, address (<c>1D012</c> loop 1 detector 12, <c>1M002</c> module,
/// or a panel-level token such as <c>N001</c>, <c>B01</c>, <c>P1.1</c>; a weekday abbreviation there is ignored).
/// <para>
/// Keywords (after FieldServer FS-8700-130, appendix A.1): FIRE ALARM / ALARM: → fire_alarm active, refined by the device
/// type (SMOKE, PHOTO, ION, LASER, BEAM, DUCT… → smoke; HEAT, THERMAL → heat; PULL, MANUAL → manual_call_point; WATERFLOW
/// → waterflow; none or several classes → fire_alarm); CLEARED FIRE ALARM / CLEARED ALARM → the same, cleared; TROUBLE /
/// TROUBL → trouble active, CLEARED TROUBLE / CLR TBL → cleared; SUPERVISORY, CLEARED SUPERVISORY; DISABLED, CLEARED
/// DISABLED; SYSTEM RESET → reset; ALARM SILENCED → silence; ACKNOWLEDGE → acknowledge; SYSTEM NORMAL → reset (the panel
/// prints it only once no off-normal point remains, so it is a restore-all; FieldServer clears every point on it by
/// default). Anything else — PREALARM, ACTIVE, SECURITY, other languages — is <c>unknown_event</c>.
/// </para>
/// </summary>
public sealed partial class NotifierPrinterParser : IPanelParser
{
    /// <summary>Longest first, so CLEARED FIRE ALARM wins over FIRE ALARM and ALARM SILENCED over ALARM.</summary>
    private static readonly NotifierKeyword[] Keywords = new NotifierKeyword[]
    {
        new("CLEARED FIRE ALARM", EventType.FireAlarm, EventState.Cleared),
        new("FIRE ALARM", EventType.FireAlarm, EventState.Active),
        new("CLEARED ALARM", EventType.FireAlarm, EventState.Cleared),
        new("ALARM:", EventType.FireAlarm, EventState.Active),
        new("ALARM", EventType.FireAlarm, EventState.Active),
        new("CLEARED TROUBLE", EventType.Trouble, EventState.Cleared),
        new("CLR TBL", EventType.Trouble, EventState.Cleared),
        new("TROUBLE", EventType.Trouble, EventState.Active),
        new("TROUBL", EventType.Trouble, EventState.Active),
        new("CLEARED SUPERVISORY", EventType.Supervisory, EventState.Cleared),
        new("SUPERVISORY", EventType.Supervisory, EventState.Active),
        new("CLEARED DISABLED", EventType.Disabled, EventState.Cleared),
        new("DISABLED", EventType.Disabled, EventState.Active),
        new("SYSTEM RESET", EventType.Reset, EventState.Active, IsSystem: true),
        new("SYSTEM NORMAL", EventType.Reset, EventState.Active, IsSystem: true),
        new("ALARM SILENCED", EventType.Silence, EventState.Active, IsSystem: true),
        new("ACKNOWLEDGE", EventType.Acknowledge, EventState.Active, IsSystem: true),
    }.OrderByDescending(k => k.Text.Length).ToArray();

    private static readonly string[] SmokeWords = ["SMOKE", "PHOTO", "ION", "LASER", "BEAM", "DUCT", "DUCTI", "DUCTP", "DUCTL", "ASPIRATION"];
    private static readonly string[] HeatWords = ["HEAT", "THERMAL"];
    private static readonly string[] ManualWords = ["PULL", "MANUAL"];
    private static readonly string[] WaterflowWords = ["WATERFLOW"];

    private readonly PanelContext _context;
    private readonly PrinterLineAssembler _assembler = new();
    private readonly List<PrinterLine> _lines = [];
    private long _ruleBytes;

    public NotifierPrinterParser(PanelContext context)
    {
        _context = context;
    }

    public string Format => "notifier";

    public long NoiseBytes => _assembler.NoiseBytes + _ruleBytes;

    public IReadOnlyList<PanelRecord> Feed(ReadOnlySpan<byte> data)
    {
        var output = new List<PanelRecord>();
        _lines.Clear();
        _assembler.Feed(data, _lines);
        foreach (var line in _lines)
        {
            if (OnLine(line) is { } record)
            {
                output.Add(record);
            }
        }

        return output;
    }

    public IReadOnlyList<PanelRecord> Flush() =>
        _assembler.Flush() is { } open ? [PanelRecord.FromError(PrinterReasons.Truncated, PrinterText.Latin1(open.Bytes).Trim())] : [];

    private PanelRecord? OnLine(PrinterLine line)
    {
        var text = PrinterText.Latin1(line.Bytes).Trim();
        if (line.Kind == PrinterLineKind.TooLong)
        {
            return PanelRecord.FromError(PrinterReasons.TooLong, text);
        }

        if (text.Length == 0)
        {
            return null;
        }

        if (PrinterText.IsSeparator(text))
        {
            _ruleBytes += line.Bytes.Length;
            return null;
        }

        return Parse(text);
    }

    private PanelRecord Parse(string text)
    {
        if (Match(text) is not { } keyword)
        {
            return PanelRecord.FromError(PrinterReasons.UnknownEvent, text);
        }

        var rest = text[keyword.Text.Length..];
        var trailer = TrailerPattern().Match(rest);
        if (!trailer.Success || !ValidTime(trailer.Groups["time"].Value) || !ValidDate(trailer.Groups["date"].Value)
            || !TryPoint(trailer.Groups["tail"].Value, out var point))
        {
            return PanelRecord.FromError(PrinterReasons.BadLayout, text);
        }

        var head = rest[..trailer.Index];
        if (SecondTrailer().IsMatch(head))
        {
            return PanelRecord.FromError(PrinterReasons.BadLayout, text); // two lines run together: a line end was lost
        }

        var fields = FieldSeparator().Split(head.Trim()).Where(f => f.Length > 0).ToList();
        string? zone = null;
        var zoneAt = fields.FindLastIndex(f => ZonePattern().IsMatch(f));
        if (zoneAt >= 0)
        {
            zone = fields[zoneAt];
            fields.RemoveAt(zoneAt);
        }

        var type = keyword.Type;
        string? label;
        if (keyword.IsSystem)
        {
            label = fields.Count > 0 ? string.Join(' ', fields) : null;
        }
        else
        {
            if (keyword.IsFire && fields.Count > 0)
            {
                type = Refine(fields[0]);
            }

            label = fields.Count > 1 ? string.Join(' ', fields.Skip(1)) : null;
        }

        return PanelRecord.FromEvent(new DeviceEvent(_context.Device, type, keyword.State, _context.Time.GetUtcNow())
        {
            Point = point,
            Zone = zone,
            Label = label,
            Raw = text,
        });
    }

    /// <summary>The longest keyword the line starts with, followed by a field break. Bare ALARM needs two spaces after it.</summary>
    private static NotifierKeyword? Match(string text)
    {
        foreach (var keyword in Keywords)
        {
            if (!text.StartsWith(keyword.Text, StringComparison.Ordinal))
            {
                continue;
            }

            var after = text.AsSpan(keyword.Text.Length);
            var needed = keyword.Text == "ALARM" ? 2 : 1;
            if (keyword.Text.EndsWith(':') || after.Length == 0 || (after.Length >= needed && after[..needed].IsWhiteSpace()))
            {
                return keyword;
            }
        }

        return null;
    }

    /// <summary>Device type code → event type, by whole words; a code naming no class or several stays fire_alarm.</summary>
    private static EventType Refine(string deviceType)
    {
        var words = WordSeparator().Split(deviceType);
        var found = new List<EventType>(2);
        Add(SmokeWords, EventType.Smoke);
        Add(HeatWords, EventType.Heat);
        Add(ManualWords, EventType.ManualCallPoint);
        Add(WaterflowWords, EventType.Waterflow);
        return found.Count == 1 ? found[0] : EventType.FireAlarm;

        void Add(string[] vocabulary, EventType type)
        {
            if (words.Any(w => vocabulary.Contains(w, StringComparer.Ordinal)))
            {
                found.Add(type);
            }
        }
    }

    private static bool TryPoint(string tail, out string? point)
    {
        point = null;
        if (tail.Length == 0 || WeekdayPattern().IsMatch(tail))
        {
            return true;
        }

        if (AddressPattern().IsMatch(tail))
        {
            point = tail;
            return true;
        }

        return false;
    }

    private static bool ValidTime(string time)
    {
        var colon = time.IndexOf(':', StringComparison.Ordinal);
        var hour = int.Parse(time.AsSpan(0, colon), CultureInfo.InvariantCulture);
        var minute = int.Parse(time.AsSpan(colon + 1, 2), CultureInfo.InvariantCulture);
        return hour is >= 1 and <= 12 && minute <= 59;
    }

    private static bool ValidDate(string mmddyy)
    {
        var month = int.Parse(mmddyy.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(mmddyy.AsSpan(2, 2), CultureInfo.InvariantCulture);
        return month is >= 1 and <= 12 && day is >= 1 and <= 31;
    }

    [GeneratedRegex(@"(?:^|\s)(?<time>\d{1,2}:\d{2}[AP])\s+(?<date>\d{6})(?:\s+(?<tail>\S+))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailerPattern();

    [GeneratedRegex(@"\d{1,2}:\d{2}[AP]\s*\d{6}", RegexOptions.CultureInvariant)]
    private static partial Regex SecondTrailer();

    [GeneratedRegex(@"\s{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex FieldSeparator();

    [GeneratedRegex(@"[^A-Z]+", RegexOptions.CultureInvariant)]
    private static partial Regex WordSeparator();

    [GeneratedRegex(@"^Z\d{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex ZonePattern();

    /// <summary>Loop device <c>1D012</c> / module <c>1M002</c>, or a panel token with a number: N001, B01, P1.1, R01.</summary>
    [GeneratedRegex(@"^(?:\d{1,2}[DM]\d{3}|[A-Z]{1,2}\d{1,3}(?:\.\d{1,3})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"^[A-Za-z]{2,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex WeekdayPattern();
}
