namespace Campus.IoT.Gateway.Configuration;

/// <summary>One device the gateway reads: its id on the wire, its kind, where it is attached and how often to read it.</summary>
public sealed class DeviceOptions
{
    public string Id { get; set; } = string.Empty;

    /// <summary><c>ds18b20</c>, <c>bme280</c>, <c>sht3x</c>, <c>gpio-smoke</c>, <c>mq2</c> or <c>panel</c>.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>The alarm profile the server applies (e.g. <c>cold-storage</c>, <c>lab-fridge</c>); informational here.</summary>
    public string? Profile { get; set; }

    public int PollSeconds { get; set; } = 30;

    /// <summary>1-Wire id (<c>28-0316a2799dff</c>) for a DS18B20.</summary>
    public string? Address { get; set; }

    /// <summary>Where the Linux w1 driver lists 1-Wire devices.</summary>
    public string W1Directory { get; set; } = "/sys/bus/w1/devices";

    public int I2cBus { get; set; } = 1;

    /// <summary>I2C address (BME280 0x76/0x77, SHT3x 0x44/0x45).</summary>
    public int? I2cAddress { get; set; }

    public int SpiBus { get; set; }

    public int SpiChipSelect { get; set; }

    /// <summary>MCP3008 channel 0-7 for an MQ-2.</summary>
    public int? Channel { get; set; }

    /// <summary>The MQ-2's resistance in clean air (R0), from its calibration after burn-in.</summary>
    public double Mq2CleanAirOhms { get; set; } = 9_800;

    /// <summary>BCM pin of a smoke detector's dry contact.</summary>
    public int? Pin { get; set; }

    public bool ActiveLow { get; set; } = true;

    public int DebounceMilliseconds { get; set; } = 200;

    /// <summary>Serial port of a fire panel (<c>/dev/ttyUSB0</c>).</summary>
    public string? Port { get; set; }

    /// <summary>The panel's protocol: <c>notifier</c>, <c>est</c>, <c>gst</c>, <c>contact-id</c>, <c>sia-dc09</c>, <c>gbt26875</c>.</summary>
    public string? Protocol { get; set; }

    public int BaudRate { get; set; } = 9600;

    public string Parity { get; set; } = "None";

    public int DataBits { get; set; } = 8;

    public string StopBits { get; set; } = "One";
}
