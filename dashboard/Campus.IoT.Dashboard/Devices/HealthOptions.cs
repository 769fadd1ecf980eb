namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// The <c>Campus:Health</c> section: how the sensor-health view classifies devices and groups them into buildings
/// (docs/dashboards.md#sensor-health). The offline threshold is not here: it is the <c>sensor-offline</c> rule's.
/// </summary>
internal sealed class HealthOptions
{
    public const string Section = "Campus:Health";

    /// <summary>A device silent for longer than this many of its learnt intervals is <c>stale</c>.</summary>
    public double StaleMultiple { get; set; } = 2;

    /// <summary>…and never sooner than this (one late message from a fast sensor is not news).</summary>
    public TimeSpan StaleFloor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A device reporting a battery below this (%) is <c>faulty</c>.</summary>
    public double LowBatteryPercent { get; set; } = 20;

    /// <summary>A signal below this (dBm) is flagged as weak (shown, not counted as a fault).</summary>
    public double WeakSignalDbm { get; set; } = -90;

    /// <summary>How often device and gateway statuses are re-evaluated for <c>deviceHealthChanged</c> pushes.</summary>
    public TimeSpan EvaluateEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Which building a device is in, first match wins: <c>Campus:Health:Buildings:0:Devices=lab3-*</c>,
    /// <c>…:0:Building=实验楼</c>, optionally <c>…:0:Site=school-0*</c>. Without a match: the device id before its first '-'.
    /// </summary>
    public List<BuildingRule> Buildings { get; set; } = [];
}
