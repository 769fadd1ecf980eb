namespace Campus.IoT.Dashboard.Devices;

/// <summary>Why a device has the status it has (several may hold at once); each has a wire name (<see cref="HealthNames"/>).</summary>
[Flags]
internal enum HealthReasons
{
    None = 0,

    /// <summary>Silent for longer than the stale threshold.</summary>
    Late = 1,

    /// <summary>Silent for longer than the offline threshold (the sensor-offline rule's).</summary>
    Silent = 2,

    /// <summary>An open sensor-offline alarm.</summary>
    OfflineAlarm = 4,

    /// <summary>Its gateway's status is offline.</summary>
    GatewayOffline = 8,

    /// <summary>An open sensor-stuck alarm (any flatline rule).</summary>
    Stuck = 16,

    /// <summary>An open panel-trouble or panel-power-fault alarm on the device.</summary>
    PanelTrouble = 32,

    /// <summary>Battery below <see cref="HealthOptions.LowBatteryPercent"/>.</summary>
    LowBattery = 64,

    /// <summary>Signal below <see cref="HealthOptions.WeakSignalDbm"/> (shown, does not change the status).</summary>
    WeakSignal = 128,
}
