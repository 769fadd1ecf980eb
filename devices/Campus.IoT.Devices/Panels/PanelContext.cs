namespace Campus.IoT.Devices.Panels;

/// <summary>
/// What every parser needs besides bytes: the device id the panel is published under, and the clock. Event <c>ts</c> is
/// the gateway's receipt time (panel clocks drift and are set by hand); the panel's own time stays in <c>raw</c>.
/// </summary>
public sealed record PanelContext(string Device, TimeProvider Time);
