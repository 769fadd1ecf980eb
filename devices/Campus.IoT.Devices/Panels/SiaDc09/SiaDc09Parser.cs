using System.Globalization;
using System.Text;
using Campus.IoT.Devices.Panels.ContactId;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.SiaDc09;

/// <summary>
/// SIA DC-09 frames, <c>&lt;LF&gt;CRC 0LLL "ID" seq [Rrcvr] Lpref #acct [data] [_HH:MM:SS,MM-DD-YYYY] &lt;CR&gt;</c>: the CRC-16/ARC and
/// the hex length both cover the span from the first <c>"</c> to just before CR. ADM-CID data is Contact ID
/// (<c>#acct|QXYZ GG CCC</c>, mapped as <see cref="ContactIdParser"/> does); SIA-DCS data is SIA event codes
/// (<c>#acct|Nri1/FA015</c>). Every frame is answered: an ACK echoing seq, receiver, line and account for a frame that
/// checks out (also when its event is unknown here), a NAK for one that fails its CRC or length. A NULL supervision frame
/// is only acknowledged. Encrypted frames (<c>*"ADM-CID"</c>) are refused with a NAK (no keys are configured).
/// </summary>
public sealed class SiaDc09Parser(PanelContext context) : IPanelParser
{
    public const int MaxFrameBytes = 1024;
    private const byte Lf = 0x0A;
    private const byte Cr = 0x0D;

    private readonly List<byte> _frame = new(128);
    private bool _inFrame;
    private long _noise;

    public string Format => "sia-dc09";

    public long NoiseBytes => _noise;

    public IReadOnlyList<PanelRecord> Feed(ReadOnlySpan<byte> data)
    {
        var records = new List<PanelRecord>();
        foreach (var b in data)
        {
            if (b == Lf)
            {
                if (_inFrame && _frame.Count > 0)
                {
                    records.Add(PanelRecord.FromError("truncated", Text(_frame)));
                }

                _inFrame = true;
                _frame.Clear();
            }
            else if (!_inFrame)
            {
                _noise++;
            }
            else if (b == Cr)
            {
                _inFrame = false;
                Decode(Text(_frame), records);
                _frame.Clear();
            }
            else if (_frame.Count >= MaxFrameBytes)
            {
                records.Add(PanelRecord.FromError("too_long", Text(_frame)[..64] + "…", Nak()));
                _inFrame = false;
                _noise += _frame.Count;
                _frame.Clear();
            }
            else
            {
                _frame.Add(b);
            }
        }

        return records;
    }

    public IReadOnlyList<PanelRecord> Flush()
    {
        if (_inFrame && _frame.Count > 0)
        {
            var raw = Text(_frame);
            _inFrame = false;
            _frame.Clear();
            return [PanelRecord.FromError("truncated", raw)];
        }

        _inFrame = false;
        return [];
    }

    /// <summary>Wraps a body (from the first quote on) into a frame: LF, CRC, 0LLL, body, CR.</summary>
    public static byte[] Frame(string body)
    {
        var bytes = Encoding.ASCII.GetBytes(body);
        return Encoding.ASCII.GetBytes($"\n{Crc16Arc.Compute(bytes):X4}0{bytes.Length:X3}{body}\r");
    }

