using System.Buffers;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A test's witness on the broker: a persistent-session QoS 1 subscriber that reconnects by itself (through broker
/// restarts) and hands each payload to the test.
/// </summary>
public static class DurableSubscriber
{
    public static async Task<ResilientMqttClient> StartAsync(string host, int port, string topic, Action<string, byte[]> onMessage, ILogger logger)
    {
        var options = new MqttClientSettings(new MqttEndpoint(host, port), "t-" + Guid.NewGuid().ToString("N")[..10]).ForSubscriber("witness");
        MqttTopicFilter[] filters = [new MqttTopicFilterBuilder().WithTopic(topic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()];
        var client = new ResilientMqttClient(options, filters, e =>
        {
            onMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        }, TimeProvider.System, logger);
        client.Start();
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        await client.WaitConnectedAsync(cts.Token);
        return client;
    }
}
