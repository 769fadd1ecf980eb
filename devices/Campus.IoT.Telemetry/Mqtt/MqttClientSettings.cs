using MQTTnet;
using MQTTnet.Formatter;

namespace Campus.IoT.Telemetry.Mqtt;

/// <summary>
/// How the platform's own components connect to the broker: the endpoint (TLS when it is <c>mqtts://</c>), and for a
/// secured broker the account from <c>campus provision platform</c> and the CA that signed the broker's certificate.
/// </summary>
public sealed record MqttClientSettings(MqttEndpoint Endpoint, string InstanceId)
{
    /// <summary>Broker username (<c>Campus:Mqtt:Username</c>); none for the embedded or an anonymous broker.</summary>
    public string? Username { get; init; }

    /// <summary>Broker password (<c>Campus:Mqtt:Password</c>).</summary>
    public string? Password { get; init; }

    /// <summary>PEM file of the CA that signed the broker's certificate (<c>Campus:Mqtt:CaFile</c>); system roots when absent.</summary>
    public string? CaFile { get; init; }

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
        Secured(new MqttClientOptionsBuilder())
            .WithTcpServer(Endpoint.Host, Endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"campus-{component}-{InstanceId}")
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithReceiveMaximum(receiveMaximum)
            .Build();

    /// <summary>Adds the credentials and, for <c>mqtts://</c>, TLS with the broker certificate checked by <see cref="MqttTls"/>.</summary>
    public MqttClientOptionsBuilder Secured(MqttClientOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Username is { Length: > 0 })
        {
            builder.WithCredentials(Username, Password);
        }

        if (Endpoint.Tls)
        {
            var trusted = CaFile is { Length: > 0 } ? MqttTls.LoadCa(CaFile) : null;
            builder.WithTlsOptions(o => o
                .UseTls()
                .WithTargetHost(Endpoint.Host)
                .WithCertificateValidationHandler(e => MqttTls.IsTrusted(e.Certificate, e.SslPolicyErrors, trusted)));
        }

        return builder;
    }
}
