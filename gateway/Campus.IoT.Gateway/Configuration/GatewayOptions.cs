namespace Campus.IoT.Gateway.Configuration;

/// <summary>The gateway's configuration (section <c>Gateway</c> of <c>gateway.json</c>, environment, command line).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    public string Site { get; set; } = string.Empty;

    public string Id { get; set; } = string.Empty;

    /// <summary>The school broker, <c>mqtt://host:port</c> (or <c>mqtts://host:8883</c> for TLS).</summary>
    public string Broker { get; set; } = "mqtt://127.0.0.1:1883";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate (a school or district CA); system roots when absent.</summary>
    public string? CaFile { get; set; }

    public string SpoolDirectory { get; set; } = "spool";

    public int SpoolMaxMegabytes { get; set; } = 512;

    public int HealthIntervalSeconds { get; set; } = 60;

    public List<DeviceOptions> Devices { get; set; } = [];
}
