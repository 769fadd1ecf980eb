using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;

namespace Campus.IoT.Telemetry.Mqtt;

/// <summary>
/// One long-lived MQTT connection that keeps itself up: a background loop checks it with <c>TryPingAsync</c>, reconnects with
/// back-off and re-subscribes; the disconnect handler only wakes the loop (reconnecting from inside it can deadlock).
/// </summary>
public sealed partial class ResilientMqttClient : IAsyncDisposable
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly IReadOnlyList<MqttTopicFilter> _subscriptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Action<MqttClientOptions>? _beforeConnect;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<CancellationToken, Task>? _onConnected;
    private Task? _loop;
    private int _disposed;
    private volatile bool _ready;

    public ResilientMqttClient(
        MqttClientOptions options,
        IReadOnlyList<MqttTopicFilter> subscriptions,
        Func<MqttApplicationMessageReceivedEventArgs, Task>? onMessage,
        TimeProvider time,
        ILogger logger,
        Func<CancellationToken, Task>? onConnected = null,
        Action<MqttClientOptions>? beforeConnect = null)
    {
        _beforeConnect = beforeConnect;
        _onConnected = onConnected;
        _options = options;
        _subscriptions = subscriptions;
        _time = time;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        if (onMessage is not null)
        {
            _client.ApplicationMessageReceivedAsync += onMessage;
        }

        _client.DisconnectedAsync += e =>
        {
            _ready = false;
            // A failed connection attempt raises this too (never connected): the loop is already backing off from it, and
            // waking it would make it retry at once, over and over, while the broker is down.
            if (e.ClientWasConnected && !_stop.IsCancellationRequested)
            {
                LogDisconnected(_logger, _options.ClientId, e.Reason.ToString(), e.Exception?.Message);
                WakeLoop();
            }

            return Task.CompletedTask;
        };
    }

    public bool IsConnected => _client.IsConnected;

    public string ClientId => _options.ClientId;

    /// <summary>Starts the connection loop and returns at once; the first connection may come later.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>
    /// Completes when the client is connected, subscribed and its on-connected callback has run; being connected alone is not
    /// enough (after CONNACK and before SUBACK a message published by someone else would not reach this client).
    /// </summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) =>
        _ready && IsConnected ? Task.CompletedTask : Volatile.Read(ref _connected).Task.WaitAsync(cancellationToken);

    public async Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var result = await _client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"publish to {message.Topic} refused: {result.ReasonCode} {result.ReasonString}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
            }
            catch (Exception ex)
            {
                LogDisconnectFailed(_logger, _options.ClientId, ex.Message);
            }
        }

        _client.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await _client.TryPingAsync(stop))
                {
                    await ConnectAsync(stop);
                    attempt = 0;
                }

                await WaitAsync(CheckInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = Backoff[Math.Min(attempt++, Backoff.Length - 1)];
                LogConnectFailed(_logger, _options.ClientId, ex.Message, delay.TotalMilliseconds);
                try
                {
                    // The whole back-off: nothing but stopping shortens it.
                    await Task.Delay(delay, _time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ConnectAsync(CancellationToken stop)
    {
        _ready = false;
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), stop);
        }

        // A gateway's Last Will carries the time of this connection, not of the first one: each outage is a new status.
        _beforeConnect?.Invoke(_options);
        var result = await _client.ConnectAsync(_options, stop);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        if (_subscriptions.Count > 0)
        {
            var builder = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in _subscriptions)
            {
                builder.WithTopicFilter(filter);
            }

            var subscribed = await _client.SubscribeAsync(builder.Build(), stop);
            foreach (var item in subscribed.Items)
            {
                if ((int)item.ResultCode > 2)
                {
                    throw new InvalidOperationException($"subscription to {item.TopicFilter.Topic} refused: {item.ResultCode}");
                }
            }
        }

        if (_onConnected is not null)
        {
            await _onConnected(stop);
        }

        LogConnected(_logger, _options.ClientId, result.IsSessionPresent);
        _ready = true;
        Interlocked.Exchange(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop)
    {
        using var interval = new CancellationTokenSource(delay, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop, interval.Token);
        try
        {
            await _wake.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The interval passed without a wake-up.
        }
    }

    private void WakeLoop()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "MQTT client {ClientId} connected (session present: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string clientId, bool sessionPresent);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "MQTT client {ClientId} disconnected: {Reason} {Error}")]
    private static partial void LogDisconnected(ILogger logger, string clientId, string reason, string? error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "MQTT client {ClientId} could not connect: {Error}; retrying in {DelayMs} ms")]
    private static partial void LogConnectFailed(ILogger logger, string clientId, string error, double delayMs);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "MQTT client {ClientId} disconnect on stop failed: {Error}")]
    private static partial void LogDisconnectFailed(ILogger logger, string clientId, string error);
}
