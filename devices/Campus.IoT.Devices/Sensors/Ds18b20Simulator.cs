using System.Globalization;

namespace Campus.IoT.Devices.Sensors;

/// <summary>Writes w1_slave files as the Linux w1 driver does, into a directory that stands in for the 1-Wire bus.</summary>
public sealed class Ds18b20Simulator(string busDirectory)
{
    public void Write(string address, double celsius, bool crcOk = true)
    {
        var directory = Path.Combine(busDirectory, address);
        Directory.CreateDirectory(directory);
        var raw = (short)Math.Round(celsius * 16);
        var scratchpad = $"{raw & 0xFF:x2} {(raw >> 8) & 0xFF:x2} 4b 46 7f ff 0c 10 1c";
        var milli = ((int)Math.Round(celsius * 1000)).ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(directory, "w1_slave"), $"{scratchpad} : crc=1c {(crcOk ? "YES" : "NO")}\n{scratchpad} t={milli}\n");
    }

    public void Remove(string address) => Directory.Delete(Path.Combine(busDirectory, address), recursive: true);
}
