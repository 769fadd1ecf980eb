using System.Diagnostics.Metrics;
using System.Net;
using System.Reflection;
using Microsoft.Extensions.Options;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Campus.IoT.Dashboard.Messaging;

/// <summary>
/// The school server's own MQTT 5 broker (MQTTnet.Server), so the guard room needs no other process. It starts before the
/// platform's subscribers (hosted services start in registration order) and is off when an external broker is configured.
/// </summary>
internal sealed partial class EmbeddedBroker : IHostedService, IDisposable
{
    public const string MeterName = "Campus.IoT.Broker";

    /// <summary>
    /// A platform subscriber that restarts finds up to this many QoS 1 messages queued for it (MQTTnet's default is 250, then
    /// it drops the oldest): minutes of a busy school's traffic. A drop beyond it is logged and counted.
    /// </summary>
    public const int MaxPendingMessagesPerClient = 100_000;

    // MQTTnet assigns an id to an MQTT 5 client that sends none, but refuses an MQTT 3.1.1 client that does the same (as
    // mosquitto_pub does) although 3.1.1 (3.1.3-6) lets the server assign one for a clean session. The CONNECT packet is only
    // reachable through this private field; if MQTTnet renames it, the start-up log says so and such clients are refused.
    private static readonly FieldInfo? ConnectPacketField = typeof(ValidatingConnectionEventArgs)
        .GetFields(BindingFlags.NonPublic | BindingFlags.Instance)
        .FirstOrDefault(f => f.FieldType == typeof(MqttConnectPacket));

    private readonly IOptions<CampusOptions> _options;
    private readonly ILogger<EmbeddedBroker> _logger;
    private readonly Counter<long> _dropped;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<CampusOptions> options, IMeterFactory meters, ILogger<EmbeddedBroker> logger)
    {
        _options = options;
        _logger = logger;
        _dropped = meters.Create(MeterName).CreateCounter<long>("campus.broker.messages.dropped", "{message}", "Queued messages the embedded broker dropped for a client whose queue was full");
    }

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mqtt = _options.Value.Mqtt;
        if (!mqtt.UseEmbedded)
        {
            return;
        }

        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(mqtt.EmbeddedBindAddress))
            .WithDefaultEndpointPort(mqtt.EmbeddedPort)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(MaxPendingMessagesPerClient)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += AssignClientIdentifier;
        _server.QueuedApplicationMessageOverwrittenAsync += e =>
        {
            _dropped.Add(1);
            LogDropped(_logger, e.ReceiverClientId);
            return Task.CompletedTask;
        };
        if (ConnectPacketField is null)
        {
            LogNoIdAssignment(_logger);
        }

        try
        {
            await _server.StartAsync();
        }
        catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException(
                $"MQTT port {mqtt.EmbeddedBindAddress}:{mqtt.EmbeddedPort} is already in use (another broker, e.g. a Mosquitto service?). " +
                $"Use that broker with --Campus:Mqtt:Broker=mqtt://127.0.0.1:{mqtt.EmbeddedPort}, or move the embedded one with --Campus:Mqtt:EmbeddedPort=1884.",
                ex);
        }

        LogStarted(_logger, mqtt.EmbeddedBindAddress, mqtt.EmbeddedPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public void Dispose() => _server?.Dispose();

    private static Task AssignClientIdentifier(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId) && e.CleanSession != false && ConnectPacketField?.GetValue(e) is MqttConnectPacket connect)
        {
            connect.ClientId = "auto-" + Guid.NewGuid().ToString("N");
            e.AssignedClientIdentifier = connect.ClientId;
            e.ReasonCode = MqttConnectReasonCode.Success;
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private static partial void LogStarted(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Embedded broker dropped a queued message for {ClientId}: its queue is full")]
    private static partial void LogDropped(ILogger logger, string clientId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "This MQTTnet version hides the CONNECT packet: MQTT 3.1.1 clients without a client id will be refused")]
    private static partial void LogNoIdAssignment(ILogger logger);
}
