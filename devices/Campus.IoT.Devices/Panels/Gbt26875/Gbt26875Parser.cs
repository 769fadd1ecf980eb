using System.Buffers.Binary;
using System.Text;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Gbt26875;

/// <summary>
/// GB/T 26875.3-2011 frames from a user information transmission device (用户信息传输装置) or a panel speaking it. Every
/// send-data frame (command 2) is answered with a confirm frame (command 3), one that fails its checksum with a deny
/// (command 6). Information objects acted on:
/// <list type="bullet">
/// <item>type 1, building fire system status (system type, address, 2-byte status, time): fire (bit 1), fault (bit 2),
/// main/backup power fault (bits 8, 9), reset (bit 13);</item>
/// <item>type 2, component status (system type, address, component type, 4-byte address, 2-byte status, 31-byte GB18030
/// description, time): fire (bit 1), fault (bit 2), shielded (bit 3), supervisory (bit 4), power fault (bit 8);</item>
/// <item>type 4, building fire system operation (flags: reset bit 0, silence bit 1, manual alarm bit 2, self-test bit 4,
/// test bit 6) and type 24, the same for the transmission device;</item>
/// <item>type 21, transmission device status: fire (bit 1), fault (bit 2), main/backup power fault (bits 3, 4).</item>
/// </list>
/// A status that no longer carries a condition the same source reported before clears it (<c>cleared</c> events); the
/// parser remembers the active conditions of at most 10 000 sources. Other object types are <c>unknown_event</c>.
/// </summary>
public sealed class Gbt26875Parser(PanelContext context) : IPanelParser
{
    public const int MaxDataBytes = 4096;
    public const int MaxTrackedSources = 10_000;

