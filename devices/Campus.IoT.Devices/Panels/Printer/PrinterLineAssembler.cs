namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// Turns a printer/CRT byte stream into lines, shared by the three text formats. Lines end with CR, LF, CRLF or LFCR (a
/// pair of different end-of-line bytes counts once). Printer control is removed and counted as noise: ESC, FS and GS
/// sequences with their parameter bytes (ESC @, ESC E/F, ESC - n, ESC 2, ESC 3 n, ESC d n, ESC 6/9 of the GST printers,
/// FS &amp; / FS . for Chinese mode, GS V m …), form feeds, NUL and every other C0 control and DEL. A TAB becomes a space.
/// Work happens on raw bytes, so a GB18030 character split across reads is reassembled before anyone decodes it: CR, LF
/// and the control bytes never occur inside a GB18030 multi-byte character. A line longer than the limit is reported once
/// as <see cref="PrinterLineKind.TooLong"/> and the rest of it, up to the next end of line, is dropped as noise.
/// </summary>
internal sealed class PrinterLineAssembler
{
    public const int DefaultMaxLineBytes = 512;

    private const byte Esc = 0x1B;
    private const byte Fs = 0x1C;
    private const byte Gs = 0x1D;
    private const byte Cr = 0x0D;
    private const byte Lf = 0x0A;
    private const byte Tab = 0x09;
    private const byte Del = 0x7F;

    private readonly byte[] _buffer;
    private int _length;
    private bool _discarding;
    private byte _lastEnd;
    private byte _prefix;
    private byte _command;
    private bool _awaitingCommand;
    private int _parametersLeft;

    public PrinterLineAssembler(int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 16);
        _buffer = new byte[maxLineBytes];
    }

    /// <summary>Bytes removed as printer control, plus the dropped tail of over-long lines.</summary>
    public long NoiseBytes { get; private set; }

    /// <summary>Consumes <paramref name="data"/> and appends the lines it completed to <paramref name="lines"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data, List<PrinterLine> lines)
    {
        foreach (var b in data)
        {
            Accept(b, lines);
        }
    }

    /// <summary>End of input: the open line, if any, as <see cref="PrinterLineKind.Truncated"/>; the assembler starts afresh.</summary>
    public PrinterLine? Flush()
    {
        PrinterLine? open = _length > 0 && !_discarding ? new PrinterLine(_buffer.AsSpan(0, _length).ToArray(), PrinterLineKind.Truncated) : null;
        _length = 0;
        _discarding = false;
        _lastEnd = 0;
        _awaitingCommand = false;
        _parametersLeft = 0;
        return open;
    }

    private void Accept(byte b, List<PrinterLine> lines)
    {
        if (_parametersLeft > 0)
        {
            // A parameter byte is consumed whatever its value: ESC d 10 feeds ten lines, it does not end one.
            _parametersLeft--;
            NoiseBytes++;
            if (_prefix == Gs && _command == (byte)'V' && _parametersLeft == 0 && b >= 65)
            {
                _parametersLeft = 1; // GS V 65/66 n: cut with feed takes one more byte
                _command = 0;
            }

            return;
        }

        if (_awaitingCommand)
        {
            _awaitingCommand = false;
            if (b is not (Cr or Lf))
            {
                NoiseBytes++;
                _command = b;
                _parametersLeft = ParameterCount(_prefix, b);
                return;
            }

            // A lone ESC right before an end of line: the end of line is not swallowed.
        }

        if (b is Cr or Lf)
        {
            if (_lastEnd != 0 && _lastEnd != b)
            {
                _lastEnd = 0; // second half of CRLF or LFCR
                return;
            }

            _lastEnd = b;
            EndLine(lines);
            return;
        }

        _lastEnd = 0;
        switch (b)
        {
            case Esc or Fs or Gs:
                NoiseBytes++;
                _prefix = b;
                _awaitingCommand = true;
                return;
            case Tab:
                Append((byte)' ', lines);
                return;
            case < 0x20 or Del:
                NoiseBytes++;
                return;
            default:
                Append(b, lines);
                return;
        }
    }

    private void Append(byte b, List<PrinterLine> lines)
    {
        if (_discarding)
        {
            NoiseBytes++;
            return;
        }

        if (_length == _buffer.Length)
        {
            lines.Add(new PrinterLine(_buffer.AsSpan(0, _length).ToArray(), PrinterLineKind.TooLong));
            _length = 0;
            _discarding = true;
            NoiseBytes++;
            return;
        }

        _buffer[_length++] = b;
    }

    private void EndLine(List<PrinterLine> lines)
    {
        if (_discarding)
        {
            _discarding = false;
            return;
        }

        lines.Add(new PrinterLine(_buffer.AsSpan(0, _length).ToArray(), PrinterLineKind.Complete));
        _length = 0;
    }

    /// <summary>
    /// Parameter bytes after ESC/FS/GS + command, from the ESC/POS and Chinese micro-printer command sets. Commands not
    /// listed take none (ESC @, ESC E, ESC F, ESC 2, ESC 6, ESC 9, FS &amp;, FS . …): the GST9000 capture shows ESC 6 and
    /// ESC 9 directly followed by text.
    /// </summary>
    private static int ParameterCount(byte prefix, byte command) => (prefix, (char)command) switch
    {
        (Esc, ' ' or '!' or '-' or '3' or '=' or '?' or 'G' or 'J' or 'M' or 'R' or 'U' or 'V' or 'a' or 'd' or 'e' or 'r' or 't' or '{') => 1,
        (Esc, '$' or '\\' or 'c') => 2,
        (Esc, 'p') => 3,
        (Fs, '!' or '-' or 'W') => 1,
        (Fs, 'S' or 'p') => 2,
        (Gs, '!' or 'B' or 'H' or 'I' or 'V' or 'a' or 'f' or 'h' or 'r' or 'w') => 1,
        (Gs, 'L' or 'W' or 'P' or '$' or '\\') => 2,
        _ => 0,
    };
}
