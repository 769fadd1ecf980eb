namespace Campus.IoT.Dashboard.Api;

/// <summary>A metric's last value, its reading time and unit.</summary>
internal sealed record MetricValueDto(double Value, string Ts, string Unit);
