using Campus.IoT.Devices.Sensors;
using Campus.IoT.Devices.Sensors.Simulation;

namespace Campus.IoT.Devices.Tests.Sensors;

/// <summary>The BME280 through its register map on a simulated I2C device.</summary>
public sealed class Bme280SensorTests
{
    [Fact]
    public void The_temperature_compensation_matches_the_bosch_worked_example()
    {
        // Bosch BMP280 datasheet, compensation example (same formula as the BME280): dig_T1 27504, dig_T2 26435,
        // dig_T3 -1000, adc_T 519888 → 25.08 °C.
        var (celsius, _) = Bme280Sensor.Temperature(519888, 27504, 26435, -1000);
        Assert.Equal(25.08, celsius, 2);
    }

    [Fact]
    public void A_read_gives_temperature_and_humidity_and_puts_the_chip_in_normal_mode()
    {
        var chip = Chip();
        using var sensor = new Bme280Sensor(chip);

        Assert.True(sensor.TryRead(out var celsius, out var humidity, out var fault));

        Assert.Null(fault);
        Assert.Equal(25.08, celsius, 2);
        Assert.Equal(IndependentHumidity(), humidity, 1);
        Assert.InRange(humidity, 0, 100);
        Assert.Equal(0x01, chip[0xF2]);
        Assert.Equal(0b001_001_11, chip[0xF4]);
    }

    [Fact]
    public void Another_chip_at_the_address_is_no_device()
    {
        using var sensor = new Bme280Sensor(new SimulatedBme280(chipId: 0x58)); // a BMP280
        Assert.False(sensor.TryRead(out _, out _, out var fault));
        Assert.Equal("no_device", fault!.Reason);
    }

    [Fact]
    public void Before_the_first_conversion_the_reset_value_is_not_ready_not_a_temperature()
    {
        var chip = Chip();
        chip.SetRaw(0x80000, 0x8000);
        using var sensor = new Bme280Sensor(chip);
        Assert.False(sensor.TryRead(out var celsius, out _, out var fault));
        Assert.Equal("not_ready", fault!.Reason);
        Assert.True(double.IsNaN(celsius));
    }

    [Fact]
    public void A_bus_failure_is_a_fault_and_the_chip_is_read_afresh_after_it()
    {
        var chip = Chip();
        using var sensor = new Bme280Sensor(chip);
        chip.Absent = true;
        Assert.False(sensor.TryRead(out _, out _, out var fault));
        Assert.Equal("bus_error", fault!.Reason);
        chip.Absent = false;
        Assert.True(sensor.TryRead(out var celsius, out _, out _));
        Assert.Equal(25.08, celsius, 2);
    }

    private static SimulatedBme280 Chip()
    {
        var chip = new SimulatedBme280();
        chip.SetTemperatureCalibration(27504, 26435, -1000);
        chip.SetHumidityCalibration(75, 362, 0, 313, 50, 30);
        chip.SetRaw(519888, 28000);
        return chip;
    }

    /// <summary>The datasheet's double-precision humidity formula written out on its own for the calibration above.</summary>
    private static double IndependentHumidity()
    {
        var (_, tFine) = Bme280Sensor.Temperature(519888, 27504, 26435, -1000);
        double h1 = 75, h2 = 362, h3 = 0, h4 = 313, h5 = 50, h6 = 30, adcH = 28000;
        var x = tFine - 76800.0;
        x = (adcH - (h4 * 64.0 + h5 / 16384.0 * x)) * (h2 / 65536.0 * (1.0 + h6 / 67108864.0 * x * (1.0 + h3 / 67108864.0 * x)));
        x *= 1.0 - h1 * x / 524288.0;
        return Math.Clamp(x, 0, 100);
    }
}
