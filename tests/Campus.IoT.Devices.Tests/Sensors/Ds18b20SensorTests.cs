using Campus.IoT.Devices.Sensors;

namespace Campus.IoT.Devices.Tests.Sensors;

/// <summary>The DS18B20 over a directory standing in for /sys/bus/w1/devices (the w1_slave text format of the Linux w1 driver).</summary>
public sealed class Ds18b20SensorTests : IDisposable
{
    private const string Address = "28-0316a2799dff";
    private readonly string _bus = Directory.CreateTempSubdirectory("campus-w1-").FullName;

    [Fact]
    public void A_good_read_gives_degrees_celsius()
    {
        // The kernel documentation's example format: scratchpad, CRC verdict, then t= in milli-degrees.
        Write("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");

        Assert.True(new Ds18b20Sensor(Address, _bus).TryRead(out var celsius, out var fault));
        Assert.Equal(23.125, celsius);
        Assert.Null(fault);
    }

    [Theory]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", "crc_mismatch")]
    [InlineData("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n", "not_ready")]
    [InlineData("00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=127000\n", "out_of_range")]
    [InlineData("00 00 00 00 00 00 00 00 00 : crc=00 YES\n", "bad_format")]
    [InlineData("garbage\nt=12", "bad_format")]
    public void A_bad_read_is_a_fault_with_its_reason_never_a_value(string content, string reason)
    {
        Write(content);

        Assert.False(new Ds18b20Sensor(Address, _bus).TryRead(out var celsius, out var fault));
        Assert.Equal(reason, fault!.Reason);
        Assert.True(double.IsNaN(celsius));
    }

    [Fact]
    public void A_sensor_gone_from_the_bus_is_no_device()
    {
        Assert.False(new Ds18b20Sensor("28-000000000000", _bus).TryRead(out _, out var fault));
        Assert.Equal("no_device", fault!.Reason);
    }

    [Theory]
    [InlineData(4.25)]
    [InlineData(-18.5)]
    [InlineData(0)]
    public void The_simulator_writes_what_the_driver_reads(double celsius)
    {
        new Ds18b20Simulator(_bus).Write(Address, celsius);
        Assert.True(new Ds18b20Sensor(Address, _bus).TryRead(out var read, out _));
        Assert.Equal(celsius, read);
    }

    public void Dispose() => Directory.Delete(_bus, recursive: true);

    private void Write(string content)
    {
        Directory.CreateDirectory(Path.Combine(_bus, Address));
        File.WriteAllText(Path.Combine(_bus, Address, "w1_slave"), content);
    }
}
