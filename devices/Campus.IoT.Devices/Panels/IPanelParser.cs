namespace Campus.IoT.Devices.Panels;

/// <summary>
/// Turns a panel's serial output into event records. Bytes are fed as they arrive: a unit (line or frame) split across two
/// reads is reassembled; bytes between units that belong to none are skipped and counted. Nothing throws out of a parser:
/// malformed input becomes an error record.
/// </summary>
public interface IPanelParser
{
    /// <summary>The <c>--format</c> name: notifier, est, gst, contact-id, sia-dc09, gbt26875.</summary>
    string Format { get; }

    /// <summary>Bytes skipped as noise between units so far.</summary>
    long NoiseBytes { get; }

    /// <summary>Consumes <paramref name="data"/> and returns the units it completed, in order.</summary>
    IReadOnlyList<PanelRecord> Feed(ReadOnlySpan<byte> data);

    /// <summary>End of input: a partial unit still buffered becomes an error record (<c>truncated</c>).</summary>
    IReadOnlyList<PanelRecord> Flush();
}
