namespace Campus.IoT.Dashboard.Devices;

/// <summary>One gateway's health: status, when heard, what it reported (version, spool, uptime), its devices, its seq record.</summary>
internal sealed record GatewayHealthView(
    string Gateway,
    GatewayLinkStatus Status,
    DateTimeOffset? LastSeen,
    DateTimeOffset? StatusTs,
    string? Version,
    long? Spooled,
    long? UptimeSeconds,
    int Devices,
    long SeqGaps,
    long SeqDuplicates,
    long SeqResets);
