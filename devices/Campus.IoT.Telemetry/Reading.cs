namespace Campus.IoT.Telemetry;

/// <summary>One measurement in the metric's fixed unit (see <see cref="Metrics"/>).</summary>
public sealed record Reading(string Device, string Metric, double Value, DateTimeOffset Ts);
