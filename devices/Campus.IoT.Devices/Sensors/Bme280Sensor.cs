using System.Buffers.Binary;
using System.Device.I2c;

namespace Campus.IoT.Devices.Sensors;

/// <summary>
/// A Bosch BME280 on I2C, read through its registers with the datasheet's floating-point compensation (appendix 8.1): chip
/// id 0x60 at 0xD0, calibration at 0x88–0xA1 and 0xE1–0xE7, run in normal mode (so a read never waits on the wall clock)
/// and the latest raw values read from 0xF7–0xFE. Publishes temperature and humidity. Faults: <c>no_device</c> (wrong or
/// missing chip), <c>bus_error</c>, <c>not_ready</c> (the reset value 0x80000: no conversion yet), <c>out_of_range</c>.
/// </summary>
public sealed class Bme280Sensor : IDisposable
{
    public const byte ChipId = 0x60;
    private readonly I2cDevice _device;
    private readonly bool _shouldDispose;
    private Calibration? _calibration;

    /// <summary>Over the board's I2C bus (a Raspberry Pi: bus 1; address 0x76 or 0x77).</summary>
    public Bme280Sensor(int busId, int address)
        : this(I2cDevice.Create(new I2cConnectionSettings(busId, address)))
    {
    }

    public Bme280Sensor(I2cDevice device, bool shouldDispose = true)
    {
        _device = device;
        _shouldDispose = shouldDispose;
    }

    public bool TryRead(out double celsius, out double humidity, out SensorFault? fault)
    {
        celsius = humidity = double.NaN;
        Span<byte> raw = stackalloc byte[8];
        try
        {
            if (_calibration is null && !TryInitialise(out fault))
            {
                return false;
            }

            _device.WriteRead([0xF7], raw);
        }
        catch (IOException ex)
        {
            _calibration = null; // the chip may have been reset or replaced: read its identity and calibration again
            fault = new SensorFault("bus_error", ex.Message);
            return false;
        }

        var adcT = (raw[3] << 12) | (raw[4] << 4) | (raw[5] >> 4);
        var adcH = (raw[6] << 8) | raw[7];
        if (adcT == 0x80000 || adcH == 0x8000)
        {
            fault = new SensorFault("not_ready", "no conversion finished yet (reset value)");
            return false;
        }

        var c = _calibration!;
        (celsius, var tFine) = Temperature(adcT, c.T1, c.T2, c.T3);
        humidity = Humidity(adcH, tFine, c);
        if (celsius is < -40 or > 85)
        {
            fault = new SensorFault("out_of_range", $"{celsius:0.00} °C");
            celsius = humidity = double.NaN;
            return false;
        }

        celsius = Math.Round(celsius, 2);
        humidity = Math.Round(humidity, 1);
        fault = null;
        return true;
    }

    /// <summary>Datasheet appendix 8.1, temperature in double precision; also returns t_fine for the humidity formula.</summary>
    public static (double Celsius, double TFine) Temperature(int adcT, ushort t1, short t2, short t3)
    {
        var var1 = ((adcT / 16384.0) - (t1 / 1024.0)) * t2;
        var var2 = ((adcT / 131072.0) - (t1 / 8192.0)) * ((adcT / 131072.0) - (t1 / 8192.0)) * t3;
        var tFine = var1 + var2;
        return (tFine / 5120.0, tFine);
    }

    public void Dispose()
    {
        if (_shouldDispose)
        {
            _device.Dispose();
        }
    }

    private static double Humidity(int adcH, double tFine, Calibration c)
    {
        var h = tFine - 76800.0;
        h = (adcH - ((c.H4 * 64.0) + (c.H5 / 16384.0 * h))) * (c.H2 / 65536.0 * (1.0 + (c.H6 / 67108864.0 * h * (1.0 + (c.H3 / 67108864.0 * h)))));
        h *= 1.0 - (c.H1 * h / 524288.0);
        return Math.Clamp(h, 0, 100);
    }

    private bool TryInitialise(out SensorFault? fault)
    {
        Span<byte> id = stackalloc byte[1];
        _device.WriteRead([0xD0], id);
        if (id[0] != ChipId)
        {
            fault = new SensorFault("no_device", $"chip id 0x{id[0]:X2}, a BME280 answers 0x{ChipId:X2}");
            return false;
        }

        Span<byte> a = stackalloc byte[26];
        Span<byte> b = stackalloc byte[7];
        _device.WriteRead([0x88], a);
        _device.WriteRead([0xE1], b);
        _calibration = new Calibration(
            BinaryPrimitives.ReadUInt16LittleEndian(a),
            BinaryPrimitives.ReadInt16LittleEndian(a[2..]),
            BinaryPrimitives.ReadInt16LittleEndian(a[4..]),
            a[25],
            BinaryPrimitives.ReadInt16LittleEndian(b),
            b[2],
            (short)((sbyte)b[3] << 4 | (b[4] & 0x0F)),
            (short)((sbyte)b[5] << 4 | (b[4] >> 4)),
            (sbyte)b[6]);

        // Humidity oversampling x1 (takes effect with the next ctrl_meas write), then temperature and pressure x1, normal mode.
        _device.Write([0xF2, 0x01]);
        _device.Write([0xF4, 0b001_001_11]);
        fault = null;
        return true;
    }

    private sealed record Calibration(ushort T1, short T2, short T3, byte H1, short H2, byte H3, short H4, short H5, sbyte H6);
}
