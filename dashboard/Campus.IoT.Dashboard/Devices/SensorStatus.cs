namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// A device's health, most urgent last (the order a device's several problems are resolved in: offline wins over faulty,
/// faulty over stale). Definitions: docs/dashboards.md#sensor-health.
/// </summary>
internal enum SensorStatus
{
    /// <summary>Heard within its expected interval.</summary>
    Online,

    /// <summary>Silent for longer than <see cref="HealthOptions.StaleMultiple"/> of its interval, not yet offline.</summary>
    Stale,

    /// <summary>Reporting, but not to be trusted: stuck value, panel trouble, low battery.</summary>
    Faulty,

    /// <summary>An open sensor-offline alarm, silent beyond the offline threshold, or its gateway is offline.</summary>
    Offline,
}
