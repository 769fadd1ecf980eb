using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// One event for a printer simulator to print, in the form the matching parser yields it back: <see cref="Point"/> as
/// normalised by that parser (EST <c>L1D126</c>, Notifier <c>1D012</c>, GST <c>004-004</c>), <see cref="Label"/> the
/// location text, <see cref="Zone"/> where the format prints one (EST <c>Z008</c>, Notifier <c>Z003</c>).
/// </summary>
public sealed record PrinterSimulatedEvent(EventType Type, EventState State, string? Point = null, string? Label = null, string? Zone = null);
