using Campus.IoT.Alerting.Rules;
using Campus.IoT.Ingest;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// The sensor-health view's classification (docs/dashboards.md#sensor-health) over the device directory, the open alarm
/// conditions, the gateways' seq record and the rules in force. <see cref="Begin"/> takes one consistent set of inputs (one
/// clock reading, one alarm snapshot, one seq snapshot) for a pass over any number of sites.
/// </summary>
internal sealed class SensorHealthModel(
    DeviceDirectory directory,
    DeviceAlarmIndex alarms,
    SeqTracker seq,
    RulesProvider rules,
    IOptions<HealthOptions> options,
    TimeProvider time)
{
    public DeviceDirectory Directory => directory;

    public HealthPass Begin()
    {
        var offline = OfflineRule(rules.Current);
        var sequences = new Dictionary<(string Site, string Gateway), GatewaySeqSnapshot>();
        foreach (var s in seq.Snapshot())
        {
            sequences[(s.Site, s.Gateway)] = s;
        }

        return new HealthPass(directory, time.GetUtcNow(), options.Value, offline.Floor, offline.Multiple, alarms.Snapshot(), sequences);
    }

    /// <summary>
    /// The offline threshold the alerting engine uses: the first offline rule for every metric (the built-in
    /// <c>sensor-offline</c>: max(5 min, 3 × interval)), else the first offline rule, else those defaults.
    /// </summary>
    internal static (TimeSpan Floor, double Multiple) OfflineRule(RuleSet rules)
    {
        Rule? chosen = null;
        foreach (var rule in rules.Rules)
        {
            if (rule.Detector != DetectorKind.Offline)
            {
                continue;
            }

            if (rule.Metric == "*")
            {
                chosen = rule;
                break;
            }

            chosen ??= rule;
        }

        return chosen is null ? (TimeSpan.FromMinutes(5), 3) : (chosen.OfflineFloor, chosen.IntervalMultiple);
    }
}
