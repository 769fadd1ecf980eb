using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Campus.IoT.Alerting;

/// <summary>
/// Alerting's own subscriptions to the broker, independent of ingest, so a slow or dead time-series store never delays an
/// alarm. Events and telemetry go straight to the engine; the receipt time is kept for the latency metric.
/// <para>
/// Two connections: events and gateway status on one (<c>campus-alerting-events-{instance}</c>), telemetry on the other
/// (<c>campus-alerting-telemetry-{instance}</c>). A client's messages are delivered and handled one after another, so on a
/// single connection a fire event waited behind every reading queued before it; on its own it waits at most for the one
/// batch of readings the engine is evaluating (<see cref="AlarmService"/> runs one input at a time). On a cluster node the
/// inputs go on to the schools' grains through one forwarder per school, which also sends events and statuses ahead of
/// queued readings (alerting/Campus.IoT.Alerting.Cluster).
/// </para>
/// </summary>
internal sealed partial class AlertingConsumer : IHostedService, IAsyncDisposable
{
    private readonly IAlarms _alarms;
    private readonly PayloadDecoder _decoder;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertingConsumer> _logger;
    private readonly IGatewayStatusObserver[] _statusObservers;
    private readonly ResilientMqttClient _events;
    private readonly ResilientMqttClient _telemetry;

    public AlertingConsumer(MqttClientSettings settings, IAlarms alarms, PayloadDecoder decoder, TimeProvider time, ILogger<AlertingConsumer> logger, IEnumerable<IGatewayStatusObserver>? statusObservers = null)
    {
        _statusObservers = [.. statusObservers ?? []];
        _alarms = alarms;
        _decoder = decoder;
        _time = time;
        _logger = logger;
        // New client ids (the single connection was campus-alerting-{instance}): a broker that still keeps that session
        // with all three subscriptions lets it expire, and nothing is delivered twice.
        _events = new ResilientMqttClient(settings.ForSubscriber("alerting-events"), [Filter(TopicKind.Events), Filter(TopicKind.Status)], OnMessageAsync, time, logger);
        _telemetry = new ResilientMqttClient(settings.ForSubscriber("alerting-telemetry"), [Filter(TopicKind.Telemetry)], OnMessageAsync, time, logger);

        static MqttTopicFilter Filter(TopicKind kind) =>
            new MqttTopicFilterBuilder().WithTopic(Topic.FilterAll(kind)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
    }

    public bool IsConnected => _events.IsConnected && _telemetry.IsConnected;

    public async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        await _events.WaitConnectedAsync(cancellationToken);
        await _telemetry.WaitConnectedAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _events.Start();
        _telemetry.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        await _telemetry.DisposeAsync();
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var received = _time.GetTimestamp();
        var message = e.ApplicationMessage;
        if (!Topic.TryParse(message.Topic, out var topic))
        {
            return;
        }

        try
        {
            if (topic.Kind == TopicKind.Events)
            {
                var decoded = _decoder.DecodeEvents(message.Payload);
                if (decoded.Value is { Events.Count: > 0 } events)
                {
                    await _alarms.OnEventsAsync(topic.Site, topic.Gateway, new MessageId(events.Seq, events.Ts), events.Events, received, CancellationToken.None);
                }
            }
            else if (topic.Kind == TopicKind.Status)
            {
                // Retained, and the MQTT Last Will publishes offline: gateway-offline alarms and sensor suppression.
                var decoded = _decoder.DecodeStatus(message.Payload);
                if (decoded.Value is { } status)
                {
                    foreach (var observer in _statusObservers)
                    {
                        observer.GatewayStatus(topic.Site, topic.Gateway, status);
                    }

                    await _alarms.OnGatewayStatusAsync(topic.Site, topic.Gateway, status.State == GatewayState.Online, status.Ts, received, CancellationToken.None);
                }
            }
            else if (topic.Kind == TopicKind.Telemetry)
            {
                var decoded = _decoder.DecodeTelemetry(message.Payload);
                if (decoded.Value is { Readings.Count: > 0 } telemetry)
                {
                    await _alarms.OnReadingsAsync(topic.Site, topic.Gateway, new MessageId(telemetry.Seq, telemetry.Ts), telemetry.Readings, received, CancellationToken.None);
                }
            }
        }
        catch (Exception ex)
        {
            // Never let one message stop the subscription. Rejections are counted by ingest; this is a fault of ours.
            LogProcessingFailed(_logger, ex, message.Topic);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Alerting failed to process a message on {Topic}")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string topic);
}
