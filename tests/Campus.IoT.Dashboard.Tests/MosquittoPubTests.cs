using System.Diagnostics;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>The README's hand check: Debian's mosquitto_pub (MQTT 3.1.1, no client id) against the embedded broker.</summary>
public sealed class MosquittoPubTests : PlatformTest
{
    [Theory]
    [InlineData("mqttv311")]
    [InlineData("5")]
    public async Task Mosquitto_pub_without_a_client_id_raises_an_alarm_through_the_embedded_broker(string protocol)
    {
        var device = "d1-v" + protocol[^1];
        var payload = Scenarios.SmokeEvent(1, device);
        var start = new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", Platform.BrokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", protocol, "-q", "1", "-t", "campus/v1/school-01/gw-1/events", "-m", payload])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_pub is not installed: run the README's test command");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"mosquitto_pub exited {process.ExitCode}: {stderr}");

        var alarm = await Eventually.Get(
            async () => (await Platform.GetAlarmsAsync()).FirstOrDefault(a => (string?)a!["device"] == device),
            $"an alarm for {device}");
        Assert.Equal("active_unack", (string?)alarm["state"]);
    }
}
