using System.Diagnostics.Metrics;

namespace Campus.IoT.Alerting;

/// <summary>The alerting component's meter: alarms raised and the latency from message receipt to the guard room.</summary>
internal sealed class AlertingMetrics
{
    public const string MeterName = "Campus.IoT.Alerting";

    private readonly Counter<long> _raised;
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _storeFailures;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _hazardFeed;

    public AlertingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _raised = meter.CreateCounter<long>("campus.alarms.raised", "{alarm}", "Alarms raised, by rule and severity");
        _transitions = meter.CreateCounter<long>("campus.alarms.transitions", "{transition}", "Alarm transitions, by kind");
        _storeFailures = meter.CreateCounter<long>("campus.alarms.store.failures", "{transition}", "Alarm transitions that could not be stored (pushed live anyway)");
        _deliveries = meter.CreateCounter<long>("campus.notifications.attempts", "{attempt}", "Notification delivery attempts, by channel and outcome (sent, failed, gave_up, unrouted)");
        _hazardFeed = meter.CreateCounter<long>("campus.hazard_feed.failures", "{transition}", "Alarm transitions the hazard registry did not get, by outcome (failed after retries, dropped on a full queue)");
        _latency = meter.CreateHistogram<double>(
            "campus.alarm.latency",
            "s",
            "Time from receipt of the MQTT message to the alarm change pushed to the live hub",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    public void Transition(AlarmTransition transition)
    {
        var kind = new KeyValuePair<string, object?>("transition", transition.Kind.ToWire());
        _transitions.Add(1, kind);
        if (transition.Kind == AlarmTransitionKind.Raised)
        {
            _raised.Add(
                1,
                new KeyValuePair<string, object?>("rule", transition.Alarm.Rule),
                new KeyValuePair<string, object?>("severity", transition.Alarm.Severity.ToWire()));
        }
    }

    public void Delivery(string channel, Notifications.DeliveryOutcome outcome) =>
        _deliveries.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", Notifications.DeliveryOutcomeNames.ToWire(outcome)));

    public void StoreFailed(int transitions) => _storeFailures.Add(transitions);

    public void HazardFeedFailed() => _hazardFeed.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));

    public void HazardFeedDropped() => _hazardFeed.Add(1, new KeyValuePair<string, object?>("outcome", "dropped"));

    public void Latency(TimeSpan elapsed, Alarm alarm) =>
        _latency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("severity", alarm.Severity.ToWire()));
}
