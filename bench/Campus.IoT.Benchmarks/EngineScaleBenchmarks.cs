using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Campus.IoT.Alerting;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// One core, one invocation per iteration (each iteration is the next simulated minute, prepared by the iteration setup,
/// so timestamps keep rising and no reading is fed twice), the throughput column and allocations.
/// </summary>
public sealed class EngineScaleConfig : ManualConfig
{
    public EngineScaleConfig()
    {
        AddColumn(new ThroughputColumn(), StatisticColumn.Median, StatisticColumn.Min);
        AddDiagnoser(MemoryDiagnoser.Default);

        // Pinned to the last core: readings/s here is what one core does, the garbage collector's threads included.
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(20)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithAffinity(1 << (Environment.ProcessorCount - 1)));
    }
}

/// <summary>
/// The engine at district scale (issue 5, item 7): 100,000 temperature sensors on the default rules with their storage
/// profiles (<see cref="CampusLoad"/>: 20 sites × 50 gateways × 100 devices, 80 % rooms, 10 % canteen fridges, 4 % freezers,
/// 4 % lab fridges, 2 % chemical stores, every 10–30 s), one operation being one simulated minute: 400,000 readings in
/// 6,000 gateway messages through <see cref="AlarmEngine.OnReadings"/>, with the clock at each message's arrival. Normal
/// values: nothing raises in the steady state (checked at the end; a raise fails the run).
/// <para>Baseline, on the same readings: <see cref="NaiveAlarmDetection"/>, which keeps each sensor's last 6 h of readings and
/// recomputes every window of every rule at every reading, with MathNet.Numerics for the window statistics. Both start at
/// minute 360 with full windows: the engine after 15 simulated minutes of readings (its longest raise duration; its windows
/// are 60 s), the baseline after 6 h of history (its stuck-sensor window) of which the last 2 minutes are decided.</para>
/// <para>Bytes of state per device are measured in each global setup, not estimated: the managed heap after a full collection
/// before the engine (or baseline) is built and after it has been fed, over 100,000, printed as <c>// state:</c> lines. The
/// same measurement with an hour of readings: <c>dotnet run -c Release --project bench/Campus.IoT.Benchmarks -- state</c>.</para>
/// </summary>
[Config(typeof(EngineScaleConfig))]
[Throughput("readings", Count = CampusLoad.ReadingsPerSlice)]
public class EngineScaleBenchmarks
{
    /// <summary>The first measured minute: 6 h in, so the baseline's stuck-sensor window is full.</summary>
    private const int FirstMinute = 360;
    private const int EngineWarmMinutes = 15;
    private const int NaiveDecidedMinutes = 2;

    private readonly CampusLoad _load = new();
    private AlarmEngine _engine = null!;
    private FakeTimeProvider _time = null!;
    private NaiveAlarmDetection _naive = null!;
    private LoadMessage[] _messages = [];
    private int _minute = FirstMinute;
    private long _changes;

    [GlobalSetup(Target = nameof(Engine))]
    public void SetupEngine()
    {
        var bytes = MeasureEngine(_load, FirstMinute - EngineWarmMinutes, EngineWarmMinutes, out _engine, out _time);
        Console.WriteLine(Invariant($"// state: AlarmEngine {bytes:0} B per device ({CampusLoad.Devices:N0} devices, {EngineWarmMinutes} simulated minutes fed)"));
    }

    [GlobalSetup(Target = nameof(Naive))]
    public void SetupNaive()
    {
        var mismatch = CrossCheck();
        if (mismatch is not null)
        {
            throw new InvalidOperationException(mismatch);
        }

        var bytes = MeasureNaive(_load, FirstMinute - NaiveDecidedMinutes, NaiveDecidedMinutes, out _naive);
        Console.WriteLine(Invariant($"// state: naive baseline {bytes:0} B per device ({CampusLoad.Devices:N0} devices, {FirstMinute} simulated minutes)"));
    }

    /// <summary>The next simulated minute's messages (not measured), then a full collection so the setup's garbage is not.</summary>
    [IterationSetup]
    public void NextMinute()
    {
        _messages = [];
        _messages = _load.Slice(_minute++);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine(Invariant($"// steady state: {_changes} raises or clears in minutes {FirstMinute}..{_minute - 1}"));
        if (_changes != 0)
        {
            throw new InvalidOperationException("normal readings raised or cleared an alarm");
        }
    }

