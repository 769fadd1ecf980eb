using Campus.IoT.Telemetry;
using Orleans;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// One school's rules engine in the cluster (key: the site id). Orleans keeps one activation per school across the live
/// nodes and activates it on another node when its node dies; every node forwards every input of the school to it, and the
/// grain drops the copies by the gateway's message (<c>seq</c> and <c>ts</c>).
/// </summary>
public interface ISiteRulesGrain : IGrainWithStringKey
{
    Task Events(string gateway, long seq, DateTimeOffset sent, DeviceEvent[] events);

    Task Readings(string gateway, long seq, DateTimeOffset sent, Reading[] readings);

    Task GatewayStatus(string gateway, bool online, DateTimeOffset ts);

    /// <summary>A node's console watchdog: whether a guard-room board on <paramref name="node"/> watches the school.</summary>
    Task Console(string node, bool attended, string note);

    Task<AckOutcome> Acknowledge(string id, string by, string? note);

    Task<AckOutcome> Shelve(string id, string by, string note, DateTimeOffset until);

    Task Escalate(string id);

    Task StartMaintenance(MaintenanceWindow window);

    Task<MaintenanceWindow?> EndMaintenance(string id, string by);

    /// <summary>Activates the school's engine if it is not running (after a node died) and returns where it runs.</summary>
    Task<string> Wake();
}
