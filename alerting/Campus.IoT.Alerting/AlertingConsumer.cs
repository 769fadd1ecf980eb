using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Campus.IoT.Alerting;

/// <summary>
/// Alerting's own subscription to the broker, independent of ingest, so a slow or dead time-series store never delays an
/// alarm. Events and telemetry go straight to the engine; the receipt time is kept for the latency metric.
/// </summary>
internal sealed partial class AlertingConsumer : IHostedService, IAsyncDisposable
{
    private readonly AlarmService _alarms;
    private readonly PayloadDecoder _decoder;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertingConsumer> _logger;
    private readonly ResilientMqttClient _client;
    private readonly IGatewayStatusObserver[] _statusObservers;

    public AlertingConsumer(MqttClientSettings settings, AlarmService alarms, PayloadDecoder decoder, TimeProvider time, ILogger<AlertingConsumer> logger, IEnumerable<IGatewayStatusObserver>? statusObservers = null)
    {
        _statusObservers = [.. statusObservers ?? []];
        _alarms = alarms;
        _decoder = decoder;
        _time = time;
        _logger = logger;
        MqttTopicFilter[] filters =
        [
            new MqttTopicFilterBuilder().WithTopic(Topic.FilterAll(TopicKind.Events)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            new MqttTopicFilterBuilder().WithTopic(Topic.FilterAll(TopicKind.Telemetry)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            new MqttTopicFilterBuilder().WithTopic(Topic.FilterAll(TopicKind.Status)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
        ];
        _client = new ResilientMqttClient(settings.ForSubscriber("alerting"), filters, OnMessageAsync, time, logger);
    }

    public bool IsConnected => _client.IsConnected;

    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _client.WaitConnectedAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _client.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _client.DisposeAsync().AsTask();

    public ValueTask DisposeAsync() => _client.DisposeAsync();

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
                    await _alarms.OnEventsAsync(topic.Site, topic.Gateway, events.Events, received, CancellationToken.None);
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
                    await _alarms.OnReadingsAsync(topic.Site, topic.Gateway, telemetry.Readings, received, CancellationToken.None);
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
