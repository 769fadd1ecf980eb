using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Benchmarks;

/// <summary>One gateway message as the alerting consumer hands it to the engine, and when it arrived.</summary>
internal sealed record LoadMessage(string Site, string Gateway, List<Reading> Readings, DateTimeOffset ReceivedAt);

/// <summary>
/// A district's temperature sensors for the engine-scale benchmark: 100,000 devices, 20 sites × 50 gateways × 100 devices,
/// each reporting every 10, 12, 15, 20 or 30 s (a fifth each; the intervals divide a minute, so every simulated minute has
/// exactly <see cref="ReadingsPerSlice"/> readings whatever the phase) at its own phase, with millisecond timestamps.
/// Per gateway, 80 rooms (no profile), 10 canteen fridges (<c>cold-storage</c>), 4 freezers, 4 lab fridges and
/// 2 chemical stores, named so that the profile assignments of <see cref="Rules"/> (globs on the device id, as a rules
/// file writes them) give them their storage profile. Values are normal with noise: rooms 18–26 °C, fridges 4 °C, freezers
/// −18 °C, lab fridges 5 °C, chemical stores 20 °C, each ±0.3 °C of slow swing and ±0.15 °C of noise, rounded to 0.01 as
/// sensors report them: no default rule raises (no band left, no rise near 8.3 °C/min, never stuck for 6 h).
/// Deterministic: a reading's value is a hash of (device, timestamp), so any minute can be generated again.
/// </summary>
internal sealed class CampusLoad
{
    public const int Sites = 20;
    public const int GatewaysPerSite = 50;
    public const int DevicesPerGateway = 100;
    public const int Devices = Sites * GatewaysPerSite * DevicesPerGateway;
    public const int SliceSeconds = 60;
    public const int BatchSeconds = 10;

    /// <summary>Readings per simulated minute: a fifth of the devices at each of 6, 5, 4, 3 and 2 readings a minute.</summary>
    public const int ReadingsPerSlice = Devices / 5 * (6 + 5 + 4 + 3 + 2);

    private static readonly int[] Intervals = [10, 12, 15, 20, 30];

    public static readonly DateTimeOffset Start = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The built-in default rules (DESIGN's profiles) with the assignments a school's rules file would add.</summary>
    public static RuleSet Rules { get; } = RuleSet.Defaults with
    {
        Assignments =
        [
            new ProfileAssignment("fridge-*", null, "cold-storage"),
            new ProfileAssignment("freezer-*", null, "freezer"),
            new ProfileAssignment("lab-fridge-*", null, "lab-fridge"),
            new ProfileAssignment("chem-*", null, "chem-store"),
        ],
        Source = "built-in defaults + bench profile assignments",
    };

    private readonly string[] _sites = [.. Enumerable.Range(1, Sites).Select(s => $"school-{s:D2}")];
    private readonly string[] _gateways = [.. Enumerable.Range(1, GatewaysPerSite).Select(g => $"gw-{g:D2}")];
    private readonly string[] _prefixes = new string[Devices];
    private readonly double[] _base = new double[Devices];
    private readonly int[] _intervalMs = new int[Devices];
    private readonly int[] _phaseMs = new int[Devices];

    public CampusLoad()
    {
        var random = new Random(29);
        for (var i = 0; i < Devices; i++)
        {
            var d = i % DevicesPerGateway;
            (_prefixes[i], _base[i]) = d switch
            {
                < 80 => ("room-", 18 + (random.NextDouble() * 8)),
                < 90 => ("fridge-", 4.0),
                < 94 => ("freezer-", -18.0),
                < 98 => ("lab-fridge-", 5.0),
                _ => ("chem-", 20.0),
            };
            _intervalMs[i] = Intervals[i % Intervals.Length] * 1000;
            _phaseMs[i] = random.Next(_intervalMs[i]);
        }
    }

    public static int SiteOf(int device) => device / (GatewaysPerSite * DevicesPerGateway);

    public static int GatewayOf(int device) => device / DevicesPerGateway % GatewaysPerSite;

    public string Site(int device) => _sites[SiteOf(device)];

    public string Gateway(int device) => _gateways[GatewayOf(device)];

    /// <summary>A new string each call, as the decoder makes one per reading: the engine keeps its own copy of the id.</summary>
    public string Name(int device) => string.Concat(_prefixes[device], device.ToString("D6", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The device's reading at <paramref name="tsMs"/> (ms since <see cref="Start"/>).</summary>
    public double Value(int device, long tsMs)
    {
        var swing = 0.3 * Math.Sin((2 * Math.PI * tsMs / 3_600_000.0) + (device * 0.618));
        return Math.Round(_base[device] + swing + (0.3 * (Unit(((ulong)device << 40) ^ (ulong)tsMs) - 0.5)), 2);
    }

    /// <summary>Every reading time of <paramref name="device"/> in minute <paramref name="slice"/>, as ms since <see cref="Start"/>.</summary>
    public IEnumerable<long> Times(int device, int slice)
    {
        var sliceMs = (long)slice * SliceSeconds * 1000;
        for (var offset = _phaseMs[device]; offset < SliceSeconds * 1000; offset += _intervalMs[device])
        {
            yield return sliceMs + offset;
        }
    }

    /// <summary>
    /// Minute <paramref name="slice"/> of simulated time as gateway messages: every gateway sends, every 10 s, the readings its
    /// devices took in those 10 s (in time order); the messages of a 10 s batch arrive 200 ms after it ends, gateway by gateway.
    /// The readings are allocated message by message in the order they are handed over, as a decoder allocates them just
    /// before the engine sees them (so they lie together, not scattered over the minute's 40 MB).
    /// </summary>
    public LoadMessage[] Slice(int slice)
    {
        const int batches = SliceSeconds / BatchSeconds;
        var gateways = Sites * GatewaysPerSite;
        var sliceMs = (long)slice * SliceSeconds * 1000;
        var sliceStart = Start.AddMilliseconds(sliceMs);
        var due = new List<(long TsMs, int Device)>[batches * gateways];
        for (var g = 0; g < gateways; g++)
        {
            for (var b = 0; b < batches; b++)
            {
                due[(b * gateways) + g] = new List<(long, int)>(DevicesPerGateway);
            }

            for (var i = g * DevicesPerGateway; i < (g + 1) * DevicesPerGateway; i++)
            {
                foreach (var tsMs in Times(i, slice))
                {
                    due[((int)((tsMs - sliceMs) / (BatchSeconds * 1000)) * gateways) + g].Add((tsMs, i));
                }
            }
        }

        var messages = new LoadMessage[due.Length];
        for (var m = 0; m < due.Length; m++)
        {
            var (b, g) = (m / gateways, m % gateways);
            due[m].Sort();
            var readings = new List<Reading>(due[m].Count);
            foreach (var (tsMs, i) in due[m])
            {
                readings.Add(new Reading(Name(i), Metrics.Temperature, Value(i, tsMs), Start.AddMilliseconds(tsMs)));
            }

            messages[m] = new LoadMessage(_sites[g / GatewaysPerSite], _gateways[g % GatewaysPerSite], readings, sliceStart.AddSeconds((b + 1) * BatchSeconds).AddMilliseconds(200));
        }

        return messages;
    }

    /// <summary>A uniform double in [0, 1) from a key (SplitMix64): the same key always gives the same noise.</summary>
    private static double Unit(ulong key)
    {
        var z = key + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
