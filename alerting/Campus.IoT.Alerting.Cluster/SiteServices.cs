using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Alerting.Rules;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Campus.IoT.Alerting.Cluster;

/// <summary>What a school's grain needs from its node: the shared stores and channels, and this node's identity.</summary>
internal sealed class SiteServices(
    IAlarmStore store,
    IAlarmNotifier notifier,
    AlertingMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers,
    RulesProvider rules,
    IEnumerable<IHazardFeed> hazards,
    EscalationScheduler escalations,
    NotificationDispatcher dispatcher,
    IDeliveryStore deliveries,
    SiteJournal journal,
    ILocalSiloDetails silo,
    IClusterMembershipService membership)
{
    private readonly IHazardFeed[] _hazards = [.. hazards];

    public TimeProvider Time => time;

    public SiteJournal Journal => journal;

    /// <summary>This node, as the cluster's membership names it.</summary>
    public string Node => silo.SiloAddress.ToString();

    /// <summary>The engine of one school, over the shared alarm store, on this node's scheduler and channels.</summary>
    public AlarmService Create(string site) =>
        new(store, notifier, metrics, time, loggers.CreateLogger<AlarmService>(), rules, _hazards, escalations, dispatcher, deliveries, site);

    public IReadOnlyList<InputMark> RecentInputs(string site, DateTimeOffset since) => store.RecentInputs(site, since);

    public DateTimeOffset? LastChange(string site) => store.LastChange(site);

    /// <summary>The nodes this node's view of the membership counts as alive (read locally, no call).</summary>
    public IReadOnlySet<string> AliveNodes() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToString()).ToHashSet(StringComparer.Ordinal);
}
