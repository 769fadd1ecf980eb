using System.Device.Spi;

namespace Campus.IoT.Devices.Sensors.Simulation;

/// <summary>An MCP3008 on a simulated SPI bus: answers the single-ended read protocol with the value set per channel.</summary>
public sealed class SimulatedMcp3008 : SpiDevice
{
    private readonly int[] _values = new int[8];

    public bool Absent { get; set; }

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0);

    public void Set(int channel, int value) => _values[channel] = Math.Clamp(value, 0, 1023);

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (Absent)
        {
            throw new IOException("no answer on SPI0.0");
        }

        if (writeBuffer.Length != 3 || writeBuffer[0] != 0x01 || (writeBuffer[1] & 0x80) == 0)
        {
            throw new IOException("not an MCP3008 single-ended read");
        }

        var value = _values[(writeBuffer[1] >> 4) & 0x07];
        readBuffer[0] = 0x00;
        readBuffer[1] = (byte)((value >> 8) & 0x03);
        readBuffer[2] = (byte)value;
    }

    public override byte ReadByte() => throw new NotSupportedException();

    public override void Read(Span<byte> buffer) => throw new NotSupportedException();

    public override void WriteByte(byte value) => throw new NotSupportedException();

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException();
}
