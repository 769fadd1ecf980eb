using System.Text.Json;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Campus.IoT.Gateway;

/// <summary>The MQTT side every gateway publisher shares: connection options with the Last Will, and message building.</summary>
internal static class GatewayMqtt
{
    /// <summary>MQTT 5, clean start, keep-alive 15 s, Last Will = retained <c>offline</c> status at QoS 1.</summary>
    public static MqttClientOptions Options(MqttEndpoint endpoint, GatewayIdentity identity, TimeProvider time, MqttCredentials? credentials = null)
    {
        var will = JsonSerializer.SerializeToUtf8Bytes(new GatewayStatus(GatewayState.Offline, time.GetUtcNow()) { Version = identity.Version }, TelemetryJsonContext.Default.GatewayStatus);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"gw-{identity.Site}-{identity.Gateway}")
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithWillTopic(identity.TopicOf(TopicKind.Status))
            .WithWillPayload(will)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (credentials is not null)
        {
            builder.WithCredentials(credentials.Username, credentials.Password);
            if (credentials.UseTls)
            {
                builder.WithTlsOptions(o => o.UseTls());
            }
        }

        return builder.Build();
    }

    public static MqttApplicationMessage Message(string topic, ReadOnlyMemory<byte> payload, bool retain) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .WithContentType("application/json")
            .Build();

    public static byte[] Online(GatewayIdentity identity, TimeProvider time, long spooled, GatewayHealth? health = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new GatewayStatus(GatewayState.Online, time.GetUtcNow()) { Version = identity.Version, Spooled = spooled, Health = health }, TelemetryJsonContext.Default.GatewayStatus);
}
