using Campus.IoT.Devices.Sensors;
using Campus.IoT.Devices.Sensors.Simulation;

namespace Campus.IoT.Devices.Tests.Sensors;

/// <summary>The MQ-2 through an MCP3008 on a simulated SPI bus.</summary>
public sealed class Mq2SensorTests
{
    private static readonly Mq2Calibration Calibration = new();

    [Fact]
    public void The_adc_value_becomes_ppm_by_the_documented_formula()
    {
        var adc = new SimulatedMcp3008();
        adc.Set(3, 400);
        using var sensor = new Mq2Sensor(adc, 3, Calibration);

        Assert.True(sensor.TryRead(out var ppm, out var fault));

        // Worked independently: Vout = 400 · 3.3 / 1023 · 1.5; Rs = 5000 · (5 − Vout) / Vout; ppm = 10^((log10(Rs/9800) − 1.62) / −0.44).
        var vout = 400 * 3.3 / 1023 * 1.5;
        var rs = 5000 * (5 - vout) / vout;
        Assert.Equal(Math.Round(Math.Pow(10, (Math.Log10(rs / 9800) - 1.62) / -0.44), 1), ppm);
        Assert.Null(fault);
    }

    [Fact]
    public void More_gas_lowers_the_sensor_resistance_and_raises_ppm()
    {
        var adc = new SimulatedMcp3008();
        using var sensor = new Mq2Sensor(adc, 0, Calibration);
        adc.Set(0, 300);
        sensor.TryRead(out var clean, out _);
        adc.Set(0, 700);
        sensor.TryRead(out var smoky, out _);
        Assert.True(smoky > clean);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1023)]
    public void A_reading_at_a_rail_is_out_of_range_never_a_value(int raw)
    {
        var adc = new SimulatedMcp3008();
        adc.Set(0, raw);
        using var sensor = new Mq2Sensor(adc, 0, Calibration);
        Assert.False(sensor.TryRead(out var ppm, out var fault));
        Assert.Equal("out_of_range", fault!.Reason);
        Assert.True(double.IsNaN(ppm));
    }

    [Fact]
    public void An_spi_failure_is_a_bus_error()
    {
        using var sensor = new Mq2Sensor(new SimulatedMcp3008 { Absent = true }, 0, Calibration);
        Assert.False(sensor.TryRead(out _, out var fault));
        Assert.Equal("bus_error", fault!.Reason);
    }

    [Fact]
    public void The_channel_is_sent_in_the_request()
    {
        var adc = new SimulatedMcp3008();
        adc.Set(5, 512);
        adc.Set(6, 100);
        using var five = new Mq2Sensor(adc, 5, Calibration, shouldDispose: false);
        using var six = new Mq2Sensor(adc, 6, Calibration, shouldDispose: false);
        five.TryRead(out var a, out _);
        six.TryRead(out var b, out _);
        Assert.NotEqual(a, b);
    }
}
