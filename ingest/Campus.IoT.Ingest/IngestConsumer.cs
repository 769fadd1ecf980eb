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
/// Every rejection, of a whole message or of one reading or event inside it, is counted by reason, logged and kept with its
/// payload in the dead-letter store; the valid readings beside a bad one are still stored.
/// <para>
/// Acknowledgement is manual: a message is acknowledged by the writer once its content is durable, not when it arrives, so a
/// crash of this process means the broker delivers it again (the persistent session keeps it), never that it is lost. With a
/// shared-subscription group (<see cref="IngestOptions.SharedGroup"/>) several instances share the stream.
/// </para>
/// </summary>
internal sealed partial class IngestConsumer : IHostedService, IAsyncDisposable
{
    private readonly IngestQueue _queue;
    private readonly PayloadDecoder _decoder;
    private readonly IngestMetrics _metrics;
    private readonly DeadLetterStore _rejects;
    private readonly SeqTracker _seq;
    private readonly TimeProvider _time;
    private readonly ILogger<IngestConsumer> _logger;
    private readonly ResilientMqttClient _client;

    public IngestConsumer(
        MqttClientSettings settings,
        IngestQueue queue,
        PayloadDecoder decoder,
        IngestMetrics metrics,
        DeadLetterStore rejects,
        SeqTracker seq,
        Microsoft.Extensions.Options.IOptions<IngestOptions> options,
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
        var group = options.Value.SharedGroup;
        Filters = [.. new[] { TopicKind.Telemetry, TopicKind.Events }.Select(kind => group.Length > 0 ? $"$share/{group}/{Topic.FilterAll(kind)}" : Topic.FilterAll(kind))];
        MqttTopicFilter[] filters = [.. Filters.Select(f => new MqttTopicFilterBuilder().WithTopic(f).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())];
        _client = new ResilientMqttClient(settings.ForSubscriber("ingest", (ushort)options.Value.ReceiveMaximum), filters, OnMessageAsync, time, logger);
    }

    /// <summary>The topic filters subscribed (shared or plain).</summary>
    public IReadOnlyList<string> Filters { get; }

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
        e.AutoAcknowledge = false;
        var batch = Decode(e.ApplicationMessage, e.AcknowledgeAsync);
        try
        {
            await _queue.EnqueueAsync(batch, CancellationToken.None);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Shutting down: not acknowledged, so the broker delivers it again after the restart.
        }
    }

    /// <summary>
    /// The accepted content of a message; empty (but still queued, so acknowledgements keep their order) when it is rejected whole.
    /// </summary>
    internal IngestBatch Decode(MqttApplicationMessage message, Func<CancellationToken, Task>? acknowledge = null)
    {
        if (!Topic.TryParse(message.Topic, out var topic))
        {
            _metrics.Received("unknown");
            Reject(message.Topic, "message", RejectReason.BadTopic, "not campus/v1/{site}/{gateway}/{telemetry|events}", null, message.Payload);
            return new IngestBatch(string.Empty, string.Empty, 0, [], []) { Acknowledge = acknowledge };
        }

        if (topic.Kind == TopicKind.Telemetry)
        {
            _metrics.Received("telemetry");
            var result = _decoder.DecodeTelemetry(message.Payload);
            RecordRejections(message.Topic, "reading", result.Reason, result.Detail, result.ItemRejections, message.Payload);
            if (result.Value is { } telemetry)
            {
                TrackSeq(topic, telemetry.Seq);
                return new IngestBatch(topic.Site, topic.Gateway, telemetry.Seq, telemetry.Readings, []) { Acknowledge = acknowledge };
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
                return new IngestBatch(topic.Site, topic.Gateway, events.Seq, [], events.Events) { Acknowledge = acknowledge };
            }
        }

        return new IngestBatch(topic.Site, topic.Gateway, 0, [], []) { Acknowledge = acknowledge };
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
        LogRejected(_logger, scope, topic, reasonName, index, detail);
        try
        {
            _rejects.Add(_time.GetUtcNow(), topic, scope, reasonName, detail, index, payload);
        }
        catch (Exception ex)
        {
            LogDeadLetterFailed(_logger, ex, topic);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Rejected {Scope} on {Topic}: {Reason} (item {Index}): {Detail}")]
    private static partial void LogRejected(ILogger logger, string scope, string topic, string reason, int? index, string detail);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Keeping a rejected message from {Topic} in the dead-letter store failed (it is counted and logged above)")]
    private static partial void LogDeadLetterFailed(ILogger logger, Exception exception, string topic);
}
