using Campus.IoT.Telemetry;

namespace Campus.IoT.Gateway;

/// <summary>Who a gateway is on the wire: its site and gateway identifiers and its software version.</summary>
public sealed record GatewayIdentity(string Site, string Gateway, string Version)
{
    public string TopicOf(TopicKind kind) => Topic.Create(Site, Gateway, kind).ToString();
}
