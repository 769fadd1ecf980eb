using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Gateway.Tests;

/// <summary>
/// The real <c>campus-gateway</c> process: a simulated fire panel writes to a socat pty, the gateway reads it and publishes
/// to Mosquitto, and is killed with SIGKILL mid-stream and started again.
/// </summary>
public sealed class GatewayProcessTests(MosquittoBroker mosquitto) : IClassFixture<MosquittoBroker>, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-gw-process-").FullName;
    private readonly CapturedLogs _logs = new();
    private readonly StringBuilder _gatewayOutput = new();
    private Process? _gateway;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await KillGatewayAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_kill_9_loses_nothing_the_spool_accepted_and_seq_continues_after_restart()
    {
        await using var line = new SocatPtyPair();
        await line.StartAsync();
        var gatewayId = "gw-k" + Guid.NewGuid().ToString("N")[..6];
        var config = Path.Combine(_directory, "gateway.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Gateway": {
                "Site": "school-k9", "Id": "{{gatewayId}}", "Broker": "{{mosquitto.Uri}}",
                "SpoolDirectory": "{{Path.Combine(_directory, "spool")}}", "HealthIntervalSeconds": 5,
                "Devices": [ { "Id": "panel-main", "Kind": "panel", "Port": "{{line.GatewayEnd}}", "Protocol": "est" } ]
              }
            }
            """);

        var payloads = new ConcurrentDictionary<long, ConcurrentBag<string>>();
        var drainedAfterTicks = long.MaxValue;
        var drained = false;
        await using var subscriber = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, $"campus/v1/school-k9/{gatewayId}/+", (_, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.TryGetProperty("seq", out var seq))
            {
                payloads.GetOrAdd(seq.GetInt64(), _ => []).Add(Encoding.UTF8.GetString(payload));
            }
            else if (doc.RootElement.TryGetProperty("spooled", out var spooled) && spooled.GetInt64() == 0
                && doc.RootElement.GetProperty("ts").GetDateTimeOffset().UtcTicks > Interlocked.Read(ref drainedAfterTicks))
            {
                // The gateway says its spool is empty: every event it accepted has been acknowledged by the broker, and the
                // broker forwards them to this subscriber before this later status message.
                Volatile.Write(ref drained, true);
            }
        }, _logs.CreateLogger("subscriber"));

        StartGateway(config);
        using var writing = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                try
                {
                    await using var panel = line.OpenPanel();
                    while (!writing.IsCancellationRequested)
                    {
                        var device = 1 + (written % 250);
                        await panel.WriteAsync(Encoding.ASCII.GetBytes($"SMK ACT | 12:06:56 10/20/2023 L:1 D:{device}\r\nRoom {device}\r\n\r\n"), writing.Token);
                        written++;
                        await Task.Delay(5, writing.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (IOException)
                {
                    await Task.Delay(50);
                }
            }
        });

        await Eventually.True(() => payloads.Count >= 100, "100 events through the gateway", TimeSpan.FromSeconds(60));
        await KillGatewayAsync();
        var beforeRestart = payloads.Keys.Max();

        StartGateway(config);
        await Eventually.True(() => payloads.Keys.Max() >= beforeRestart + 100, "100 more events after the restart", TimeSpan.FromSeconds(60));
        await writing.CancelAsync();
        await writer;
        // Whatever the gateway spooled before a status saying "spool empty" reached us before it; anything read later gets a
        // higher seq, so the set seen is a complete prefix either way.
        Interlocked.Exchange(ref drainedAfterTicks, DateTimeOffset.UtcNow.UtcTicks);
        await Eventually.True(() => Volatile.Read(ref drained), "a status with an empty spool", TimeSpan.FromSeconds(30));

        var seqs = payloads.Keys.Order().ToList();
        Assert.Equal(1, seqs[0]);
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.All(payloads, p => Assert.Single(p.Value.Distinct()));
        Assert.True(written > seqs.Count, "events were written while the gateway was down");
    }

    [Fact]
    public async Task A_ds18b20_on_the_w1_bus_is_published_and_its_faults_are_counted_in_health()
    {
        var bus = Path.Combine(_directory, "w1");
        var simulator = new Campus.IoT.Devices.Sensors.Ds18b20Simulator(bus);
        simulator.Write("28-0316a2799dff", 4.25);
        var gatewayId = "gw-w" + Guid.NewGuid().ToString("N")[..6];
        var config = Path.Combine(_directory, "gateway-w1.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Gateway": {
                "Site": "school-w1", "Id": "{{gatewayId}}", "Broker": "{{mosquitto.Uri}}",
                "SpoolDirectory": "{{Path.Combine(_directory, "spool-w1")}}", "HealthIntervalSeconds": 5,
                "Devices": [ { "Id": "lab3-fridge-1", "Kind": "ds18b20", "Address": "28-0316a2799dff", "W1Directory": "{{bus}}", "PollSeconds": 1, "Profile": "lab-fridge" } ]
              }
            }
            """);
        var temperatures = new ConcurrentQueue<double>();
        var readErrors = 0L;
        await using var subscriber = await DurableSubscriber.StartAsync(mosquitto.Host, mosquitto.Port, $"campus/v1/school-w1/{gatewayId}/+", (_, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.TryGetProperty("readings", out var readings))
            {
                foreach (var r in readings.EnumerateArray())
                {
                    Assert.Equal("lab3-fridge-1", r.GetProperty("device").GetString());
                    Assert.Equal("temperature", r.GetProperty("metric").GetString());
                    temperatures.Enqueue(r.GetProperty("value").GetDouble());
                }
            }
            else if (doc.RootElement.TryGetProperty("health", out var health) && health.TryGetProperty("readErrors", out var errors)
                && errors.TryGetProperty("lab3-fridge-1", out var count))
            {
                Interlocked.Exchange(ref readErrors, count.GetInt64());
            }
        }, _logs.CreateLogger("subscriber"));

        StartGateway(config);
        await Eventually.True(() => temperatures.Contains(4.25), "the fridge's 4.25 °C published", TimeSpan.FromSeconds(30));

        simulator.Write("28-0316a2799dff", 9.5, crcOk: false);
        await Eventually.True(() => Interlocked.Read(ref readErrors) >= 1, "the CRC fault counted in the gateway's health", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(9.5, temperatures);

        simulator.Write("28-0316a2799dff", -18.0);
        await Eventually.True(() => temperatures.Contains(-18.0), "readings resume after the fault", TimeSpan.FromSeconds(30));
    }

    private void StartGateway(string config)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "campus-gateway.dll");
        _gateway = Process.Start(new ProcessStartInfo("dotnet", [dll, "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        }) ?? throw new InvalidOperationException("campus-gateway did not start");
        _gateway.OutputDataReceived += (_, e) => { lock (_gatewayOutput) { _gatewayOutput.AppendLine(e.Data); } };
        _gateway.ErrorDataReceived += (_, e) => { lock (_gatewayOutput) { _gatewayOutput.AppendLine(e.Data); } };
        _gateway.BeginOutputReadLine();
        _gateway.BeginErrorReadLine();
    }

    private async Task KillGatewayAsync()
    {
        if (_gateway is { HasExited: false })
        {
            _gateway.Kill(); // SIGKILL: no clean stop, no flush
            await _gateway.WaitForExitAsync();
        }

        _gateway?.Dispose();
        _gateway = null;
    }
}
