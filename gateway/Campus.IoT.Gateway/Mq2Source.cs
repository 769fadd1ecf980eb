using Campus.IoT.Devices.Sensors;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Gateway;

/// <summary>A configured MQ-2 as the gateway polls it: one <c>gas</c> reading (ppm) per poll, or a counted fault.</summary>
internal sealed class Mq2Source(string device, Mq2Sensor sensor, TimeSpan interval) : ISensorSource, IDisposable
{
    public string Device { get; } = device;

    public TimeSpan Interval { get; } = interval;

    public bool TryRead(DateTimeOffset now, List<Reading> into, out string? fault)
    {
        if (!sensor.TryRead(out var ppm, out var error))
        {
            fault = $"{error!.Reason}: {error.Detail}";
            return false;
        }

        into.Add(new Reading(Device, Metrics.Gas, ppm, now));
        fault = null;
        return true;
    }

    public void Dispose() => sensor.Dispose();
}
