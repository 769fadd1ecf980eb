namespace Campus.IoT.Devices.Sensors;

/// <summary>
/// The MQ-2's electrical setup and its curve. Defaults: 5 V heater/supply, 5 kΩ load, MCP3008 at 3.3 V behind a 2:3
/// divider (so the ADC sees at most 3.3 V of the 5 V output), R0 from a clean-air calibration, and a smoke curve fitted to
/// the datasheet's log-log chart (slope and intercept are configuration: measure your own sensor).
/// </summary>
public sealed record Mq2Calibration
{
    public double SupplyVolts { get; init; } = 5.0;

    public double ReferenceVolts { get; init; } = 3.3;

    /// <summary>Sensor output volts per ADC input volt (1.5 for a 10 kΩ / 20 kΩ divider).</summary>
    public double DividerRatio { get; init; } = 1.5;

    public double LoadOhms { get; init; } = 5_000;

    /// <summary>Rs in clean air for this sensor (calibrate after burn-in).</summary>
    public double CleanAirOhms { get; init; } = 9_800;

    public double CurveSlope { get; init; } = -0.44;

    public double CurveIntercept { get; init; } = 1.62;
}
