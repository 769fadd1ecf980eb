using System.Text;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.ContactId;

/// <summary>
/// Contact ID (SIA DC-05) as a receiver or panel prints it on a serial line: one message per line, 16 digits with or
/// without spaces (<c>1234 18 1 110 01 015 8</c>). The check digit is verified (sum of the digits, 0 counting 10, a multiple
/// of 15); a message that fails it or its layout is an error record, never an event. Qualifier 1 → active, 3 → cleared,
/// 6 (status: condition still present) → active with "status" in the label. Point = zone/user, Zone = group/partition.
/// </summary>
public sealed class ContactIdParser(PanelContext context) : IPanelParser
{
    private readonly PrinterLineAssembler _lines = new(128);
    private readonly List<PrinterLine> _pending = [];

    public string Format => "contact-id";

    public long NoiseBytes => _lines.NoiseBytes;

    public IReadOnlyList<PanelRecord> Feed(ReadOnlySpan<byte> data)
    {
        _pending.Clear();
        _lines.Feed(data, _pending);
        var records = new List<PanelRecord>(_pending.Count);
        foreach (var line in _pending)
        {
            Decode(line, records);
        }

        return records;
    }

    public IReadOnlyList<PanelRecord> Flush()
    {
        var records = new List<PanelRecord>();
        if (_lines.Flush() is { } open)
        {
            Decode(open, records);
        }

        return records;
    }

    private void Decode(PrinterLine line, List<PanelRecord> records)
    {
        var text = Encoding.Latin1.GetString(line.Bytes).Trim();
        if (line.Kind == PrinterLineKind.TooLong)
        {
            records.Add(PanelRecord.FromError("too_long", text));
            return;
        }

        if (text.Length == 0)
        {
            return;
        }

        if (line.Kind == PrinterLineKind.Truncated)
        {
            records.Add(PanelRecord.FromError("truncated", text));
            return;
        }

        var message = ContactIdMessage.TryParse(new string([.. text.Where(c => c != ' ')]), out var reason);
        if (message is null)
        {
            records.Add(PanelRecord.FromError(reason, text));
            return;
        }

        records.Add(ToRecord(message, text, context));
    }

    /// <summary>The event for a valid message, or <c>unknown_event</c> for a code with no fire-safety meaning here.</summary>
    internal static PanelRecord ToRecord(ContactIdMessage message, string raw, PanelContext context, byte[]? reply = null)
    {
        if (!ContactIdCodes.TryMap(message.Code, out var type))
        {
            return PanelRecord.FromError("unknown_event", raw, reply);
        }

        var state = message.Qualifier == '3' ? EventState.Cleared : EventState.Active;
        var label = $"account {message.Account} code {message.Code:D3}" + (message.Qualifier == '6' ? " status" : string.Empty);
        return PanelRecord.FromEvent(new DeviceEvent(context.Device, type, state, context.Time.GetUtcNow())
        {
            Point = message.Zone,
            Zone = "G" + message.Group,
            Label = label,
            Raw = raw,
        }, reply);
    }
}
