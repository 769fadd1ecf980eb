namespace Campus.IoT.Dashboard.Devices;

/// <summary>Called for each device a <see cref="HealthPass.Summarize"/> counts.</summary>
internal delegate void DeviceVisitor(in DeviceFacts device, GatewayLinkStatus gateway, SensorStatus status, HealthReasons reasons);