    [Benchmark(Baseline = true, Description = "naive: 6 h buffer, windows recomputed (MathNet)")]
    public int Naive()
    {
        var changes = 0;
        foreach (var m in _messages)
        {
            changes += _naive.OnReadings(m.Site, m.Gateway, m.Readings, m.ReceivedAt);
        }

        _changes += changes;
        return changes;
    }

    [Benchmark(Description = "AlarmEngine.OnReadings")]
    public int Engine()
    {
        var transitions = 0;
        foreach (var m in _messages)
        {
            if (m.ReceivedAt > _time.GetUtcNow())
            {
                _time.SetUtcNow(m.ReceivedAt);
            }

            transitions += _engine.OnReadings(m.Site, m.Gateway, m.Readings).Count;
        }

        _changes += transitions;
        return transitions;
    }

    /// <summary>
    /// Builds an engine on <see cref="CampusLoad.Rules"/> and feeds it <paramref name="minutes"/> simulated minutes from
    /// <paramref name="fromMinute"/>; returns the growth of the managed heap (after full collections) per device. The device
    /// ids the engine keeps are counted: each reading carries a string of its own, as decoded messages do.
    /// </summary>
    internal static double MeasureEngine(CampusLoad load, int fromMinute, int minutes, out AlarmEngine engine, out FakeTimeProvider time)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        time = new FakeTimeProvider(CampusLoad.Start.AddMinutes(fromMinute));
        engine = new AlarmEngine(time, rules: () => CampusLoad.Rules);
        var changes = 0;
        for (var minute = fromMinute; minute < fromMinute + minutes; minute++)
        {
            foreach (var m in load.Slice(minute))
            {
                if (m.ReceivedAt > time.GetUtcNow())
                {
                    time.SetUtcNow(m.ReceivedAt);
                }

                changes += engine.OnReadings(m.Site, m.Gateway, m.Readings).Count;
            }
        }

        if (changes != 0)
        {
            throw new InvalidOperationException($"normal readings raised {changes} alarm transitions");
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(engine);
        return (after - before) / (double)CampusLoad.Devices;
    }

    /// <summary>
    /// Builds the baseline and gives it the history before <paramref name="decideFrom"/> (its buffers filled by the same code
    /// a reading runs, without deciding), then <paramref name="minutes"/> minutes decided as in the benchmark; returns the
    /// growth of the managed heap per device.
    /// </summary>
    internal static double MeasureNaive(CampusLoad load, int decideFrom, int minutes, out NaiveAlarmDetection naive)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        naive = new NaiveAlarmDetection(CampusLoad.Rules);
        for (var i = 0; i < CampusLoad.Devices; i++)
        {
            var (site, gateway, device) = (load.Site(i), load.Gateway(i), load.Name(i));
            for (var minute = 0; minute < decideFrom; minute++)
            {
                foreach (var tsMs in load.Times(i, minute))
                {
                    naive.Append(site, gateway, device, CampusLoad.Start.AddMilliseconds(tsMs), load.Value(i, tsMs));
                }
            }
        }

        var changes = 0;
        for (var minute = decideFrom; minute < decideFrom + minutes; minute++)
        {
            foreach (var m in load.Slice(minute))
            {
                changes += naive.OnReadings(m.Site, m.Gateway, m.Readings, m.ReceivedAt);
            }
        }

        if (changes != 0)
        {
            throw new InvalidOperationException($"normal readings raised {changes} alarms in the baseline");
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(naive);
        return (after - before) / (double)CampusLoad.Devices;
    }

