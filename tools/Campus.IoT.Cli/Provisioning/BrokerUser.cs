using Campus.IoT.Telemetry;

namespace Campus.IoT.Cli.Provisioning;

/// <summary>
/// A broker account this CLI manages. A gateway's username is <c>{site}.{gateway}</c>; a platform component's is its bare
/// name (<c>ingest</c>); a school's bridge to the district broker is <c>bridge@{site}</c>: identifiers never contain a dot or
/// an <c>@</c>, so the three kinds cannot collide.
/// </summary>
internal sealed record BrokerUser(string Name, string? Site, string? Gateway)
{
    public const string BridgePrefix = "bridge@";

    public bool IsGateway => Gateway is not null;

    /// <summary>A school's bridge: it forwards that school's topics (docs/district.md), so it writes under the site only.</summary>
    public bool IsBridge => Gateway is null && Site is not null;

    /// <summary>gateway, bridge or platform.</summary>
    public string Kind => IsGateway ? "gateway" : IsBridge ? "bridge" : "platform";

    public static BrokerUser ForGateway(string site, string gateway) => new($"{site}.{gateway}", site, gateway);

    public static BrokerUser ForPlatform(string name) => new(name, null, null);

    public static BrokerUser ForBridge(string site) => new(BridgePrefix + site, site, null);

    /// <summary>Reads a username back: <c>a.b</c> with two valid identifiers is a gateway, a single identifier a platform
    /// component; anything else (an account added by hand with <c>mosquitto_passwd</c>) is left alone and reported as null.</summary>
    public static BrokerUser? Parse(string name)
    {
        if (name.StartsWith(BridgePrefix, StringComparison.Ordinal))
        {
            var bridged = name[BridgePrefix.Length..];
            return Identifier.IsValid(bridged) ? ForBridge(bridged) : null;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return Identifier.IsValid(name) ? ForPlatform(name) : null;
        }

        var site = name[..dot];
        var gateway = name[(dot + 1)..];
        return Identifier.IsValid(site) && Identifier.IsValid(gateway) ? ForGateway(site, gateway) : null;
    }

    /// <summary>The topic prefix a gateway owns: <c>campus/v1/{site}/{gateway}</c>.</summary>
    public string GatewayRoot => $"campus/v1/{Site}/{Gateway}";

    /// <summary>
    /// This account's <c>acl_file</c> block. A gateway writes only under its own prefix (status with its Last Will,
    /// telemetry, events) and reads only its own command topics; a school's bridge writes only under its school; a platform
    /// component reads every site's topics (plain and shared subscriptions) and writes only command topics.
    /// </summary>
    public IReadOnlyList<string> AclLines(string comment) =>
        IsGateway ? [$"# {comment}", $"user {Name}", $"topic write {GatewayRoot}/#", $"topic read {GatewayRoot}/{CommandTopics.Segment}/#"]
        : IsBridge ? [$"# {comment}", $"user {Name}", $"topic write campus/v1/{Site}/#"]
        : [$"# {comment}", $"user {Name}", "topic read campus/v1/#", "topic read $share/+/campus/v1/#", $"topic write campus/v1/+/+/{CommandTopics.Segment}/#"];
}
