using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

internal sealed record ReadingDto(string Device, string Metric, double Value, string Ts)
{
    public static ReadingDto From(Reading r) => new(r.Device, r.Metric, r.Value, Timestamps.Format(r.Ts));
}
