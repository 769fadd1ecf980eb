using System.IO.Ports;

namespace Campus.IoT.Gateway.Panels;

/// <summary>A fire panel's serial port: path (e.g. <c>/dev/ttyUSB0</c>) and line settings, and the panel's protocol.</summary>
public sealed record SerialPanelOptions(string PortName, string Format)
{
    public int BaudRate { get; init; } = 9600;

    public Parity Parity { get; init; } = Parity.None;

    public int DataBits { get; init; } = 8;

    public StopBits StopBits { get; init; } = StopBits.One;

    /// <summary>How long a blocking read waits before the loop checks for shutdown.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(250);
}
