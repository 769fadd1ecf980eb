using Campus.IoT.Devices.Sensors;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Gateway;

/// <summary>A configured DS18B20 as the gateway polls it: one <c>temperature</c> reading per poll, or a counted fault.</summary>
internal sealed class Ds18b20Source(string device, Ds18b20Sensor sensor, TimeSpan interval) : ISensorSource
{
    public string Device { get; } = device;

    public TimeSpan Interval { get; } = interval;

    public bool TryRead(DateTimeOffset now, List<Reading> into, out string? fault)
    {
        if (!sensor.TryRead(out var celsius, out var error))
        {
            fault = $"{error!.Reason}: {error.Detail}";
            return false;
        }

        into.Add(new Reading(Device, Metrics.Temperature, celsius, now));
        fault = null;
        return true;
    }
}
