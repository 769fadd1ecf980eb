namespace Campus.IoT.Dashboard;

/// <summary>The <c>Campus:Mqtt</c> section: an external broker, or the embedded one.</summary>
internal sealed class MqttSettings
{
    /// <summary>An external broker (<c>mqtt://host:port</c>). When set, the embedded broker does not start.</summary>
    public string? Broker { get; set; }

    public int EmbeddedPort { get; set; } = 1883;

    public string EmbeddedBindAddress { get; set; } = "127.0.0.1";

    public bool UseEmbedded => string.IsNullOrWhiteSpace(Broker);
}
