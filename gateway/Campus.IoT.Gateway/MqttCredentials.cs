namespace Campus.IoT.Gateway;

/// <summary>A gateway's broker credentials, and whether to use TLS.</summary>
public sealed record MqttCredentials(string Username, string Password, bool UseTls);
