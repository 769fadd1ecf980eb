using System.Device.I2c;

namespace Campus.IoT.Devices.Sensors.Simulation;

/// <summary>
/// An SHT3x on a simulated I2C bus (as dotnet/iot tests simulate I2C devices): answers a measurement command with the
/// encoded temperature and humidity and their CRC-8, or with a corrupted CRC, or fails like a bus without the device.
/// </summary>
public sealed class SimulatedSht3x(int busId = 1, int address = Sht3xSensor.DefaultAddress) : I2cDevice
{
    private readonly byte[] _answer = new byte[6];
    private bool _measured;

    public double Celsius { get; set; } = 20;

    public double Humidity { get; set; } = 50;

    public bool CorruptCrc { get; set; }

    public bool Absent { get; set; }

    public int Measurements { get; private set; }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(busId, address);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfAbsent();
        if (buffer.SequenceEqual((ReadOnlySpan<byte>)[0x2C, 0x06]))
        {
            var st = (ushort)Math.Round((Celsius + 45) * 65535 / 175);
            var srh = (ushort)Math.Round(Humidity * 65535 / 100);
            _answer[0] = (byte)(st >> 8);
            _answer[1] = (byte)st;
            _answer[2] = Sht3xSensor.Crc8(_answer.AsSpan(0, 2));
            _answer[3] = (byte)(srh >> 8);
            _answer[4] = (byte)srh;
            _answer[5] = Sht3xSensor.Crc8(_answer.AsSpan(3, 2));
            if (CorruptCrc)
            {
                _answer[5] ^= 0x01;
            }

            _measured = true;
            Measurements++;
        }
    }

    public override void Read(Span<byte> buffer)
    {
        ThrowIfAbsent();
        if (!_measured)
        {
            throw new IOException("no measurement was started");
        }

        _answer.AsSpan(0, buffer.Length).CopyTo(buffer);
        _measured = false;
    }

    public override byte ReadByte() => throw new NotSupportedException();

    public override void WriteByte(byte value) => throw new NotSupportedException();

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void ThrowIfAbsent()
    {
        if (Absent)
        {
            throw new IOException($"no device answers at 0x{ConnectionSettings.DeviceAddress:X2} on bus {ConnectionSettings.BusId}");
        }
    }
}
