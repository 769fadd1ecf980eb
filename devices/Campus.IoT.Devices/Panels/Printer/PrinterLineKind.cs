namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>How a line left the <see cref="PrinterLineAssembler"/>.</summary>
internal enum PrinterLineKind
{
    /// <summary>Ended by CR, LF, CRLF or LFCR; the bytes hold its content (possibly none: a blank line).</summary>
    Complete,

    /// <summary>Grew past the line limit; the bytes hold the first part, the rest up to the next end of line was dropped.</summary>
    TooLong,

    /// <summary>Still open at end of input (<see cref="PrinterLineAssembler.Flush"/>); the bytes hold what arrived.</summary>
    Truncated,
}
