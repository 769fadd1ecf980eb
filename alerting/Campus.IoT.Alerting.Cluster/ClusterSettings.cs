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
    /// Failure detection (Orleans' membership): each node probes others every <c>ProbeTimeout</c> (adapted by Orleans between
    /// this and 4× it) and votes a node dead after <see cref="MissedProbesLimit"/> missed probes; with three or more nodes
    /// two votes are needed. A killed node is found much sooner (its connections fail): measured on loopback, its schools
    /// ran again on the survivor 4.6–11.5 s after a SIGKILL (the target is 30 s).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Schools the keeper wakes besides those with open alarms or recent messages (set by the host from its site directory).</summary>
    public Func<IEnumerable<string>> KnownSites { get; set; } = () => [];
}
