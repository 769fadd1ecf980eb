using System.Globalization;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>A gateway's status over MQTT (as its Last Will publishes it) raises and clears the gateway-offline alarm.</summary>
public sealed class GatewayStatusTests : PlatformTest
{
    [Fact]
    public async Task Offline_status_raises_gateway_offline_and_online_clears_it()
    {
        await using var gateway = await Platform.ConnectGatewayAsync();
        await gateway.PublishAsync("campus/v1/school-31/gw-7/status", $$"""{"state":"offline","ts":"{{Now()}}"}""", retain: true);

        var alarm = await Eventually.Get(
            async () => (await Platform.GetAlarmsAsync("?site=school-31")).FirstOrDefault(a => (string?)a!["rule"] == "gateway-offline"),
            "the gateway-offline alarm");
        Assert.Equal("major", (string?)alarm["severity"]);
        Assert.Equal("gw-7", (string?)alarm["gateway"]);
        Assert.Null((string?)alarm["device"]);

        await gateway.PublishAsync("campus/v1/school-31/gw-7/status", $$"""{"state":"online","ts":"{{Now()}}"}""", retain: true);
        await Eventually.True(
            async () => (await Platform.GetAlarmsAsync("?site=school-31&state=all")).Any(a => (string?)a!["rule"] == "gateway-offline" && (string?)a["state"] == "cleared_unack"),
            "the gateway-offline alarm cleared");
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
