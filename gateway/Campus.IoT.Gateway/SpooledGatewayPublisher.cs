using System.Text.Json;
using Campus.IoT.Gateway.Spool;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Gateway;

/// <summary>
/// The gateway's publisher: every message is made durable in the <see cref="DurableSpool"/> first (which hands out its
/// <c>seq</c>), then a forwarding loop publishes the spool in order at QoS 1 and removes each message only when the broker
/// has acknowledged it. Through a broker outage the spool fills; afterwards it replays with the original <c>ts</c> and
/// <c>seq</c>, fire events first. The retained <c>online</c> status (with the spool depth) goes out on every connect.
/// </summary>
public sealed partial class SpooledGatewayPublisher : IAsyncDisposable
{
    public const int BatchSize = 200;

    private readonly GatewayIdentity _identity;
    private readonly DurableSpool _spool;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResilientMqttClient _client;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _forwarder;
    private long _published;
    private GatewayHealth? _health;

    public SpooledGatewayPublisher(MqttEndpoint endpoint, GatewayIdentity identity, DurableSpool spool, TimeProvider time, ILogger logger, MqttSecurity? security = null)
    {
        _identity = identity;
        _spool = spool;
        _time = time;
        _logger = logger;
        _client = new ResilientMqttClient(GatewayMqtt.Options(endpoint, identity, time, security), [], null, time, logger, PublishOnlineAsync, GatewayMqtt.RefreshWill(identity, time));
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Messages the broker has acknowledged since start.</summary>
    public long Published => Interlocked.Read(ref _published);

    public void Start()
    {
        _client.Start();
        _forwarder ??= Task.Run(() => ForwardAsync(_stop.Token));
    }

    /// <summary>Spools a telemetry message (durable when this returns) and returns its <c>seq</c>.</summary>
    public Task<long> EnqueueReadingsAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken = default) =>
        EnqueueAsync(SpoolKind.Telemetry, seq => JsonSerializer.SerializeToUtf8Bytes(new TelemetryMessage(seq, _time.GetUtcNow(), readings), TelemetryJsonContext.Default.TelemetryMessage), cancellationToken);

    /// <summary>Spools an events message; it overtakes any telemetry backlog.</summary>
    public Task<long> EnqueueEventsAsync(IReadOnlyList<DeviceEvent> events, CancellationToken cancellationToken = default) =>
        EnqueueAsync(SpoolKind.Events, seq => JsonSerializer.SerializeToUtf8Bytes(new EventMessage(seq, _time.GetUtcNow(), events), TelemetryJsonContext.Default.EventMessage), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_forwarder is not null)
        {
            await _forwarder.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _client.DisposeAsync();
        _wake.Dispose();
        _stop.Dispose();
    }

    private async Task<long> EnqueueAsync(SpoolKind kind, Func<long, byte[]> payload, CancellationToken cancellationToken)
    {
        var seq = await _spool.AppendAsync(kind, payload, cancellationToken);
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }

        return seq;
    }

    private async Task ForwardAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _client.WaitConnectedAsync(stop);
                var batch = _spool.Peek(BatchSize);
                if (batch.Count == 0)
                {
                    await WaitForWorkAsync(stop);
                    continue;
                }

                var acknowledged = new List<SpoolRecord>(batch.Count);
                try
                {
                    foreach (var record in batch)
                    {
                        var topic = _identity.TopicOf(record.Kind == SpoolKind.Events ? TopicKind.Events : TopicKind.Telemetry);
                        await _client.PublishAsync(GatewayMqtt.Message(topic, record.Payload, retain: false), stop);
                        acknowledged.Add(record);
                    }
                }
                finally
                {
                    // What the broker acknowledged leaves the spool; the rest is published again after reconnecting.
                    _spool.Acknowledge(acknowledged);
                    Interlocked.Add(ref _published, acknowledged.Count);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogForwardFailed(_logger, ex.Message, _spool.Stats.Depth);
                await WaitForWorkAsync(stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stop)
    {
        using var interval = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, interval.Token);
        try
        {
            await _wake.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // Checked again after a second anyway.
        }
    }

    /// <summary>
    /// Publishes the retained <c>online</c> status with the spool depth and this health now (and on every reconnect). Status
    /// is a latest-value message: while the broker is away it is not spooled, the next one replaces it.
    /// </summary>
    public async Task<bool> PublishHealthAsync(GatewayHealth health, CancellationToken cancellationToken)
    {
        _health = health;
        if (!_client.IsConnected)
        {
            return false;
        }

        await PublishOnlineAsync(cancellationToken);
        return true;
    }

    private Task PublishOnlineAsync(CancellationToken cancellationToken) =>
        _client.PublishAsync(GatewayMqtt.Message(_identity.TopicOf(TopicKind.Status), GatewayMqtt.Online(_identity, _time, _spool.Stats.Depth, _health), retain: true), cancellationToken);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Forwarding the spool paused: {Error}; {Depth} messages wait in the spool")]
    private static partial void LogForwardFailed(ILogger logger, string error, long depth);
}
