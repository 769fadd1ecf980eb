using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
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
    /// <summary>
    /// The Last Will: an <c>offline</c> status stamped now. Set again before every connection
    /// (<see cref="RefreshWill"/>): a will stamped once at start would make every later outage the same message, and
    /// receivers that drop copies by (state, ts) would drop the second outage.
    /// </summary>
    public static byte[] Will(GatewayIdentity identity, TimeProvider time) =>
        JsonSerializer.SerializeToUtf8Bytes(new GatewayStatus(GatewayState.Offline, time.GetUtcNow()) { Version = identity.Version }, TelemetryJsonContext.Default.GatewayStatus);

    /// <summary>For <see cref="ResilientMqttClient"/>'s <c>beforeConnect</c>: the will stamped with this connection's time.</summary>
    public static Action<MqttClientOptions> RefreshWill(GatewayIdentity identity, TimeProvider time) =>
        options => options.WillPayload = Will(identity, time);

    /// <summary>MQTT 5, clean start, keep-alive 15 s, Last Will = retained <c>offline</c> status at QoS 1.</summary>
    public static MqttClientOptions Options(MqttEndpoint endpoint, GatewayIdentity identity, TimeProvider time, MqttSecurity? security = null)
    {
        var will = Will(identity, time);
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
        if (security is { Username.Length: > 0 })
        {
            builder.WithCredentials(security.Username, security.Password);
        }

        if (security is { UseTls: true })
        {
            var trusted = security.CaFile is null ? null : LoadCa(security.CaFile);
            builder.WithTlsOptions(o => o
                .UseTls()
                .WithTargetHost(endpoint.Host)
                .WithCertificateValidationHandler(e => IsTrusted(e.Certificate, e.SslPolicyErrors, trusted)));
        }

        return builder.Build();
    }

    /// <summary>
    /// The broker's certificate must name the host it was reached at, and chain to the system's roots or, when a CA file is
    /// configured, to that CA only.
    /// </summary>
    internal static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? trusted) =>
        MqttTls.IsTrusted(certificate, errors, trusted);

    private static X509Certificate2Collection LoadCa(string path) => MqttTls.LoadCa(path);

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
