using System.Globalization;
using Campus.IoT.Gateway;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campus.IoT.Cli;

/// <summary>
/// <c>campus simulate --broker mqtt://HOST:PORT --sites N --devices M (--rate HZ | --interval S) --duration S
/// [--gateways G] [--burst-factor F [--burst-at S] [--burst-for S]] [--seed K]</c>: N simulated schools (sites
/// <c>sim-001</c>…), each with G gateways (<c>gw-1</c>…) sharing the school's M temperature sensors
/// (<c>dev-001</c>…), over real MQTT (QoS 1, one connection per gateway). Every device reports once per interval
/// (<c>--interval S</c>, or <c>--rate HZ</c> = 1/S): each gateway publishes one telemetry message per interval carrying
/// all its devices' readings, and the gateways' messages are spread evenly over the interval (message k of the whole run
/// is due at k / (gateways × rate) seconds, gateways taking turns), so the broker sees a steady stream, not a pulse per
/// interval. Between <c>--burst-at</c> and <c>--burst-at + --burst-for</c> every gateway reports
/// <c>--burst-factor</c> times as often. Pacing runs on one clock (a late tick catches up), publishes are awaited off the
/// pacing loop with a bound on those in flight, and the one JSON summary line says what was published, what failed and
/// the achieved rate.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Most publishes awaiting their PUBACK at once; beyond it the pacing loop waits (and falls behind).</summary>
    private const int MaxInFlight = 4096;

    /// <summary>Most publish failures written to stderr one by one (all are counted).</summary>
    private const int MaxFailuresShown = 20;

    private static readonly HashSet<string> Values =
    [
        "--broker", "--sites", "--devices", "--gateways", "--rate", "--interval", "--duration", "--seed",
        "--burst-factor", "--burst-at", "--burst-for",
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!CliArguments.TryParse(args, Values, new HashSet<string>(), out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, "simulate", [error]);
        }

        if (!TryReadPlan(options, out var plan, out var errors))
        {
            return await CampusCli.FailAsync(stderr, "simulate", errors);
        }

        var random = new Random(plan.Seed);
        var publishers = new List<GatewayPublisher>();
        var devicesOf = new List<string[]>();
        long messages = 0, readings = 0, failed = 0, maxBehind = 0;
        double connectSeconds = 0, seconds = 0;
        try
        {
            var connecting = time.GetTimestamp();
            for (var s = 1; s <= plan.Sites; s++)
            {
                for (var g = 0; g < plan.GatewaysPerSite; g++)
                {
                    publishers.Add(new GatewayPublisher(plan.Endpoint, $"sim-{s:D3}", $"gw-{g + 1}", "simulate", 0, time, NullLogger.Instance));
                    devicesOf.Add([.. DevicesOfGateway(plan.DevicesPerSite, plan.GatewaysPerSite, g).Select(d => $"dev-{d:D3}")]);
                }
            }

            // Connect a few at a time: hundreds of CONNECTs at once only queue up in the broker.
            using (var connectGate = new SemaphoreSlim(32))
            {
                await Task.WhenAll(publishers.Select(async p =>
                {
                    await connectGate.WaitAsync(cancellationToken);
                    try
                    {
                        await p.StartAsync(cancellationToken);
                    }
                    finally
                    {
                        connectGate.Release();
                    }
                }));
            }

            connectSeconds = time.GetElapsedTime(connecting).TotalSeconds;

            var total = plan.TotalMessages(publishers.Count);
            var outstanding = new List<Task>();
            using var inFlight = new SemaphoreSlim(MaxInFlight);
            var started = time.GetTimestamp();
            var sent = 0L;
            while (sent < total)
            {
                var elapsed = time.GetElapsedTime(started).TotalSeconds;
                var due = elapsed >= plan.Duration ? total : Math.Min(total, (long)Math.Floor(plan.MessagesDue(publishers.Count, elapsed) + 1e-9) + 1);
                maxBehind = Math.Max(maxBehind, due - sent - 1);
                for (; sent < due; sent++)
                {
                    var index = (int)(sent % publishers.Count);
                    var now = time.GetUtcNow();
                    var batch = devicesOf[index]
                        .Select(d => new Reading(d, Metrics.Temperature, Math.Round(21 + (random.NextDouble() * 0.6), 2), now))
                        .ToList();
                    await inFlight.WaitAsync(cancellationToken);
                    outstanding.Add(PublishAsync(publishers[index], batch, inFlight));
                }

                outstanding.RemoveAll(t => t.IsCompleted);
                if (sent < total)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(2), time, cancellationToken);
                }
            }

            await Task.WhenAll(outstanding);
            seconds = time.GetElapsedTime(started).TotalSeconds;
        }
        finally
        {
            foreach (var p in publishers)
            {
                await p.DisposeAsync();
            }
        }

        async Task PublishAsync(GatewayPublisher publisher, List<Reading> batch, SemaphoreSlim inFlight)
        {
            try
            {
                await publisher.PublishReadingsAsync(batch, cancellationToken);
                Interlocked.Increment(ref messages);
                Interlocked.Add(ref readings, batch.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (Interlocked.Increment(ref failed) <= MaxFailuresShown)
                {
                    await stderr.WriteLineAsync($"campus simulate: publish failed: {ex.Message}");
                }
            }
            finally
            {
                inFlight.Release();
            }
        }

        var devicesTotal = (long)plan.Sites * plan.DevicesPerSite;
        var rate = seconds > 0 ? 1 / seconds : 0;
        await stdout.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"sites":{{plan.Sites}},"devicesPerSite":{{plan.DevicesPerSite}},"messages":{{messages}},"readings":{{readings}},"failed":{{failed}},"seconds":{{seconds:0.###}},"gatewaysPerSite":{{plan.GatewaysPerSite}},"devices":{{devicesTotal}},"intervalSeconds":{{1 / plan.Rate:0.###}},"burstFactor":{{plan.BurstFactor:0.###}},"burstAt":{{plan.BurstAt:0.###}},"burstFor":{{plan.BurstFor:0.###}},"scheduledReadingsPerSecond":{{devicesTotal * plan.Rate:0.#}},"messagesPerSecond":{{messages * rate:0.#}},"readingsPerSecond":{{readings * rate:0.#}},"maxBehind":{{maxBehind}},"connectSeconds":{{connectSeconds:0.###}}}"""));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The 1-based device numbers of gateway <paramref name="gateway"/> (0-based) when a site's devices are dealt out in contiguous runs.</summary>
    internal static IEnumerable<int> DevicesOfGateway(int devicesPerSite, int gateways, int gateway)
    {
        var from = (int)((long)devicesPerSite * gateway / gateways);
        var to = (int)((long)devicesPerSite * (gateway + 1) / gateways);
        return Enumerable.Range(from + 1, to - from);
    }

    private static bool TryReadPlan(CliArguments options, out Plan plan, out List<string> errors)
    {
        errors = [];
        if (!MqttEndpoint.TryParse(options.Value("--broker") ?? "mqtt://127.0.0.1:1883", out var endpoint))
        {
            errors.Add("--broker must be mqtt://host:port");
        }

        options.TryInt("--sites", 1, 1, 10_000, out var sites, errors);
        options.TryInt("--devices", 10, 1, 10_000, out var devices, errors);
        options.TryInt("--gateways", 1, 1, 100, out var gateways, errors);
        options.TryDouble("--rate", 1, 0.0001, 1000, out var rate, errors);
        options.TryDouble("--interval", 1, 0.001, 10_000, out var interval, errors);
        options.TryDouble("--duration", 10, 0.1, 86_400, out var duration, errors);
        options.TryInt("--seed", 1, int.MinValue, int.MaxValue, out var seed, errors);
        options.TryDouble("--burst-factor", 1, 1, 1000, out var burstFactor, errors);
        options.TryDouble("--burst-at", 0, 0, 86_400, out var burstAt, errors);
        options.TryDouble("--burst-for", 86_400, 0, 86_400, out var burstFor, errors);
        if (options.Value("--rate") is not null && options.Value("--interval") is not null)
        {
            errors.Add("--rate and --interval say the same thing: give one of them");
        }
        else if (options.Value("--interval") is not null)
        {
            rate = 1 / interval;
        }

        if (gateways > devices)
        {
            errors.Add("--gateways must not exceed --devices: every gateway carries at least one device");
        }
        else if ((devices + gateways - 1) / gateways > PayloadLimits.Default.MaxItems)
        {
            errors.Add($"--devices / --gateways must be at most {PayloadLimits.Default.MaxItems} readings per message: add gateways");
        }

        if ((options.Value("--burst-at") is not null || options.Value("--burst-for") is not null) && options.Value("--burst-factor") is null)
        {
            errors.Add("--burst-at and --burst-for need --burst-factor");
        }

        plan = new Plan(endpoint, sites, devices, gateways, rate, duration, seed, burstFactor, burstAt, burstFor);
        return errors.Count == 0;
    }

    /// <summary>What to publish: sites × gateways, each gateway one message per 1/<see cref="Rate"/> seconds, faster by <see cref="BurstFactor"/> in the burst window.</summary>
    private sealed record Plan(MqttEndpoint Endpoint, int Sites, int DevicesPerSite, int GatewaysPerSite, double Rate, double Duration, int Seed, double BurstFactor, double BurstAt, double BurstFor)
    {
        /// <summary>Messages of all <paramref name="gateways"/> due by <paramref name="seconds"/> after the start (the integral of the rate).</summary>
        public double MessagesDue(int gateways, double seconds)
        {
            var inBurst = Math.Clamp(seconds - BurstAt, 0, BurstFor);
            return gateways * Rate * (seconds + ((BurstFactor - 1) * inBurst));
        }

        /// <summary>Messages of the whole run: at least one per gateway.</summary>
        public long TotalMessages(int gateways) => Math.Max(gateways, (long)Math.Round(MessagesDue(gateways, Duration)));
    }
}
