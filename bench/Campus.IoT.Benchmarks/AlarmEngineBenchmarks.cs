using BenchmarkDotNet.Attributes;
using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// <see cref="AlarmEngine.OnReadings"/> with normal temperatures (no alarm raised or open): 1000 devices behind 20 gateways,
/// one call per gateway message of 50 readings (a <see cref="List{T}"/>, as the decoder hands it to the alerting consumer).
/// <see cref="OpenAlarms"/> is the number of unrelated alarms open elsewhere in the school (panel troubles on another
/// gateway): with none, the engine's lookup of an open fixed-heat alarm meets an empty dictionary. Baseline: the cost floor,
/// a loop that only enumerates the same readings through <see cref="IEnumerable{T}"/> (as the engine does) and sums them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[Config(typeof(ThroughputConfig))]
[Throughput("readings", Count = Devices)]
public class AlarmEngineBenchmarks
{
    private const int Devices = 1000;
    private const int Gateways = 20;
    private const string Site = "school-01";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private (string Gateway, List<Reading> Readings)[] _messages = [];
    private AlarmEngine _engine = null!;

    [Params(0, 10)]
    public int OpenAlarms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _messages = [.. Enumerable.Range(0, Gateways).Select(g => (
            $"gw-{g + 1:D2}",
            Enumerable.Range(0, Devices / Gateways)
                .Select(d => new Reading($"t-{(g * (Devices / Gateways)) + d:D4}", Metrics.Temperature, Math.Round(18 + (random.NextDouble() * 8), 2), Now))
                .ToList()))];
        _engine = new AlarmEngine(new FakeTimeProvider(Now));
        var troubles = Enumerable.Range(0, OpenAlarms).Select(i => new DeviceEvent("panel-1", EventType.Trouble, EventState.Active, Now) { Point = $"1-{i:D3}" });
        if (_engine.OnEvents(Site, "gw-panel", troubles).Count != OpenAlarms || OnReadings() != 0 || _engine.OpenAlarms.Count() != OpenAlarms)
        {
            throw new InvalidOperationException("normal temperatures raised an alarm");
        }
    }

    [Benchmark(Baseline = true, Description = "enumerate + sum (cost floor)")]
    public double EnumerateAndSum()
    {
        var sum = 0.0;
        foreach (var (_, readings) in _messages)
        {
            sum += Sum(readings);
        }

        return sum;
    }

    [Benchmark(Description = "AlarmEngine.OnReadings")]
    public int OnReadings()
    {
        var transitions = 0;
        foreach (var (gateway, readings) in _messages)
        {
            transitions += _engine.OnReadings(Site, gateway, readings).Count;
        }

        return transitions;
    }

    private static double Sum(IEnumerable<Reading> readings)
    {
        var sum = 0.0;
        foreach (var r in readings)
        {
            sum += r.Value;
        }

        return sum;
    }
}
