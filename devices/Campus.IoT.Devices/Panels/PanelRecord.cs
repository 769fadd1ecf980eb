using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels;

/// <summary>
/// One unit decoded from a panel's output: an event, or an error with its reason (never a guessed event), or only a reply.
/// Any of them may carry a <see cref="Reply"/> the gateway must write back to the panel (an ACK or NAK frame) so it stops
/// retransmitting.
/// </summary>
public sealed record PanelRecord
{
    private PanelRecord(DeviceEvent? @event, PanelError? error, byte[]? reply)
    {
        Event = @event;
        Error = error;
        Reply = reply;
    }

    public DeviceEvent? Event { get; }

    public PanelError? Error { get; }

    public byte[]? Reply { get; }

    public static PanelRecord FromEvent(DeviceEvent e, byte[]? reply = null) => new(e, null, reply);

    public static PanelRecord FromError(string reason, string raw, byte[]? reply = null) => new(null, new PanelError(reason, raw), reply);

    /// <summary>A unit that only needs an answer (a supervision poll): neither an event nor an error.</summary>
    public static PanelRecord ReplyOnly(byte[] reply) => new(null, null, reply);
}
