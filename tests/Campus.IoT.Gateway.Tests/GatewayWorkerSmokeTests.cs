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
    public async Task A_smoke_contact_closing_and_opening_is_published_as_one_alarm_and_one_clear()
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
        });
        builder.Services.AddCampusGateway(builder.Configuration);
        builder.Services.AddSingleton<Func<GpioController>>(() => new GpioController(driver));
        var events = new ConcurrentQueue<(string Type, string State)>();
        await using var witness = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, $"campus/v1/school-smoke/{gatewayId}/events", (_, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
            {
                events.Enqueue((e.GetProperty("type").GetString()!, e.GetProperty("state").GetString()!));
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
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