    private void Decode(string content, List<PanelRecord> records)
    {
        if (content.Length < 10 || !ushort.TryParse(content.AsSpan(0, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var crc)
            || content[4] != '0' || !int.TryParse(content.AsSpan(5, 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length))
        {
            records.Add(PanelRecord.FromError("bad_layout", content, Nak()));
            return;
        }

        var body = content[8..];
        if (body.Length != length)
        {
            records.Add(PanelRecord.FromError("bad_length", content, Nak()));
            return;
        }

        if (Crc16Arc.Compute(Encoding.Latin1.GetBytes(body)) != crc)
        {
            records.Add(PanelRecord.FromError("bad_crc", content, Nak()));
            return;
        }

        if (body.StartsWith('*'))
        {
            records.Add(PanelRecord.FromError("encrypted_not_supported", content, Nak()));
            return;
        }

        if (!TryParseBody(body, out var id, out var seq, out var receiver, out var line, out var account, out var data))
        {
            records.Add(PanelRecord.FromError("bad_layout", content, Nak()));
            return;
        }

        var ack = Frame($"\"ACK\"{seq}{(receiver is null ? string.Empty : "R" + receiver)}L{line}#{account}[]{Timestamp()}");
        switch (id)
        {
            case "NULL":
                records.Add(PanelRecord.ReplyOnly(ack));
                break;
            case "ADM-CID":
                records.Add(AdmCid(data, content, ack));
                break;
            case "SIA-DCS":
                SiaDcs(data, content, ack, records);
                break;
            default:
                records.Add(PanelRecord.FromError("unknown_event", content, ack));
                break;
        }
    }

    private PanelRecord AdmCid(string data, string raw, byte[] ack)
    {
        // #acct|QXYZ GG CCC, spaces optional.
        var bar = data.IndexOf('|', StringComparison.Ordinal);
        var digits = bar < 0 ? string.Empty : new string([.. data[(bar + 1)..].Where(c => c != ' ')]);
        if (digits.Length != 9 || !digits.All(char.IsAsciiDigit) || digits[0] is not ('1' or '3' or '6'))
        {
            return PanelRecord.FromError("bad_layout", raw, ack);
        }

        var account = data[..bar].TrimStart('#');
        var message = new ContactIdMessage(account, "18", digits[0], int.Parse(digits.AsSpan(1, 3), CultureInfo.InvariantCulture), digits[4..6], digits[6..9]);
        return ContactIdParser.ToRecord(message, raw, context, ack);
    }

    private void SiaDcs(string data, string raw, byte[] ack, List<PanelRecord> records)
    {
        // #acct|N[modifiers]/CCzzz/CCzzz…: each two-letter upper-case code with its zone is one event.
        var bar = data.IndexOf('|', StringComparison.Ordinal);
        var blocks = bar < 0 ? string.Empty : data[(bar + 1)..];
        if (blocks.Length == 0 || blocks[0] is not ('N' or 'O'))
        {
            records.Add(PanelRecord.FromError("bad_layout", raw, ack));
            return;
        }

        var first = true;
        foreach (var token in blocks[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            // Lower-case modifiers (ri area, id user, pi peripheral, ti time) precede the code in the same token.
            var start = 0;
            while (start < token.Length && !char.IsAsciiLetterUpper(token[start]))
            {
                start++;
            }

            if (start + 2 > token.Length || !char.IsAsciiLetterUpper(token[start + 1]))
            {
                continue;
            }

            var code = token.Substring(start, 2);
            var zone = token[(start + 2)..];
            var reply = first ? ack : null;
            first = false;
            if (!SiaCodes.TryMap(code, out var type, out var state))
            {
                records.Add(PanelRecord.FromError("unknown_event", raw, reply));
                continue;
            }

            records.Add(PanelRecord.FromEvent(new DeviceEvent(context.Device, type, state, context.Time.GetUtcNow())
            {
                Point = zone.Length > 0 ? zone : null,
                Label = $"account {data[..bar].TrimStart('#')} SIA {code}",
                Raw = raw,
            }, reply));
        }

        if (first)
        {
            records.Add(PanelRecord.FromError("bad_layout", raw, ack));
        }
    }

    /// <summary>"ID"seq[Rrcvr]Lpref#acct[data]…: receiver and line are 1-6 hex digits, account 3-16 letters or digits.</summary>
    private static bool TryParseBody(string body, out string id, out string seq, out string? receiver, out string line, out string account, out string data)
    {
        id = seq = line = account = data = string.Empty;
        receiver = null;
        if (body.Length < 2 || body[0] != '"')
        {
            return false;
        }

        var close = body.IndexOf('"', 1);
        if (close < 2 || body.Length < close + 5)
        {
            return false;
        }

        id = body[1..close];
        seq = body.Substring(close + 1, 4);
        if (!seq.All(char.IsAsciiDigit))
        {
            return false;
        }

        var i = close + 5;
        string Hex(ref int at)
        {
            var from = at;
            while (at < body.Length && char.IsAsciiHexDigit(body[at]))
            {
                at++;
            }

            return body[from..at];
        }

        if (i < body.Length && body[i] == 'R')
        {
            i++;
            receiver = Hex(ref i);
            if (receiver.Length is < 1 or > 6)
            {
                return false;
            }
        }

        if (i >= body.Length || body[i] != 'L')
        {
            return false;
        }

        i++;
        line = Hex(ref i);
        if (line.Length is < 1 or > 6 || i >= body.Length || body[i] != '#')
        {
            return false;
        }

        i++;
        // DC-09 says 3-16 hex digits; some devices send letters beyond F (XTRM189 in a public capture): accept alphanumerics.
        var from = i;
        while (i < body.Length && char.IsAsciiLetterOrDigit(body[i]))
        {
            i++;
        }

        account = body[from..i];
        var open = i < body.Length && body[i] == '[' ? i : -1;
        var end = open < 0 ? -1 : body.IndexOf(']', open);
        if (account.Length is < 3 or > 16 || end < 0)
        {
            return false;
        }

        data = body[(open + 1)..end];
        return true;
    }

    private byte[] Nak() => Frame($"\"NAK\"0000R0L0A0[]{Timestamp()}");

    private string Timestamp() => context.Time.GetUtcNow().ToString("'_'HH:mm:ss,MM-dd-yyyy", CultureInfo.InvariantCulture);

    private static string Text(List<byte> bytes) => Encoding.Latin1.GetString([.. bytes]);
}
