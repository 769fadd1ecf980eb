using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Telemetry;
using MathNet.Numerics.Statistics;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// The straightforward implementation of the engine's reading detectors, the baseline of <see cref="EngineScaleBenchmarks"/>:
/// per sensor a buffer of (ts, value) covering the longest window of the rules in force (6 h, for the stuck sensor), and for
/// every reading every rule that applies recomputes its window from that buffer:
/// <list type="bullet">
/// <item>rate of rise: the newest reading against the oldest still within the 60 s window (raise at ≥ 8.3 °C/min once the
/// window spans half its length); clears when the rate recomputed at each reading since the raise has stayed below 2 °C/min
/// for 5 min;</item>
/// <item>a held level (fixed heat, the storage bands): is every reading of the last N minutes outside the band (for the clear,
/// inside the clear band), back to one at least N minutes old and after the last change of state;</item>
/// <item>stuck: the window of the last 6 h copied out and its minimum and maximum taken with MathNet.Numerics
/// (<see cref="ArrayStatistics"/>, on an array of the window's exact length, one kept per length so the array path runs and
/// nothing is allocated per reading): stuck when all lie within the tolerance of the window's first reading, clear when not;</item>
/// <item>offline: a reading clears it (the raise is a timer's business in both).</item>
/// </list>
/// It decides what the engine decides (checked on a scenario with every kind of raise and clear, see
/// <see cref="EngineScaleBenchmarks.CrossCheck"/>); the robust z-score is not among the default rules, so neither runs it.
/// Late readings (older than <see cref="AlarmEngine.LateAfter"/>) are kept out of detection, as the engine does.
/// </summary>
internal sealed class NaiveAlarmDetection(RuleSet rules)
{
    private readonly Dictionary<(string Site, string Gateway, string Device), Sensor> _sensors = [];
    private readonly long _history = rules.Rules.Max(HistoryOf).Ticks;
    private double[]?[] _scratch = new double[]?[256];

    /// <summary>Raises and clears, as (rule, device, kind, ts), when a caller wants them (the cross-check); else only counted.</summary>
    public List<(string Rule, string Device, AlarmTransitionKind Kind, DateTimeOffset Ts)>? Log { get; set; }

    public int OnReadings(string site, string gateway, IEnumerable<Reading> readings, DateTimeOffset now)
    {
        var changes = 0;
        Sensor? sensor = null;
        foreach (var r in readings)
        {
            if (sensor is null || !string.Equals(sensor.Device, r.Device, StringComparison.Ordinal))
            {
                sensor = SensorOf(site, gateway, r.Device);
            }

            var late = now - r.Ts > AlarmEngine.LateAfter;
            if (!late)
            {
                sensor.Append(r.Ts.UtcTicks, r.Value, _history);
            }

            var list = rules.Rules;
            for (var i = 0; i < list.Count; i++)
            {
                var rule = list[i];
                if (rule.Detector == DetectorKind.Offline)
                {
                    if ((rule.Metric == "*" || rule.Metric == r.Metric) && sensor.Active[i])
                    {
                        changes += Change(sensor, i, rule, r.Ts);
                    }

                    continue;
                }

                if (late || !rule.AppliesTo(sensor.Profile, r.Metric))
                {
                    continue;
                }

                var change = rule.Detector switch
                {
                    DetectorKind.Level => Level(sensor, i, rule),
                    DetectorKind.RateOfRise => RateOfRise(sensor, i, rule),
                    DetectorKind.Flatline => Flatline(sensor, i, rule),
                    _ => false,
                };
                if (change)
                {
                    changes += Change(sensor, i, rule, r.Ts);
                }
            }
        }

        return changes;
    }

    /// <summary>Fills a sensor's buffer without deciding anything: history before a measurement (same buffer code as a reading).</summary>
    public void Append(string site, string gateway, string device, DateTimeOffset ts, double value) =>
        SensorOf(site, gateway, device).Append(ts.UtcTicks, value, _history);

    private int Change(Sensor sensor, int rule, Rule r, DateTimeOffset ts)
    {
        sensor.Active[rule] = !sensor.Active[rule];
        sensor.ChangedAt[rule] = sensor.Count > 0 ? sensor.At(sensor.Count - 1).Ticks : ts.UtcTicks;
        Log?.Add((r.Name, sensor.Device, sensor.Active[rule] ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared, ts));
        return 1;
    }

    private Sensor SensorOf(string site, string gateway, string device)
    {
        if (!_sensors.TryGetValue((site, gateway, device), out var sensor))
        {
            sensor = new Sensor(device, rules.ProfileOf(site, device), rules.Rules.Count);
            _sensors[(site, gateway, device)] = sensor;
        }

        return sensor;
    }

