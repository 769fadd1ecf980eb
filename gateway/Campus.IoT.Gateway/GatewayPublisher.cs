using System.Text.Json;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Campus.IoT.Gateway;

/// <summary>
/// Publishes one gateway's messages: a retained <c>online</c> status on every (re)connect with a Last Will of <c>offline</c>,
/// and telemetry and events at QoS 1 with a <c>seq</c> that rises by one per message.
/// </summary>
public sealed class GatewayPublisher : IAsyncDisposable
{
    private readonly string _site;
    private readonly string _gateway;
    private readonly string _version;
    private readonly TimeProvider _time;
    private readonly ResilientMqttClient _client;
    private long _seq;

    public GatewayPublisher(MqttEndpoint endpoint, string site, string gateway, string version, long lastSeq, TimeProvider time, ILogger logger)
    {
        _site = site;
        _gateway = gateway;
        _version = version;
        _time = time;
        _seq = lastSeq;
        var statusTopic = Topic.Create(site, gateway, TopicKind.Status).ToString();
        var will = JsonSerializer.SerializeToUtf8Bytes(new GatewayStatus(GatewayState.Offline, time.GetUtcNow()) { Version = version }, TelemetryJsonContext.Default.GatewayStatus);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"gw-{site}-{gateway}")
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithWillTopic(statusTopic)
            .WithWillPayload(will)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        _client = new ResilientMqttClient(options, [], null, time, logger, PublishOnlineAsync);
    }

    public long LastSeq => Interlocked.Read(ref _seq);

    public bool IsConnected => _client.IsConnected;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _client.Start();
        return _client.WaitConnectedAsync(cancellationToken);
    }

    public Task PublishReadingsAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        var message = new TelemetryMessage(Interlocked.Increment(ref _seq), _time.GetUtcNow(), readings);
        return PublishAsync(TopicKind.Telemetry, JsonSerializer.SerializeToUtf8Bytes(message, TelemetryJsonContext.Default.TelemetryMessage), false, cancellationToken);
    }

    public Task PublishEventsAsync(IReadOnlyList<DeviceEvent> events, CancellationToken cancellationToken)
    {
        var message = new EventMessage(Interlocked.Increment(ref _seq), _time.GetUtcNow(), events);
        return PublishAsync(TopicKind.Events, JsonSerializer.SerializeToUtf8Bytes(message, TelemetryJsonContext.Default.EventMessage), false, cancellationToken);
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private Task PublishOnlineAsync(CancellationToken cancellationToken)
    {
        var status = new GatewayStatus(GatewayState.Online, _time.GetUtcNow()) { Version = _version, Spooled = 0 };
        return PublishAsync(TopicKind.Status, JsonSerializer.SerializeToUtf8Bytes(status, TelemetryJsonContext.Default.GatewayStatus), true, cancellationToken);
    }

    private Task PublishAsync(TopicKind kind, byte[] payload, bool retain, CancellationToken cancellationToken) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topic.Create(_site, _gateway, kind).ToString())
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(retain)
                .WithContentType("application/json")
                .Build(),
            cancellationToken);
}
