namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>A line of a GST record: its bytes, and its text when they are valid GB18030 (null when they are not).</summary>
internal readonly record struct GstLine(byte[] Bytes, string? Text);
