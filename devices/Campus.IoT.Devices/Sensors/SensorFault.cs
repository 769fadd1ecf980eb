namespace Campus.IoT.Devices.Sensors;

/// <summary>Why a sensor read gave no value: a stable snake_case reason and what was seen. A fault is counted, never a value.</summary>
public sealed record SensorFault(string Reason, string Detail);
