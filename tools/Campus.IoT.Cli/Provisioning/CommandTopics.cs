namespace Campus.IoT.Cli.Provisioning;

/// <summary>
/// Commands to a gateway travel on <c>campus/v1/{site}/{gateway}/cmd/…</c> (docs/protocol.md); the broker ACL lets a
/// gateway read only its own and lets only platform accounts write them.
/// </summary>
internal static class CommandTopics
{
    public const string Segment = "cmd";
}
