using System.Text.Json;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Gateway;

/// <summary>
/// Publishes one gateway's messages straight to the broker, without a spool (the demo school uses it): a retained
/// <c>online</c> status on every (re)connect with a Last Will of <c>offline</c>, and telemetry and events at QoS 1 with a
/// <c>seq</c> that rises by one per message. A real gateway uses <see cref="SpooledGatewayPublisher"/>.
/// </summary>
public sealed class GatewayPublisher : IAsyncDisposable
{
    private readonly GatewayIdentity _identity;
    private readonly TimeProvider _time;
    private readonly ResilientMqttClient _client;
    private long _seq;

    public GatewayPublisher(MqttEndpoint endpoint, string site, string gateway, string version, long lastSeq, TimeProvider time, ILogger logger)
    {
        _identity = new GatewayIdentity(site, gateway, version);
        _time = time;
        _seq = lastSeq;
        _client = new ResilientMqttClient(GatewayMqtt.Options(endpoint, _identity, time), [], null, time, logger, PublishOnlineAsync, GatewayMqtt.RefreshWill(_identity, time));
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

    private Task PublishOnlineAsync(CancellationToken cancellationToken) =>
        PublishAsync(TopicKind.Status, GatewayMqtt.Online(_identity, _time, 0), true, cancellationToken);

    private Task PublishAsync(TopicKind kind, byte[] payload, bool retain, CancellationToken cancellationToken) =>
        _client.PublishAsync(GatewayMqtt.Message(_identity.TopicOf(kind), payload, retain), cancellationToken);
}
