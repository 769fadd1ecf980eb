using Campus.IoT.Telemetry;

namespace Campus.IoT.Gateway.Simulation;

/// <summary>
/// A demo school behind one gateway: canteen fridges and a freezer, a lab fridge, the chemical store, classrooms, a kitchen
/// heat sensor, smoke detectors and a fire panel. Every tick it reports all sensors; a ten-minute script raises and clears a
/// few alarms (smoke, a panel trouble, a kitchen heat spike, a manual call point and a panel reset) so a newcomer sees the
/// whole path work within a minute.
/// </summary>
public sealed class DemoSchool
{
    public const string Site = "demo-school";
    public const string Gateway = "gw-main";
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Cycle = TimeSpan.FromMinutes(10);

    private readonly Random _random;
    private readonly SimulatedSensor _kitchen;
    private readonly List<SimulatedSensor> _sensors;
    private TimeSpan _position;

    public DemoSchool(int seed = 20241)
    {
        _random = new Random(seed);
        _kitchen = new SimulatedSensor("kitchen-heat-1", Metrics.Temperature, 30, 1.5);
        _sensors =
        [
            new("canteen-fridge-1", Metrics.Temperature, 4.0, 0.6),
            new("canteen-fridge-2", Metrics.Temperature, 3.5, 0.6),
            new("canteen-freezer-1", Metrics.Temperature, -18.0, 1.0),
            new("lab3-fridge-1", Metrics.Temperature, 5.0, 0.4),
            new("chem-store-1", Metrics.Temperature, 22.0, 0.8),
            new("chem-store-1", Metrics.Humidity, 45.0, 3.0),
            new("classroom-101", Metrics.Temperature, 21.0, 1.0),
            new("classroom-101", Metrics.Humidity, 55.0, 4.0),
            new("classroom-201", Metrics.Temperature, 20.5, 1.0),
            new("classroom-201", Metrics.Humidity, 52.0, 4.0),
            new("smoke-3f-lab", Metrics.Battery, 92.0, 0.2),
            new("smoke-1f-canteen", Metrics.Battery, 88.0, 0.2),
            _kitchen,
        ];
    }

    /// <summary>Advances the script by one tick and returns what the gateway publishes at <paramref name="now"/>.</summary>
    public (IReadOnlyList<Reading> Readings, IReadOnlyList<DeviceEvent> Events) Step(DateTimeOffset now)
    {
        var position = _position;
        _position = TimeSpan.FromTicks((_position + Tick).Ticks % Cycle.Ticks);

        // Every scripted moment is a whole number of ticks into the cycle.
        var events = new List<DeviceEvent>();
        bool Crossed(TimeSpan at) => position == at;

        if (Crossed(TimeSpan.FromSeconds(15)))
        {
            events.Add(new DeviceEvent("smoke-3f-lab", EventType.Smoke, EventState.Active, now) { Zone = "Z3", Label = "教学楼3层 化学实验室走廊 / 3F chemistry lab corridor" });
        }

        if (Crossed(TimeSpan.FromSeconds(75)))
        {
            events.Add(new DeviceEvent("smoke-3f-lab", EventType.Smoke, EventState.Cleared, now) { Zone = "Z3", Label = "教学楼3层 化学实验室走廊 / 3F chemistry lab corridor" });
        }

        if (Crossed(TimeSpan.FromSeconds(40)))
        {
            events.Add(PanelEvent(EventType.Trouble, EventState.Active, now, "L1D045", "Z2", "2层走廊 感烟探测器 通讯故障 / 2F corridor detector communication fault"));
        }

        if (Crossed(TimeSpan.FromSeconds(160)))
        {
            events.Add(PanelEvent(EventType.Trouble, EventState.Cleared, now, "L1D045", "Z2", "2层走廊 感烟探测器 通讯故障 / 2F corridor detector communication fault"));
        }

        _kitchen.Override = position >= TimeSpan.FromSeconds(180) && position < TimeSpan.FromSeconds(210) ? 62.0 : null;

        if (Crossed(TimeSpan.FromSeconds(360)))
        {
            events.Add(PanelEvent(EventType.ManualCallPoint, EventState.Active, now, "L2M003", "Z5", "食堂1层 东门 手动报警按钮 / Canteen 1F east door call point"));
        }

        if (Crossed(TimeSpan.FromSeconds(420)))
        {
            events.Add(PanelEvent(EventType.Reset, EventState.Active, now, null, null, "系统复位 / System reset"));
        }

        var readings = _sensors.Select(s => new Reading(s.Device, s.Metric, s.Next(_random), now)).ToList();
        return (readings, events);
    }

    private static DeviceEvent PanelEvent(EventType type, EventState state, DateTimeOffset now, string? point, string? zone, string label) =>
        new("panel-main", type, state, now) { Point = point, Zone = zone, Label = label, Raw = $"{type.ToWire().ToUpperInvariant()} {state.ToWire().ToUpperInvariant()} {point}".TrimEnd() };
}