    private static readonly Encoding Gb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936)
        ?? throw new InvalidOperationException("GB18030 (code page 54936) is not available.");

    private static readonly (int Bit, EventType Type)[] ComponentBits =
        [(1, EventType.FireAlarm), (2, EventType.Trouble), (3, EventType.Disabled), (4, EventType.Supervisory), (8, EventType.PowerFault)];

    private static readonly (int Bit, EventType Type)[] SystemBits =
        [(1, EventType.FireAlarm), (2, EventType.Trouble), (8, EventType.PowerFault), (9, EventType.PowerFault)];

    private static readonly (int Bit, EventType Type)[] DeviceBits =
        [(1, EventType.FireAlarm), (2, EventType.Trouble), (3, EventType.PowerFault), (4, EventType.PowerFault)];

    private static readonly (int Bit, EventType Type)[] OperationBits =
        [(0, EventType.Reset), (1, EventType.Silence), (2, EventType.ManualCallPoint), (4, EventType.Test), (6, EventType.Test)];

    private readonly List<byte> _buffer = [];
    private readonly Dictionary<string, HashSet<EventType>> _active = new(StringComparer.Ordinal);
    private long _noise;

    public string Format => "gbt26875";

    public long NoiseBytes => _noise;

    public IReadOnlyList<PanelRecord> Feed(ReadOnlySpan<byte> data)
    {
        var records = new List<PanelRecord>();
        foreach (var b in data)
        {
            _buffer.Add(b);
        }

        while (TryTakeFrame(records))
        {
        }

        return records;
    }

    public IReadOnlyList<PanelRecord> Flush()
    {
        var records = new List<PanelRecord>();
        if (_buffer.Count >= 2 && _buffer[0] == 0x40 && _buffer[1] == 0x40)
        {
            records.Add(PanelRecord.FromError("truncated", Convert.ToHexString([.. _buffer])));
        }
        else
        {
            _noise += _buffer.Count;
        }

        _buffer.Clear();
        return records;
    }

    /// <summary>Takes one complete unit off the front of the buffer; false when more bytes are needed.</summary>
    private bool TryTakeFrame(List<PanelRecord> records)
    {
        // Resynchronise on the start bytes; everything before them is noise.
        var start = 0;
        while (start < _buffer.Count && !(_buffer[start] == 0x40 && (start + 1 == _buffer.Count || _buffer[start + 1] == 0x40)))
        {
            start++;
        }

        if (start > 0)
        {
            _noise += start;
            _buffer.RemoveRange(0, start);
        }

        if (_buffer.Count < 2 + Gbt26875Frame.ControlUnitBytes)
        {
            return false;
        }

        var length = _buffer[2 + 22] | (_buffer[2 + 23] << 8);
        if (length > MaxDataBytes)
        {
            records.Add(PanelRecord.FromError("bad_length", Convert.ToHexString([.. _buffer.GetRange(0, 2 + Gbt26875Frame.ControlUnitBytes)])));
            Skip(2);
            return true;
        }

        var total = Gbt26875Frame.OverheadBytes + length;
        if (_buffer.Count < total)
        {
            return false;
        }

        var frame = _buffer.GetRange(0, total).ToArray();
        var hex = Convert.ToHexString(frame);
        if (frame[^2] != 0x23 || frame[^1] != 0x23)
        {
            // The length does not lead to the end bytes: a damaged length or a lost byte. Drop the start and look again.
            records.Add(PanelRecord.FromError("bad_end", hex));
            Skip(2);
            return true;
        }

        _buffer.RemoveRange(0, total);
        var decoded = Gbt26875Frame.Decode(frame);
        var now = context.Time.GetUtcNow();
        if (Gbt26875Frame.Checksum(frame.AsSpan(2, Gbt26875Frame.ControlUnitBytes + length)) != frame[^3])
        {
            records.Add(PanelRecord.FromError("bad_checksum", hex, decoded.Answer(Gbt26875Frame.Deny, now)));
            return true;
        }

        if (decoded.Command is not (Gbt26875Frame.SendData or Gbt26875Frame.Response))
        {
            // Confirm, deny, control and request frames carry no events for us and need no answer from a receiver.
            return true;
        }

        var reply = decoded.Command == Gbt26875Frame.SendData ? decoded.Answer(Gbt26875Frame.Confirm, now) : null;
        var before = records.Count;
        DecodeData(decoded.Data, hex, records);
        if (reply is not null)
        {
            if (records.Count > before)
            {
                records[before] = WithReply(records[before], reply);
            }
            else
            {
                records.Add(PanelRecord.ReplyOnly(reply));
            }
        }

        return true;
    }

    private void DecodeData(byte[] data, string hex, List<PanelRecord> records)
    {
        if (data.Length < 2)
        {
            records.Add(PanelRecord.FromError("bad_layout", hex));
            return;
        }

        var type = data[0];
        var count = data[1];
        var size = type switch { 1 => 10, 2 => 46, 4 => 10, 21 => 7, 24 => 8, _ => -1 };
        if (size < 0)
        {
            records.Add(PanelRecord.FromError("unknown_event", hex));
            return;
        }

        if (count == 0 || data.Length != 2 + (count * size))
        {
            records.Add(PanelRecord.FromError("bad_layout", hex));
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var o = data.AsSpan(2 + (i * size), size);
            switch (type)
            {
                case 1:
                    Status($"sys:{o[0]}:{o[1]}", $"{o[0]:D2}-{o[1]:D3}", null, BinaryPrimitives.ReadUInt16LittleEndian(o[2..4]), SystemBits, 13, hex, records);
                    break;
                case 2:
                    var address = BinaryPrimitives.ReadUInt32LittleEndian(o[3..7]);
                    var label = Gb18030.GetString(o[9..40]).TrimEnd('\0', ' ');
                    Status($"part:{o[0]}:{o[1]}:{address}", $"{o[1]:D3}-{address:D6}", label.Length > 0 ? label : null, BinaryPrimitives.ReadUInt16LittleEndian(o[7..9]), ComponentBits, -1, hex, records);
                    break;
                case 21:
                    Status("device", "device", null, o[0], DeviceBits, -1, hex, records);
                    break;
                default:
                    // 4 (system operation: system type, address, flags, operator) and 24 (device operation: flags, operator).
                    var flags = type == 4 ? o[2] : o[0];
                    Operations(flags, type == 4 ? $"{o[0]:D2}-{o[1]:D3}" : "device", hex, records);
                    break;
            }
        }
    }

    private void Status(string source, string point, string? label, int status, (int Bit, EventType Type)[] bits, int resetBit, string hex, List<PanelRecord> records)
    {
        if (!_active.TryGetValue(source, out var active))
        {
            if (_active.Count >= MaxTrackedSources)
            {
                _active.Clear();
            }

            active = [];
            _active[source] = active;
        }

        var now = context.Time.GetUtcNow();
        var reported = new HashSet<EventType>();
        foreach (var (bit, type) in bits)
        {
            if ((status & (1 << bit)) != 0 && reported.Add(type) && active.Add(type))
            {
                records.Add(Event(type, EventState.Active, point, label, hex, now));
            }
        }

        foreach (var type in active.Where(t => !reported.Contains(t)).ToList())
        {
            active.Remove(type);
            records.Add(Event(type, EventState.Cleared, point, label, hex, now));
        }

        if (resetBit >= 0 && (status & (1 << resetBit)) != 0)
        {
            records.Add(Event(EventType.Reset, EventState.Active, point, label, hex, now));
        }
    }

    private void Operations(int flags, string point, string hex, List<PanelRecord> records)
    {
        var now = context.Time.GetUtcNow();
        var any = false;
        foreach (var (bit, type) in OperationBits)
        {
            if ((flags & (1 << bit)) != 0)
            {
                any = true;
                records.Add(Event(type, EventState.Active, point, null, hex, now));
            }
        }

        if (!any)
        {
            records.Add(PanelRecord.FromError("unknown_event", hex));
        }
    }

    private PanelRecord Event(EventType type, EventState state, string point, string? label, string hex, DateTimeOffset now) =>
        PanelRecord.FromEvent(new DeviceEvent(context.Device, type, state, now) { Point = point, Label = label, Raw = hex });

    private static PanelRecord WithReply(PanelRecord record, byte[] reply) =>
        record.Event is { } e ? PanelRecord.FromEvent(e, reply) : PanelRecord.FromError(record.Error!.Reason, record.Error.Raw, reply);

    private void Skip(int count)
    {
        _noise += count;
        _buffer.RemoveRange(0, Math.Min(count, _buffer.Count));
    }
}
