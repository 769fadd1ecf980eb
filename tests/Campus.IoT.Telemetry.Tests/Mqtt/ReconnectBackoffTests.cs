using Campus.IoT.Telemetry.Mqtt;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Telemetry.Tests.Mqtt;

/// <summary>
/// With the broker down, the client retries on its back-off schedule (250 ms, 1 s, 2 s, 5 s on the injected clock), never
/// at once: a failed attempt also raises MQTTnet's Disconnected event, which used to wake the loop from its back-off, so a
/// node with its broker gone retried about a thousand times a second and flooded its log.
/// </summary>
public sealed class ReconnectBackoffTests
{
    [Fact]
    public async Task A_broker_that_is_down_is_retried_on_the_back_off_schedule_not_in_a_loop()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var logs = new CapturedLogs();
        // A loopback port nobody listens on: every attempt is refused at once.
        var settings = new MqttClientSettings(new MqttEndpoint("127.0.0.1", FreePort.Next()), "backoff-test");
        await using var client = new ResilientMqttClient(settings.ForSubscriber("backoff"), [], null, time, logs.CreateLogger<ResilientMqttClient>());
        client.Start();

        await Eventually.True(() => Failures(logs) == 1, "the first attempt refused");
        // Without the clock moving, a loop that ignored its back-off would have failed hundreds more times by now.
        await Task.Delay(500);
        Assert.Equal(1, Failures(logs));

        time.Advance(TimeSpan.FromMilliseconds(250));
        await Eventually.True(() => Failures(logs) == 2, "the second attempt after 250 ms");
        await Task.Delay(500);
        Assert.Equal(2, Failures(logs));

        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => Failures(logs) == 3, "the third attempt after 1 s more");
    }

    private static int Failures(CapturedLogs logs) => logs.Entries.Count(e => e.EventId.Id == 1003);
}
