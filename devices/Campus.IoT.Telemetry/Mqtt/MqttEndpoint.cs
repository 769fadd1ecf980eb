namespace Campus.IoT.Telemetry.Mqtt;

/// <summary>
/// A broker address written as <c>mqtt://host:port</c> (or <c>host:port</c>; default port 1883), or <c>mqtts://host:port</c>
/// for TLS (default port 8883).
/// </summary>
public sealed record MqttEndpoint(string Host, int Port)
{
    public const int DefaultPort = 1883;
    public const int DefaultTlsPort = 8883;

    /// <summary>True for <c>mqtts://</c>: the client connects with TLS.</summary>
    public bool Tls { get; init; }

    public static bool TryParse(string? text, out MqttEndpoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "mqtt://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "tcp" or "mqtts") || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        var tls = uri.Scheme == "mqtts";
        endpoint = new MqttEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (tls ? DefaultTlsPort : DefaultPort) : uri.Port) { Tls = tls };
        return true;
    }

    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
