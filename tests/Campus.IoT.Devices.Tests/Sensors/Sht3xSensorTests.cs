using Campus.IoT.Devices.Sensors;
using Campus.IoT.Devices.Sensors.Simulation;

namespace Campus.IoT.Devices.Tests.Sensors;

/// <summary>The SHT3x read directly over a simulated I2C device.</summary>
public sealed class Sht3xSensorTests
{
    [Fact]
    public void The_crc_matches_the_datasheet_example()
    {
        // Sensirion SHT3x-DIS datasheet, CRC-8 properties table: CRC(0xBEEF) = 0x92.
        Assert.Equal(0x92, Sht3xSensor.Crc8([0xBE, 0xEF]));
    }

    [Theory]
    [InlineData(4.0, 85.0)]
    [InlineData(-18.5, 40.0)]
    [InlineData(31.25, 55.5)]
    public void A_measurement_gives_celsius_and_relative_humidity(double celsius, double humidity)
    {
        using var sensor = new Sht3xSensor(new SimulatedSht3x { Celsius = celsius, Humidity = humidity });

        Assert.True(sensor.TryRead(out var t, out var rh, out var fault));
        Assert.Null(fault);
        Assert.Equal(celsius, t, 1);
        Assert.Equal(humidity, rh, 1);
    }

    [Fact]
    public void A_corrupted_crc_is_a_fault_never_the_previous_or_a_guessed_value()
    {
        var device = new SimulatedSht3x { Celsius = 4 };
        using var sensor = new Sht3xSensor(device);
        Assert.True(sensor.TryRead(out _, out _, out _));

        device.Celsius = 9;
        device.CorruptCrc = true;

        Assert.False(sensor.TryRead(out var t, out _, out var fault));
        Assert.Equal("crc_mismatch", fault!.Reason);
        Assert.True(double.IsNaN(t));
    }

    [Fact]
    public void A_sensor_missing_from_the_bus_is_a_bus_error()
    {
        using var sensor = new Sht3xSensor(new SimulatedSht3x { Absent = true });
        Assert.False(sensor.TryRead(out _, out _, out var fault));
        Assert.Equal("bus_error", fault!.Reason);
    }

    [Fact]
    public void The_driver_disposes_the_device_only_when_it_owns_it()
    {
        var device = new SimulatedSht3x();
        new Sht3xSensor(device, shouldDispose: false).Dispose();
        using var sensor = new Sht3xSensor(device, shouldDispose: false);
        Assert.True(sensor.TryRead(out _, out _, out _));
    }
}
