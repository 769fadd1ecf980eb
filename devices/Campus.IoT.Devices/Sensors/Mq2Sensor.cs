using System.Device.Spi;

namespace Campus.IoT.Devices.Sensors;

/// <summary>
/// An MQ-2 gas/smoke sensor's analogue output through an MCP3008 10-bit ADC on SPI. The MCP3008 is read directly (single
/// ended: send <c>01</c>, <c>1000 cccc</c> with the channel in the high nibble, <c>00</c>; the answer's last 10 bits are the
/// value, datasheet fig. 6-1). The voltage becomes the sensor resistance Rs = RL·(Vc − Vout)/Vout, and Rs/R0 (R0: the
/// resistance in clean air, calibrated per sensor) becomes ppm on the datasheet's log-log curve, ppm = 10^((log10(Rs/R0) − b)/m).
/// This is a coarse indicator, not a measuring instrument. A reading at either rail (0 or 1023: disconnected or shorted)
/// is <c>out_of_range</c>; an SPI failure is <c>bus_error</c>.
/// </summary>
public sealed class Mq2Sensor(SpiDevice device, int channel, Mq2Calibration calibration, bool shouldDispose = true) : IDisposable
{
    /// <summary>Over the board's SPI bus (a Raspberry Pi: SPI0, chip select 0), at 1 MHz (the MCP3008 allows 1.35 MHz at 2.7 V).</summary>
    public Mq2Sensor(int busId, int chipSelect, int channel, Mq2Calibration calibration)
        : this(SpiDevice.Create(new SpiConnectionSettings(busId, chipSelect) { ClockFrequency = 1_000_000 }), channel, calibration)
    {
    }

    public bool TryRead(out double ppm, out SensorFault? fault)
    {
        ppm = double.NaN;
        if (channel is < 0 or > 7)
        {
            fault = new SensorFault("bad_config", $"MCP3008 channel {channel} is not 0-7");
            return false;
        }

        Span<byte> request = [0x01, (byte)(0x80 | (channel << 4)), 0x00];
        Span<byte> answer = stackalloc byte[3];
        try
        {
            device.TransferFullDuplex(request, answer);
        }
        catch (IOException ex)
        {
            fault = new SensorFault("bus_error", ex.Message);
            return false;
        }

        var raw = ((answer[1] & 0x03) << 8) | answer[2];
        if (raw is 0 or 1023)
        {
            fault = new SensorFault("out_of_range", $"ADC {raw} (sensor disconnected or shorted)");
            return false;
        }

        var vout = raw * calibration.ReferenceVolts / 1023.0 * calibration.DividerRatio;
        var rs = calibration.LoadOhms * (calibration.SupplyVolts - vout) / vout;
        ppm = Math.Round(Math.Pow(10, (Math.Log10(rs / calibration.CleanAirOhms) - calibration.CurveIntercept) / calibration.CurveSlope), 1);
        fault = null;
        return true;
    }

    public void Dispose()
    {
        if (shouldDispose)
        {
            device.Dispose();
        }
    }
}
