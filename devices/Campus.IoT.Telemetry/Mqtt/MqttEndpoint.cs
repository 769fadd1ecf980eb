namespace Campus.IoT.Telemetry.Mqtt;

/// <summary>A broker address written as <c>mqtt://host:port</c> (or <c>host:port</c>); the default port is 1883.</summary>
public sealed record MqttEndpoint(string Host, int Port)
{
    public const int DefaultPort = 1883;

    public static bool TryParse(string? text, out MqttEndpoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "mqtt://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "tcp") || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        endpoint = new MqttEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port);
        return true;
    }

    public override string ToString() => $"mqtt://{Host}:{Port}";
}
