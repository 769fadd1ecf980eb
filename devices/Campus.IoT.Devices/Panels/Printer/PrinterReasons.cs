namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>The stable error reasons of the printer-port parsers.</summary>
internal static class PrinterReasons
{
    /// <summary>A line over 512 bytes, or a GST record over <see cref="GstPrinterParser.MaxRecordLines"/> lines.</summary>
    public const string TooLong = "too_long";

    /// <summary>Input ended inside a line (or inside a GST record before its event line).</summary>
    public const string Truncated = "truncated";

    /// <summary>The unit is recognisably an event but its fields do not fit the layout (time, date, address, order).</summary>
    public const string BadLayout = "bad_layout";

    /// <summary>A well-formed unit whose event keyword or family this parser does not map.</summary>
    public const string UnknownEvent = "unknown_event";

    /// <summary>A GST record that is not valid GB18030: a corrupted byte, never decoded into guessed text.</summary>
    public const string BadEncoding = "bad_encoding";
}
