using System.Buffers.Binary;
using System.Device.I2c;

namespace Campus.IoT.Devices.Sensors.Simulation;

/// <summary>
/// A BME280 register map on a simulated I2C bus: chip id, calibration words and raw ADC values as a test sets them; register
/// reads by address (write the register, read the bytes), register writes recorded.
/// </summary>
public sealed class SimulatedBme280 : I2cDevice
{
    private readonly byte[] _registers = new byte[256];
    private byte _pointer;

    public SimulatedBme280(byte chipId = Bme280Sensor.ChipId)
    {
        _registers[0xD0] = chipId;
        SetRaw(0x80000, 0x8000);
    }

    public bool Absent { get; set; }

    public byte this[int register] => _registers[register];

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x76);

    public void SetTemperatureCalibration(ushort t1, short t2, short t3)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_registers.AsSpan(0x88), t1);
        BinaryPrimitives.WriteInt16LittleEndian(_registers.AsSpan(0x8A), t2);
        BinaryPrimitives.WriteInt16LittleEndian(_registers.AsSpan(0x8C), t3);
    }

    public void SetHumidityCalibration(byte h1, short h2, byte h3, short h4, short h5, sbyte h6)
    {
        _registers[0xA1] = h1;
        BinaryPrimitives.WriteInt16LittleEndian(_registers.AsSpan(0xE1), h2);
        _registers[0xE3] = h3;
        _registers[0xE4] = (byte)(h4 >> 4);
        _registers[0xE5] = (byte)((h4 & 0x0F) | ((h5 & 0x0F) << 4));
        _registers[0xE6] = (byte)(h5 >> 4);
        _registers[0xE7] = (byte)h6;
    }

    public void SetRaw(int adcT, int adcH)
    {
        _registers[0xFA] = (byte)(adcT >> 12);
        _registers[0xFB] = (byte)(adcT >> 4);
        _registers[0xFC] = (byte)((adcT & 0x0F) << 4);
        _registers[0xFD] = (byte)(adcH >> 8);
        _registers[0xFE] = (byte)adcH;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfAbsent();
        _pointer = buffer[0];
        for (var i = 1; i < buffer.Length; i++)
        {
            _registers[(byte)(_pointer + i - 1)] = buffer[i];
        }
    }

    public override void Read(Span<byte> buffer)
    {
        ThrowIfAbsent();
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = _registers[(byte)(_pointer + i)];
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    public override byte ReadByte() => throw new NotSupportedException();

    public override void WriteByte(byte value) => throw new NotSupportedException();

    private void ThrowIfAbsent()
    {
        if (Absent)
        {
            throw new IOException("no device answers at 0x76 on bus 1");
        }
    }
}
