namespace Campus.IoT.Alerting;

/// <summary>The identity of an alarm condition: one open alarm per key.</summary>
public readonly record struct AlarmKey(string Rule, string Site, string Gateway, string? Device, string? Point);
