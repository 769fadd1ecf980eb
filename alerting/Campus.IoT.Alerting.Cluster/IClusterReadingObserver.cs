using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// Told of every reading this node's alerting subscription receives, before it is forwarded to the school's engine. On a
/// cluster node the built-in ingest takes only its share of a shared subscription, while alerting receives every
/// school's messages: the node's sensor health view (last heard, last value) is fed from here so it covers every device.
/// </summary>
internal interface IClusterReadingObserver
{
    void ReadingsReceived(string site, string gateway, IReadOnlyList<Reading> readings);
}
