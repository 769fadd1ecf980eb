namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// <c>Campus:Cluster</c>: this node's place in a cluster of rules/dashboard nodes (docs/district.md). Off by default: one
/// machine runs the engine in-process.
/// </summary>
public sealed class ClusterSettings
{
    public const string Section = "Campus:Cluster";

    /// <summary>Run the rules engine on the Orleans cluster (a grain per school) instead of in-process.</summary>
    public bool Enabled { get; set; }

    /// <summary>Redis (StackExchange.Redis configuration string): the cluster's membership table, and the dashboards' SignalR backplane.</summary>
    public string? Redis { get; set; }

    /// <summary>The cluster's name: nodes with the same name (and Redis) form one cluster.</summary>
    public string ClusterId { get; set; } = "campus";

    /// <summary>Port for silo-to-silo traffic.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients would use (none do: every node is a silo).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other nodes reach this node at; default: this machine's first IPv4 address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// How long a silent node is given before the others declare it dead and take its schools over. Orleans probes each node
    /// every <c>ProbeTimeout</c> and declares it dead after <c>NumMissedProbesLimit</c> missed probes: 2 s × 3 here, so a dead
    /// node's schools move in about 6–10 s (the target is 30 s).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Schools the keeper wakes besides those with open alarms or recent messages (set by the host from its site directory).</summary>
    public Func<IEnumerable<string>> KnownSites { get; set; } = () => [];
}