    /// <summary>
    /// The baseline decides what the engine decides: a scenario with every default raise and clear (rate of rise and fixed heat
    /// in a fire, a canteen fridge door left open, a freezer and a chemical store warming, a lab fridge's sensor stuck for
    /// 6 h), fed reading by reading to both; returns null when both give the same raises and clears at the same readings.
    /// </summary>
    internal static string? CrossCheck()
    {
        const string site = "school-01";
        const string gateway = "gw-01";
        var readings = new List<Reading>();
        void Add(string device, int stepSeconds, int fromSeconds, int toSeconds, Func<int, double> value)
        {
            for (var s = fromSeconds; s < toSeconds; s += stepSeconds)
            {
                readings.Add(new Reading(device, Metrics.Temperature, value(s), CampusLoad.Start.AddSeconds(s)));
            }
        }

        Add("room-fire", 10, 0, 300, _ => 20);
        Add("room-fire", 10, 300, 600, s => 20 + ((s - 300) / 60.0 * 12));     // 12 °C/min: rate of rise, then fixed heat
        Add("room-fire", 10, 600, 1200, _ => 80);
        Add("room-fire", 10, 1200, 2100, _ => 30);
        Add("fridge-door", 10, 0, 300, _ => 4);
        Add("fridge-door", 10, 300, 1020, _ => 9.5);                           // outside 0..8 for 12 min
        Add("fridge-door", 10, 1020, 1400, _ => 4);
        Add("freezer-warm", 20, 0, 120, _ => -18);
        Add("freezer-warm", 20, 120, 1080, _ => -10);                          // above -12 for 16 min
        Add("freezer-warm", 20, 1080, 1500, _ => -18);
        Add("chem-hot", 15, 0, 120, _ => 25);
        Add("chem-hot", 15, 120, 780, _ => 31);                                // above 30 for 11 min
        Add("chem-hot", 15, 780, 1500, _ => 27);
        Add("lab-fridge-stuck", 30, 0, (6 * 3600) + 120, _ => 5);             // unchanged for 6 h
        Add("lab-fridge-stuck", 30, (6 * 3600) + 120, (6 * 3600) + 300, _ => 5.5);
        readings.Sort((x, y) => x.Ts.CompareTo(y.Ts));

        var time = new FakeTimeProvider(CampusLoad.Start);
        var engine = new AlarmEngine(time, rules: () => CampusLoad.Rules);
        var naive = new NaiveAlarmDetection(CampusLoad.Rules) { Log = [] };
        var fromEngine = new List<(string, string, AlarmTransitionKind, DateTimeOffset)>();
        foreach (var r in readings)
        {
            time.SetUtcNow(r.Ts);
            fromEngine.AddRange(engine.OnReadings(site, gateway, [r]).Select(t => (t.Alarm.Rule, t.Alarm.Device!, t.Kind, t.At)));
            naive.OnReadings(site, gateway, [r], r.Ts);
        }

        static string Show(IEnumerable<(string Rule, string Device, AlarmTransitionKind Kind, DateTimeOffset Ts)> list) =>
            string.Join("; ", list.Select(t => Invariant($"{t.Rule} {t.Device} {t.Kind} {(t.Ts - CampusLoad.Start).TotalSeconds}s")));

        var expected = Show(fromEngine);
        var actual = Show(naive.Log);
        Console.WriteLine($"// cross-check ({fromEngine.Count} transitions): {expected}");
        return fromEngine.Count >= 12 && expected == actual ? null : $"the baseline decides otherwise than the engine:\n engine: {expected}\n naive:  {actual}";
    }

    /// <summary>
    /// <c>state [--minutes N]</c>: bytes of state per device for 100,000 devices, the engine after N simulated minutes (60 by
    /// default) of readings and the baseline after 6 h of history and 10 decided minutes.
    /// </summary>
    internal static int MeasureState(string[] args)
    {
        var minutes = args.Length >= 2 && args[0] == "--minutes" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        var load = new CampusLoad();
        Console.WriteLine(CrossCheck() ?? "cross-check: the baseline decides what the engine decides");
        var engine = MeasureEngine(load, 0, minutes, out var e, out _);
        Console.WriteLine(Invariant($"AlarmEngine: {engine:0} B per device ({CampusLoad.Devices:N0} devices, {minutes} simulated minutes, {CampusLoad.ReadingsPerSlice * (long)minutes:N0} readings)"));
        GC.KeepAlive(e);
        var naive = MeasureNaive(load, FirstMinute - 10, 10, out var n);
        Console.WriteLine(Invariant($"naive baseline: {naive:0} B per device ({CampusLoad.Devices:N0} devices, {FirstMinute - 10} minutes of history + 10 decided)"));
        GC.KeepAlive(n);
        return 0;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
