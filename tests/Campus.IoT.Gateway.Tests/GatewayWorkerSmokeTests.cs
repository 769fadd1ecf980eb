using System.Collections.Concurrent;
using System.Device.Gpio;
using System.Text.Json;
using Campus.IoT.Devices.Sensors.Simulation;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Campus.IoT.Gateway.Tests;

/// <summary>The gateway worker in-process with a smoke detector's contact on a simulated GPIO driver, publishing to Mosquitto.</summary>
public sealed class GatewayWorkerSmokeTests(MosquittoBroker mosquitto) : IClassFixture<MosquittoBroker>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-gw-smoke-").FullName;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task A_smoke_contact_is_published_as_one_alarm_and_one_clear_and_sht3x_mq2_and_bme280_as_readings()
    {
        var driver = new SimulatedGpioDriver();
        var gatewayId = "gw-s" + Guid.NewGuid().ToString("N")[..6];
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Site"] = "school-smoke",
            ["Gateway:Id"] = gatewayId,
            ["Gateway:Broker"] = mosquitto.Uri,
            ["Gateway:SpoolDirectory"] = Path.Combine(_directory, "spool"),
            ["Gateway:Devices:0:Id"] = "smoke-3f-lab",
            ["Gateway:Devices:0:Kind"] = "gpio-smoke",
            ["Gateway:Devices:0:Pin"] = "17",
            ["Gateway:Devices:0:DebounceMilliseconds"] = "100",
            ["Gateway:Devices:1:Id"] = "canteen-store-env",
            ["Gateway:Devices:1:Kind"] = "sht3x",
            ["Gateway:Devices:1:I2cAddress"] = "68",
            ["Gateway:Devices:1:PollSeconds"] = "1",
            ["Gateway:Devices:2:Id"] = "kitchen-gas",
            ["Gateway:Devices:2:Kind"] = "mq2",
            ["Gateway:Devices:2:Channel"] = "2",
            ["Gateway:Devices:2:PollSeconds"] = "1",
            ["Gateway:Devices:3:Id"] = "chem-store-env",
            ["Gateway:Devices:3:Kind"] = "bme280",
            ["Gateway:Devices:3:I2cAddress"] = "118",
            ["Gateway:Devices:3:PollSeconds"] = "1",
        });
        var bme280 = new SimulatedBme280();
        bme280.SetTemperatureCalibration(27504, 26435, -1000);
        bme280.SetHumidityCalibration(75, 362, 0, 313, 50, 30);
        bme280.SetRaw(519888, 28000);
        var adc = new SimulatedMcp3008();
        adc.Set(2, 400);
        var sht3x = new SimulatedSht3x { Celsius = 3.5, Humidity = 82 };
        builder.Services.AddCampusGateway(builder.Configuration);
        builder.Services.AddSingleton<Func<GpioController>>(() => new GpioController(driver));
        builder.Services.AddSingleton<Func<int, int, System.Device.Spi.SpiDevice>>((bus, chipSelect) => bus == 0 && chipSelect == 0 ? adc : throw new IOException("no such device"));
        builder.Services.AddSingleton<Func<int, int, System.Device.I2c.I2cDevice>>((bus, address) => (bus, address) switch
        {
            (1, 0x44) => sht3x,
            (1, 0x76) => bme280,
            _ => throw new IOException("no such device"),
        });
        var events = new ConcurrentQueue<(string Type, string State)>();
        var readings = new ConcurrentQueue<(string Metric, double Value)>();
        var sht3xReadings = new ConcurrentQueue<double>();
        await using var witness = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, $"campus/v1/school-smoke/{gatewayId}/+", (_, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.TryGetProperty("events", out var list))
            {
                foreach (var e in list.EnumerateArray())
                {
                    events.Enqueue((e.GetProperty("type").GetString()!, e.GetProperty("state").GetString()!));
                }
            }
            else if (doc.RootElement.TryGetProperty("readings", out var rs))
            {
                foreach (var r in rs.EnumerateArray())
                {
                    readings.Enqueue((r.GetProperty("metric").GetString()!, r.GetProperty("value").GetDouble()));
                    if (r.GetProperty("device").GetString() == "canteen-store-env" && r.GetProperty("metric").GetString() == "temperature")
                    {
                        sht3xReadings.Enqueue(r.GetProperty("value").GetDouble());
                    }
                }
            }
        }, _logs.CreateLogger("witness"));

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            driver.SetInput(17, PinValue.Low); // the detector's relay closes
            await Eventually.True(() => events.Contains(("smoke", "active")), "the smoke alarm from the GPIO contact");
            driver.SetInput(17, PinValue.High);
            await Eventually.True(() => events.Contains(("smoke", "cleared")), "the contact opening again");
            Assert.Equal([("smoke", "active"), ("smoke", "cleared")], events.ToArray());

            await Eventually.True(() => readings.Contains(("temperature", 3.5)) && readings.Contains(("humidity", 82.0)), "the SHT3x's temperature and humidity");
            await Eventually.True(() => readings.Any(r => r.Metric == "gas" && r.Value > 0), "the MQ-2's gas reading");
            await Eventually.True(() => readings.Contains(("temperature", 25.08)), "the BME280's compensated temperature");
            // The sensor now reads 9.9 °C but every answer fails its CRC: that value must never be published.
            sht3x.Celsius = 9.9;
            sht3x.CorruptCrc = true;
            var measured = sht3x.Measurements;
            await Eventually.True(() => sht3x.Measurements >= measured + 2, "two more measurements with a bad CRC");
            sht3x.CorruptCrc = false;
            await Eventually.True(() => sht3xReadings.Contains(9.9), "9.9 °C once the CRC is good again");
            var values = sht3xReadings.ToArray();
            Assert.All(values.TakeWhile(v => v != 9.9), v => Assert.Equal(3.5, v));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
