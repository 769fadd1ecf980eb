using System.Buffers;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Campus.IoT.Ingest;

/// <summary>
/// Receives telemetry and events, validates them through the wire contract and queues what is valid for the writer.
/// Every rejection, of a whole message or of one reading or event inside it, is counted by reason, logged and kept for
/// operators; the valid readings beside a bad one are still stored.
/// </summary>
internal sealed partial class IngestConsumer : IHostedService, IAsyncDisposable
{
    private readonly IngestQueue _queue;
    private readonly PayloadDecoder _decoder;
    private readonly IngestMetrics _metrics;
    private readonly RecentRejects _rejects;
    private readonly SeqTracker _seq;
    private readonly TimeProvider _time;
    private readonly ILogger<IngestConsumer> _logger;
    private readonly ResilientMqttClient _client;

    public IngestConsumer(
        MqttClientSettings settings,
        IngestQueue queue,
        PayloadDecoder decoder,
        IngestMetrics metrics,
        RecentRejects rejects,
        SeqTracker seq,
        TimeProvider time,
        ILogger<IngestConsumer> logger)
    {
        _queue = queue;
        _decoder = decoder;
        _metrics = metrics;
        _rejects = rejects;
        _seq = seq;
        _time = time;
        _logger = logger;
        MqttTopicFilter[] filters =
        [
            new MqttTopicFilterBuilder().WithTopic(Topic.FilterAll(TopicKind.Telemetry)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            new MqttTopicFilterBuilder().WithTopic(Topic.FilterAll(TopicKind.Events)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
        ];
        _client = new ResilientMqttClient(settings.ForSubscriber("ingest"), filters, OnMessageAsync, time, logger);
    }

    public bool IsConnected => _client.IsConnected;

    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _client.WaitConnectedAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _client.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _client.DisposeAsync();
        _queue.Complete();
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    internal async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (!Topic.TryParse(message.Topic, out var topic))
        {
            _metrics.Received("unknown");
            Reject(message.Topic, "message", RejectReason.BadTopic, "not campus/v1/{site}/{gateway}/{telemetry|events}", null, message.Payload);
            return;
        }

        if (topic.Kind == TopicKind.Telemetry)
        {
            _metrics.Received("telemetry");
            var result = _decoder.DecodeTelemetry(message.Payload);
            RecordRejections(message.Topic, "reading", result.Reason, result.Detail, result.ItemRejections, message.Payload);
            if (result.Value is { } telemetry)
            {
                TrackSeq(topic, telemetry.Seq);
                await _queue.EnqueueAsync(new IngestBatch(topic.Site, topic.Gateway, telemetry.Seq, telemetry.Readings, []), CancellationToken.None);
            }
        }
        else if (topic.Kind == TopicKind.Events)
        {
            _metrics.Received("events");
            var result = _decoder.DecodeEvents(message.Payload);
            RecordRejections(message.Topic, "event", result.Reason, result.Detail, result.ItemRejections, message.Payload);
            if (result.Value is { } events)
            {
                TrackSeq(topic, events.Seq);
                await _queue.EnqueueAsync(new IngestBatch(topic.Site, topic.Gateway, events.Seq, [], events.Events), CancellationToken.None);
            }
        }
    }

    private void TrackSeq(Topic topic, long seq)
    {
        var outcome = _seq.Observe(topic.Site, topic.Gateway, seq);
        if (outcome is SeqOutcome.Gap or SeqOutcome.Duplicate or SeqOutcome.Reset)
        {
            _metrics.Sequence(outcome);
        }
    }

    private void RecordRejections(string topic, string itemScope, RejectReason? reason, string? detail, IReadOnlyList<ItemRejection> items, ReadOnlySequence<byte> payload)
    {
        if (reason is { } messageReason)
        {
            Reject(topic, "message", messageReason, detail ?? string.Empty, null, payload);
        }

        foreach (var item in items)
        {
            Reject(topic, itemScope, item.Reason, item.Detail, item.Index, payload);
        }
    }

    private void Reject(string topic, string scope, RejectReason reason, string detail, int? index, ReadOnlySequence<byte> payload)
    {
        var reasonName = reason.ToWire();
        _metrics.Rejected(scope, reasonName);
        _rejects.Add(_time.GetUtcNow(), topic, scope, reasonName, detail, index, payload);
        LogRejected(_logger, scope, topic, reasonName, index, detail);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Rejected {Scope} on {Topic}: {Reason} (item {Index}): {Detail}")]
    private static partial void LogRejected(ILogger logger, string scope, string topic, string reason, int? index, string detail);
}
