namespace Campus.IoT.Gateway;

/// <summary>
/// How a gateway authenticates to the broker: username and password, TLS, and the CA (PEM) that signed the broker's
/// certificate when it is a private school or district CA rather than a public one.
/// </summary>
public sealed record MqttSecurity(string? Username, string? Password, bool UseTls, string? CaFile = null);
