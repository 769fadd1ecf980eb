using System.Device.I2c;

namespace Campus.IoT.Devices.Sensors;

/// <summary>
/// A Sensirion SHT3x (SHT30/31/35) temperature and humidity sensor on I2C, read directly: a single-shot, high-repeatability
/// measurement with clock stretching (command 0x2C06: the sensor holds the clock until it is done, so no wall-clock wait),
/// six bytes back, each 16-bit word followed by its CRC-8 (polynomial 0x31, init 0xFF; the datasheet's example: 0xBEEF →
/// 0x92). The dotnet/iot <c>Sht3x</c> binding is not used because on a CRC mismatch it keeps returning the previous
/// values; here a mismatch is a counted fault. Faults: <c>bus_error</c>, <c>crc_mismatch</c>, <c>out_of_range</c>.
/// </summary>
public sealed class Sht3xSensor(I2cDevice device, bool shouldDispose = true) : IDisposable
{
    /// <summary>Over the board's I2C bus (a Raspberry Pi: bus 1).</summary>
    public Sht3xSensor(int busId, int address = DefaultAddress)
        : this(I2cDevice.Create(new I2cConnectionSettings(busId, address)))
    {
    }

    public const byte DefaultAddress = 0x44;
    private static readonly byte[] MeasureHighRepeatabilityClockStretching = [0x2C, 0x06];

    public bool TryRead(out double celsius, out double humidity, out SensorFault? fault)
    {
        celsius = humidity = double.NaN;
        Span<byte> data = stackalloc byte[6];
        try
        {
            device.Write(MeasureHighRepeatabilityClockStretching);
            device.Read(data);
        }
        catch (IOException ex)
        {
            fault = new SensorFault("bus_error", ex.Message);
            return false;
        }

        if (Crc8(data[..2]) != data[2] || Crc8(data[3..5]) != data[5])
        {
            fault = new SensorFault("crc_mismatch", Convert.ToHexString(data));
            return false;
        }

        var t = -45 + (175.0 * ((data[0] << 8) | data[1]) / 65535.0);
        var rh = 100.0 * ((data[3] << 8) | data[4]) / 65535.0;
        if (t is < -40 or > 125 || rh is < 0 or > 100)
        {
            fault = new SensorFault("out_of_range", $"{t:0.00} °C {rh:0.0} %RH");
            return false;
        }

        celsius = Math.Round(t, 2);
        humidity = Math.Round(rh, 1);
        fault = null;
        return true;
    }

    /// <summary>Sensirion CRC-8: polynomial 0x31, initial value 0xFF, no reflection, no final xor.</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    public void Dispose()
    {
        if (shouldDispose)
        {
            device.Dispose();
        }
    }
}
