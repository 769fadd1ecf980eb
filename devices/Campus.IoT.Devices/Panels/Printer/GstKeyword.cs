using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// One GST event keyword. A null <see cref="Type"/> marks a recognised unit that is not an event of the wire contract
/// (module 启动 start, 反馈 feedback, 停止 stop). <see cref="Refine"/>: the device type may narrow fire_alarm.
/// </summary>
internal sealed record GstKeyword(string Text, EventType? Type, EventState State, bool Refine = false);
