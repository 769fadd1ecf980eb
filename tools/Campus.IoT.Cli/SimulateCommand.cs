using System.Globalization;
using Campus.IoT.Gateway;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campus.IoT.Cli;

/// <summary>
/// <c>campus simulate --broker mqtt://HOST:PORT --sites N --devices M --rate HZ --duration S [--seed K]</c>: N simulated
/// gateways (sites <c>sim-001</c>…, gateway <c>gw-1</c>), each publishing one telemetry message of M temperature readings
/// HZ times a second for S seconds, over real MQTT. Prints one JSON line with what was published.
/// </summary>
internal static class SimulateCommand
{
    private static readonly HashSet<string> Values = ["--broker", "--sites", "--devices", "--rate", "--duration", "--seed"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (!CliArguments.TryParse(args, Values, new HashSet<string>(), out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, "simulate", [error]);
        }

        if (!MqttEndpoint.TryParse(options.Value("--broker") ?? "mqtt://127.0.0.1:1883", out var endpoint))
        {
            errors.Add("--broker must be mqtt://host:port");
        }

        options.TryInt("--sites", 1, 1, 1000, out var sites, errors);
        options.TryInt("--devices", 10, 1, 1000, out var devices, errors);
        options.TryDouble("--rate", 1, 0.01, 1000, out var rate, errors);
        options.TryDouble("--duration", 10, 0.1, 86_400, out var duration, errors);
        options.TryInt("--seed", 1, int.MinValue, int.MaxValue, out var seed, errors);
        if (errors.Count > 0)
        {
            return await CampusCli.FailAsync(stderr, "simulate", errors);
        }

        var random = new Random(seed);
        var publishers = new List<GatewayPublisher>();
        long messages = 0, readings = 0, failed = 0;
        var started = time.GetTimestamp();
        try
        {
            for (var s = 1; s <= sites; s++)
            {
                var publisher = new GatewayPublisher(endpoint, $"sim-{s:D3}", "gw-1", "simulate", 0, time, NullLogger.Instance);
                publishers.Add(publisher);
                await publisher.StartAsync(cancellationToken);
            }

            var ticks = Math.Max(1, (long)Math.Round(rate * duration));
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate), time);
            for (var tick = 0L; tick < ticks; tick++)
            {
                var now = time.GetUtcNow();
                var batches = publishers.Select(_ => (IReadOnlyList<Reading>)Enumerable.Range(1, devices)
                    .Select(d => new Reading($"dev-{d:D3}", Metrics.Temperature, Math.Round(21 + (random.NextDouble() * 2) - 1, 2), now))
                    .ToList()).ToList();
                var results = await Task.WhenAll(publishers.Select(async (p, i) =>
                {
                    try
                    {
                        await p.PublishReadingsAsync(batches[i], cancellationToken);
                        return true;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        await stderr.WriteLineAsync($"campus simulate: publish failed: {ex.Message}");
                        return false;
                    }
                }));
                foreach (var ok in results)
                {
                    if (ok)
                    {
                        messages++;
                        readings += devices;
                    }
                    else
                    {
                        failed++;
                    }
                }

                if (tick + 1 < ticks && !await timer.WaitForNextTickAsync(cancellationToken))
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (var p in publishers)
            {
                await p.DisposeAsync();
            }
        }

        var seconds = time.GetElapsedTime(started).TotalSeconds;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $$"""{"sites":{{sites}},"devicesPerSite":{{devices}},"messages":{{messages}},"readings":{{readings}},"failed":{{failed}},"seconds":{{seconds:0.###}}}"""));
        return failed == 0 ? 0 : 1;
    }
}
