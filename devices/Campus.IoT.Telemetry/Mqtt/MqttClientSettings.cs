using MQTTnet;
using MQTTnet.Formatter;

namespace Campus.IoT.Telemetry.Mqtt;

/// <summary>How the platform's own components connect to the broker.</summary>
public sealed record MqttClientSettings(MqttEndpoint Endpoint, string InstanceId)
{
    /// <summary>How long the broker keeps a subscriber's session (and its queued QoS 1 messages) while it is away.</summary>
    public static readonly TimeSpan SessionExpiry = TimeSpan.FromHours(1);

    /// <summary>
    /// Options for a durable subscriber: MQTT 5, CleanStart=false with a session expiry, so QoS 1 messages published while
    /// the component restarts are queued by the broker and delivered when it comes back.
    /// </summary>
    public MqttClientOptions ForSubscriber(string component) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer(Endpoint.Host, Endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"campus-{component}-{InstanceId}")
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
}
