using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Dashboard.Tests;

public sealed class DeviceDirectoryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Devices_keep_their_newest_value_per_metric_and_when_they_were_last_heard_and_gateways_their_status()
    {
        var directory = new DeviceDirectory(_time);
        var t0 = _time.GetUtcNow();
        await directory.ReadingsStoredAsync("school-01", "gw-1", [new Reading("fridge-1", Metrics.Temperature, 4.5, t0), new Reading("fridge-1", Metrics.Battery, 87, t0)], CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        // A spooled, older reading arrives later: it is history, not the current value; but the device was heard now.
        await directory.ReadingsStoredAsync("school-01", "gw-2", [new Reading("fridge-1", Metrics.Temperature, 9.9, t0.AddMinutes(-30))], CancellationToken.None);
        directory.GatewayStatus("school-01", "gw-2", new GatewayStatus(GatewayState.Offline, _time.GetUtcNow()) { Version = "1.2.0" });

        var device = Assert.Single(directory.Devices("school-01"));
        Assert.Equal(("gw-2", t0, t0.AddMinutes(1)), (device.Gateway, device.FirstSeen, device.LastSeen));
        Assert.Equal(new MetricValue(4.5, t0), device.Metrics[Metrics.Temperature]);
        Assert.Equal(87, device.Metrics[Metrics.Battery].Value);

        var gateways = directory.Gateways("school-01");
        Assert.Equal(["gw-1", "gw-2"], gateways.Select(g => g.Gateway));
        Assert.Null(gateways[0].State);                                  // heard through readings only
        Assert.Equal((GatewayState.Offline, "1.2.0"), (gateways[1].State, gateways[1].Version));
        Assert.Equal(["school-01"], directory.Sites());
        Assert.Empty(directory.Devices("school-02"));
    }

    [Fact]
    public void A_gateways_last_will_keeps_the_version_it_reported_before()
    {
        var directory = new DeviceDirectory(_time);
        directory.GatewayStatus("school-01", "gw-1", new GatewayStatus(GatewayState.Online, _time.GetUtcNow()) { Version = "1.4.0", Spooled = 3 });
        directory.GatewayStatus("school-01", "gw-1", new GatewayStatus(GatewayState.Offline, _time.GetUtcNow()));

        var gateway = Assert.Single(directory.Gateways("school-01"));
        Assert.Equal((GatewayState.Offline, "1.4.0", (long?)null), (gateway.State, gateway.Version, gateway.Spooled));
    }
}