    /// <summary>Every reading since the last change, back to one at least the duration old, meets the condition.</summary>
    private static bool Level(Sensor s, int i, Rule rule)
    {
        var active = s.Active[i];
        var band = active ? rule.ClearWhenInside : rule.RaiseWhenOutside ?? rule.RaiseWhenInside;
        if (band is null)
        {
            return false;
        }

        var wantInside = active || rule.RaiseWhenInside is not null;
        var duration = (active ? rule.ClearFor : rule.RaiseFor).Ticks;
        var newest = s.At(s.Count - 1).Ticks;
        for (var j = s.Count - 1; j >= 0; j--)
        {
            var (ticks, value) = s.At(j);
            if (ticks <= s.ChangedAt[i] || band.Contains(value) != wantInside)
            {
                return false;
            }

            if (newest - ticks >= duration)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Raise: the rate now. Clear: the rate recomputed at every reading since the raise, below the clear rate for the duration.</summary>
    private static bool RateOfRise(Sensor s, int i, Rule rule)
    {
        var newest = s.Count - 1;
        if (!s.Active[i])
        {
            return Rate(s, newest, rule.Window.Ticks) >= (rule.RatePerMinute ?? double.PositiveInfinity);
        }

        var newestTicks = s.At(newest).Ticks;
        for (var j = newest; j >= 0; j--)
        {
            var ticks = s.At(j).Ticks;
            if (ticks <= s.ChangedAt[i] || Rate(s, j, rule.Window.Ticks) >= (rule.ClearRatePerMinute ?? 2))
            {
                return false;
            }

            if (newestTicks - ticks >= rule.ClearFor.Ticks)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The rise per minute from the oldest reading within the window before reading <paramref name="j"/> to it, or null.</summary>
    private static double? Rate(Sensor s, int j, long window)
    {
        var (ticks, value) = s.At(j);
        var oldest = j;
        while (oldest > 0 && ticks - s.At(oldest - 1).Ticks <= window)
        {
            oldest--;
        }

        var span = TimeSpan.FromTicks(ticks - s.At(oldest).Ticks);
        return span.Ticks >= window / 2 ? (value - s.At(oldest).Value) / span.TotalMinutes : null;
    }

    /// <summary>
    /// Not stuck: the last 6 h (from the newest reading at least that old, after the last change) all within the tolerance of
    /// its first reading. Stuck: the readings since the one it was raised on, the same way; it clears when they are not.
    /// </summary>
    private bool Flatline(Sensor s, int i, Rule rule)
    {
        var newest = s.Count - 1;
        var first = newest;
        if (s.Active[i])
        {
            while (first > 0 && s.At(first - 1).Ticks >= s.ChangedAt[i])
            {
                first--;
            }
        }
        else
        {
            var newestTicks = s.At(newest).Ticks;
            while (first >= 0 && newestTicks - s.At(first).Ticks < rule.RaiseFor.Ticks)
            {
                first--;
            }

            if (first < 0 || s.At(first).Ticks <= s.ChangedAt[i])
            {
                return false;
            }
        }

        var window = Window(newest - first + 1);
        for (var j = first; j <= newest; j++)
        {
            window[j - first] = s.At(j).Value;
        }

        var reference = window[0];
        var flat = ArrayStatistics.Maximum(window) - reference <= rule.Tolerance && reference - ArrayStatistics.Minimum(window) <= rule.Tolerance;
        return flat != s.Active[i];
    }

    private double[] Window(int length)
    {
        if (length >= _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(length + 1, _scratch.Length * 2));
        }

        return _scratch[length] ??= new double[length];
    }

    /// <summary>How much history a rule's recomputation needs.</summary>
    private static TimeSpan HistoryOf(Rule rule) => rule.Detector switch
    {
        DetectorKind.Level => rule.RaiseFor > rule.ClearFor ? rule.RaiseFor : rule.ClearFor,
        DetectorKind.RateOfRise => rule.Window + rule.ClearFor,
        DetectorKind.Flatline => rule.RaiseFor,
        _ => TimeSpan.Zero,
    };

    /// <summary>A sensor's buffer (a ring that grows by doubling, like <see cref="Queue{T}"/>, but indexable) and its alarm states.</summary>
    private sealed class Sensor(string device, string? profile, int rules)
    {
        private (long Ticks, double Value)[] _buffer = new (long, double)[16];
        private int _start;

        public string Device { get; } = device;

        public string? Profile { get; } = profile;

        public bool[] Active { get; } = new bool[rules];

        /// <summary>Per rule, the ts of the reading at its last raise or clear: a held run must start after it.</summary>
        public long[] ChangedAt { get; } = Enumerable.Repeat(long.MinValue, rules).ToArray();

        public int Count { get; private set; }

        public (long Ticks, double Value) At(int j) => _buffer[(_start + j) & (_buffer.Length - 1)];

        /// <summary>Appends, dropping readings more than <paramref name="history"/> (plus one reading) older than it.</summary>
        public void Append(long ticks, double value, long history)
        {
            // Keep one reading older than the history, so a window of exactly that length still finds its first reading.
            while (Count > 1 && ticks - At(1).Ticks > history)
            {
                _start = (_start + 1) & (_buffer.Length - 1);
                Count--;
            }

            if (Count == _buffer.Length)
            {
                var grown = new (long, double)[_buffer.Length * 2];
                for (var j = 0; j < Count; j++)
                {
                    grown[j] = At(j);
                }

                _buffer = grown;
                _start = 0;
            }

            _buffer[(_start + Count) & (_buffer.Length - 1)] = (ticks, value);
            Count++;
        }
    }
}
