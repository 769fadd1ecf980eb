using Campus.IoT.Gateway.Configuration;

namespace Campus.IoT.Gateway.Tests.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    private readonly GatewayOptionsValidator _validator = new();

    [Fact]
    public void A_good_configuration_passes()
    {
        var options = new GatewayOptions
        {
            Site = "school-01",
            Id = "gw-1",
            Broker = "mqtts://broker.school-01.lan",
            Devices =
            [
                new DeviceOptions { Id = "panel-main", Kind = "panel", Port = "/dev/ttyUSB0", Protocol = "gst" },
                new DeviceOptions { Id = "lab3-fridge-1", Kind = "ds18b20", Address = "28-0316a2799dff", Profile = "lab-fridge" },
                new DeviceOptions { Id = "smoke-3f-lab", Kind = "gpio-smoke", Pin = 17 },
                new DeviceOptions { Id = "chem-store-env", Kind = "bme280", I2cAddress = 0x76 },
                new DeviceOptions { Id = "canteen-store-env", Kind = "sht3x", I2cAddress = 0x44 },
                new DeviceOptions { Id = "kitchen-gas", Kind = "mq2", Channel = 0 },
            ],
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Every_error_is_listed_at_once_with_the_device_it_belongs_to()
    {
        var options = new GatewayOptions
        {
            Site = "School 01",
            Id = "",
            Broker = "http://broker",
            SpoolMaxMegabytes = 1,
            HealthIntervalSeconds = 0,
            Devices =
            [
                new DeviceOptions { Id = "fridge-1", Kind = "ds18b20" },
                new DeviceOptions { Id = "fridge-1", Kind = "thermometer" },
                new DeviceOptions { Id = "Env", Kind = "bme280", I2cAddress = 0x10, PollSeconds = 0 },
                new DeviceOptions { Id = "smoke-1", Kind = "gpio-smoke", Pin = 40 },
                new DeviceOptions { Id = "gas-1", Kind = "mq2", Channel = 9 },
                new DeviceOptions { Id = "panel-main", Kind = "panel", Protocol = "acme", Parity = "Sometimes", BaudRate = 1 },
            ],
        };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Gateway:Site", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Id", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Broker", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:SpoolMaxMegabytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:HealthIntervalSeconds", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:0 (fridge-1): a ds18b20 needs Address", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:1 (fridge-1): Id is used twice", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:1 (fridge-1): Kind 'thermometer'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:2 (Env): Id must match", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:2 (Env): PollSeconds", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:2 (Env): a bme280 needs I2cAddress", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:3 (smoke-1): a gpio-smoke needs Pin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:4 (gas-1): an mq2 needs Channel", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:5 (panel-main): a panel needs Port", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:5 (panel-main): Protocol 'acme'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:5 (panel-main): Parity 'Sometimes'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Devices:5 (panel-main): BaudRate 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("mqtt://10.1.2.3", false, 1883)]
    [InlineData("mqtt://broker:11883", false, 11883)]
    [InlineData("mqtts://broker", true, 8883)]
    [InlineData("mqtts://broker:18883", true, 18883)]
    public void Broker_addresses_choose_tls_by_scheme(string text, bool tls, int port)
    {
        Assert.True(GatewayOptionsValidator.TryParseBroker(text, out var endpoint, out var useTls));
        Assert.Equal(tls, useTls);
        Assert.Equal(port, endpoint.Port);
    }
}
