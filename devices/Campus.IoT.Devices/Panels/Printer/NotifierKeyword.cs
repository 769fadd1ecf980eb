using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// One Notifier event keyword. <see cref="IsSystem"/> keywords carry no device type; <see cref="IsFire"/> ones are refined
/// by the device type field (SMOKE → smoke, HEAT → heat, PULL STATION → manual_call_point, WATERFLOW → waterflow).
/// </summary>
internal sealed record NotifierKeyword(string Text, EventType Type, EventState State, bool IsSystem = false)
{
    public bool IsFire => Type == EventType.FireAlarm;
}
