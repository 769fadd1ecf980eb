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
    /// <param name="component">Part of the client id (<c>campus-{component}-{instance}</c>).</param>
    /// <param name="receiveMaximum">QoS 1 messages the broker may have unacknowledged at this client at once (MQTT 5
    /// Receive Maximum); 0 leaves the protocol default (65,535).</param>
    public MqttClientOptions ForSubscriber(string component, ushort receiveMaximum = 0) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer(Endpoint.Host, Endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"campus-{component}-{InstanceId}")
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithReceiveMaximum(receiveMaximum)
            .Build();
}
