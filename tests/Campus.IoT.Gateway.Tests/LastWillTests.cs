using System.Text.Json;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Gateway.Tests;

/// <summary>
/// The Last Will is stamped at each connection, not once at start: the platform takes each gateway status once by its
/// state and ts, so a will stamped once would make a gateway's second outage a copy of its first, and drop it.
/// </summary>
public sealed class LastWillTests
{
    [Fact]
    public void Each_connection_gets_a_will_stamped_with_its_own_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        var identity = new GatewayIdentity("school-01", "gw-1", "1.0.0");
        var options = GatewayMqtt.Options(new Telemetry.Mqtt.MqttEndpoint("127.0.0.1", 1883), identity, time);
        var refresh = GatewayMqtt.RefreshWill(identity, time);

        time.Advance(TimeSpan.FromMinutes(5));
        refresh(options);
        var first = WillTs(options.WillPayload);
        time.Advance(TimeSpan.FromMinutes(7));
        refresh(options);
        var second = WillTs(options.WillPayload);

        Assert.Equal(new DateTimeOffset(2026, 11, 29, 8, 5, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 8, 12, 0, TimeSpan.Zero), second);
    }

    private static DateTimeOffset WillTs(byte[] payload)
    {
        using var document = JsonDocument.Parse(payload);
        Assert.Equal("offline", document.RootElement.GetProperty("state").GetString());
        return document.RootElement.GetProperty("ts").GetDateTimeOffset();
    }
}
