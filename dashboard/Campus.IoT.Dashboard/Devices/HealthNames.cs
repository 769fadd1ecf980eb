namespace Campus.IoT.Dashboard.Devices;

/// <summary>Wire spellings of the health enumerations (API, SignalR, the page).</summary>
internal static class HealthNames
{
    private static readonly (HealthReasons Flag, string Name)[] ReasonNames =
    [
        (HealthReasons.GatewayOffline, "gateway-offline"),
        (HealthReasons.OfflineAlarm, "offline-alarm"),
        (HealthReasons.Silent, "silent"),
        (HealthReasons.Late, "late"),
        (HealthReasons.Stuck, "stuck"),
        (HealthReasons.PanelTrouble, "panel-trouble"),
        (HealthReasons.LowBattery, "battery-low"),
        (HealthReasons.WeakSignal, "weak-signal"),
    ];

    public static string ToWire(this SensorStatus status) => status switch
    {
        SensorStatus.Online => "online",
        SensorStatus.Stale => "stale",
        SensorStatus.Faulty => "faulty",
        SensorStatus.Offline => "offline",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToWire(this GatewayLinkStatus status) => status switch
    {
        GatewayLinkStatus.Unknown => "unknown",
        GatewayLinkStatus.Online => "online",
        GatewayLinkStatus.Offline => "offline",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The reasons set, most telling first.</summary>
    public static string[] ToWire(this HealthReasons reasons)
    {
        if (reasons == HealthReasons.None)
        {
            return [];
        }

        var names = new List<string>(2);
        foreach (var (flag, name) in ReasonNames)
        {
            if ((reasons & flag) != 0)
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    public static bool TryParseStatus(string? text, out SensorStatus status)
    {
        foreach (var candidate in Enum.GetValues<SensorStatus>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
