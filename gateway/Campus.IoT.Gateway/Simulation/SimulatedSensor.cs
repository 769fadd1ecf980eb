namespace Campus.IoT.Gateway.Simulation;

/// <summary>A simulated analogue sensor: a set point with slow drift and small noise, optionally overridden by a scenario.</summary>
internal sealed class SimulatedSensor(string device, string metric, double setPoint, double noise)
{
    private double _drift;

    public string Device { get; } = device;

    public string Metric { get; } = metric;

    /// <summary>A value a scenario forces for a while (e.g. a kitchen heat spike); null for normal behaviour.</summary>
    public double? Override { get; set; }

    public double Next(Random random)
    {
        if (Override is { } forced)
        {
            return Math.Round(forced + ((random.NextDouble() - 0.5) * noise), 2);
        }

        _drift = Math.Clamp(_drift + ((random.NextDouble() - 0.5) * noise * 0.2), -noise, noise);
        return Math.Round(setPoint + _drift + ((random.NextDouble() - 0.5) * noise), 2);
    }
}
