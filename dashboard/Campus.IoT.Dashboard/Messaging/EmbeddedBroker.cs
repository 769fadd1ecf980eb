using System.Net;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace Campus.IoT.Dashboard.Messaging;

/// <summary>
/// The school server's own MQTT 5 broker (MQTTnet.Server), so the guard room needs no other process. It starts before the
/// platform's subscribers (hosted services start in registration order) and is off when an external broker is configured.
/// </summary>
internal sealed partial class EmbeddedBroker(IOptions<CampusOptions> options, ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mqtt = options.Value.Mqtt;
        if (!mqtt.UseEmbedded)
        {
            return;
        }

        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(mqtt.EmbeddedBindAddress))
            .WithDefaultEndpointPort(mqtt.EmbeddedPort)
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        await _server.StartAsync();
        LogStarted(logger, mqtt.EmbeddedBindAddress, mqtt.EmbeddedPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public void Dispose() => _server?.Dispose();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private static partial void LogStarted(ILogger logger, string address, int port);
}
