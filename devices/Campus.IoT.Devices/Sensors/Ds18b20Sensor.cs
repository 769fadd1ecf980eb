using System.Globalization;

namespace Campus.IoT.Devices.Sensors;

/// <summary>
/// A DS18B20 1-Wire thermometer through the Linux w1 driver: <c>{bus}/28-xxxxxxxxxxxx/w1_slave</c> holds two lines, the
/// scratchpad with the kernel's CRC verdict (<c>… : crc=57 YES</c>) and the temperature in milli-°C (<c>… t=23125</c>).
/// The bus directory is a constructor argument, so tests (and the simulator) use a directory of their own as the bus.
/// Faults: <c>no_device</c> (gone from the bus), <c>crc_mismatch</c>, <c>not_ready</c> (85.000 °C, the power-on value
/// read before a conversion finished), <c>out_of_range</c> (outside −55…125 °C), <c>bad_format</c>.
/// </summary>
public sealed class Ds18b20Sensor(string address, string busDirectory = Ds18b20Sensor.DefaultBusDirectory)
{
    public const string DefaultBusDirectory = "/sys/bus/w1/devices";

    private readonly string _path = Path.Combine(busDirectory, address, "w1_slave");

    public string Address { get; } = address;

    public bool TryRead(out double celsius, out SensorFault? fault)
    {
        celsius = double.NaN;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            fault = new SensorFault("no_device", $"{_path}: {ex.Message}");
            return false;
        }

        if (lines.Length < 2 || !lines[0].Contains("crc=", StringComparison.Ordinal))
        {
            fault = new SensorFault("bad_format", string.Join(" | ", lines));
            return false;
        }

        if (!lines[0].TrimEnd().EndsWith("YES", StringComparison.Ordinal))
        {
            fault = new SensorFault("crc_mismatch", lines[0]);
            return false;
        }

        var t = lines[1].LastIndexOf("t=", StringComparison.Ordinal);
        if (t < 0 || !int.TryParse(lines[1].AsSpan(t + 2).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli))
        {
            fault = new SensorFault("bad_format", lines[1]);
            return false;
        }

        if (milli == 85_000)
        {
            fault = new SensorFault("not_ready", "85.000 °C is the power-on value, not a measurement");
            return false;
        }

        if (milli is < -55_000 or > 125_000)
        {
            fault = new SensorFault("out_of_range", $"{milli / 1000.0:0.000} °C");
            return false;
        }

        celsius = milli / 1000.0;
        fault = null;
        return true;
    }
}
