namespace Campus.IoT.Dashboard;

/// <summary>The <c>Campus:Mqtt</c> section: an external broker, or the embedded one.</summary>
internal sealed class MqttSettings
{
    /// <summary>An external broker (<c>mqtt://host:port</c>, or <c>mqtts://host:port</c> for TLS). When set, the embedded broker does not start.</summary>
    public string? Broker { get; set; }

    /// <summary>The external broker's account for this host (<c>campus provision platform</c>; docs/security.md).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed the external broker's certificate; system roots when absent.</summary>
    public string? CaFile { get; set; }

    public int EmbeddedPort { get; set; } = 1883;

    public string EmbeddedBindAddress { get; set; } = "127.0.0.1";

    public bool UseEmbedded => string.IsNullOrWhiteSpace(Broker);
}
