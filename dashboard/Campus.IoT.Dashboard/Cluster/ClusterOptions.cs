namespace Campus.IoT.Dashboard.Cluster;

/// <summary><c>Campus:Cluster</c>: several dashboard nodes behind one load balancer (docs/district.md).</summary>
internal sealed class ClusterOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string (<c>10.0.0.5:6379,password=…</c>). When set, live pushes go through the
    /// Redis SignalR backplane to the boards of every node, and the Data Protection key ring (sign-in cookies, anti-forgery
    /// tokens) is kept in Redis so a cookie issued by one node is accepted by the others. Empty: a single node.
    /// </summary>
    public string? Redis { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);
}
