using Campus.IoT.Devices.Sensors;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Gateway;

/// <summary>A configured BME280 as the gateway polls it: <c>temperature</c> and <c>humidity</c> per poll, or a counted fault.</summary>
internal sealed class Bme280Source(string device, Bme280Sensor sensor, TimeSpan interval) : ISensorSource, IDisposable
{
    public string Device { get; } = device;

    public TimeSpan Interval { get; } = interval;

    public bool TryRead(DateTimeOffset now, List<Reading> into, out string? fault)
    {
        if (!sensor.TryRead(out var celsius, out var humidity, out var error))
        {
            fault = $"{error!.Reason}: {error.Detail}";
            return false;
        }

        into.Add(new Reading(Device, Metrics.Temperature, celsius, now));
        into.Add(new Reading(Device, Metrics.Humidity, humidity, now));
        fault = null;
        return true;
    }

    public void Dispose() => sensor.Dispose();
}
