using System.Runtime.CompilerServices;

namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// Rate-of-rise heat detection (as rate-of-rise heat detectors do it): the rise over the last <c>window</c> (60 s by
/// default, at most a day) in °C per minute, from the oldest reading still in the window to the newest. Raises at or above
/// <c>raisePerMinute</c> once the window spans at least half its length (two readings a second apart prove nothing);
/// clears when the rate has stayed below <c>clearPerMinute</c> for <c>clearAfter</c>.
/// <para>State: the last <see cref="Capacity"/> (16) readings kept, 8 bytes each — a millisecond offset (the wire's
/// resolution) and a single-precision value (0.01 °C readings lose nothing a rate needs) — inside the detector, 192
/// bytes in all whatever the sensor's rate (the thresholds are one <see cref="Spec"/> shared by all the sensors of a rule):
/// at 100,000 sensors the state per device is what limits the engine (docs/benchmarks.md, 3b). A reading is kept only when it comes at least window / 15 (4 s of 60 s) after the last one kept,
/// so the ring never runs out: a sensor reporting every 4 s or slower keeps every reading and the rate is exact; a faster
/// one keeps one reading every 4 s or so, and the oldest kept reading in the window is then at most that spacing plus one
/// reporting interval younger than the true oldest. The rate is then the rise over a window between window − spacing −
/// interval and window long, divided by the span it really covers: for a steady rise, the true rate. O(1) amortised work
/// per reading.</para>
/// </summary>
public sealed class RateOfRise
{
    /// <summary>Readings kept; enough for every reading of a sensor reporting every 4 s over a 60 s window.</summary>
    public const int Capacity = 16;

    /// <summary>The longest window: its offsets in milliseconds stay far inside an int.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    private const int Mask = Capacity - 1;

    /// <summary>Offsets are made relative to the oldest reading kept again before they pass this many milliseconds (12 days).</summary>
    private const long RebaseAt = 1L << 30;

    private const long NotSet = long.MinValue;

    private readonly Spec _spec;
    private long _base;
    private long _clearSince = NotSet;
    private double _rate = double.NaN;
    private int _start;
    private int _count;
    private Ring _ring;

    public RateOfRise(double raisePerMinute = 8.3, double clearPerMinute = 2, TimeSpan? window = null, TimeSpan? clearAfter = null)
        : this(new Spec(raisePerMinute, clearPerMinute, window ?? TimeSpan.FromSeconds(60), clearAfter ?? TimeSpan.FromMinutes(5)))
    {
    }

    internal RateOfRise(Spec spec) => _spec = spec;

    public bool Active { get; private set; }

    /// <summary>The last computed rise in °C per minute (null until the window spans enough time).</summary>
    public double? Rate => double.IsNaN(_rate) ? null : _rate;

    public DetectorSignal Observe(DateTimeOffset ts, double value)
    {
        var ticks = ts.UtcTicks;
        var stored = (float)value;
        Add(ticks, stored);
        var oldest = _ring[_start];
        var span = ticks - Ticks(oldest);
        _rate = span >= _spec.Window / 2 && span > 0 ? (stored - oldest.Value) * (double)TimeSpan.TicksPerMinute / span : double.NaN;
        if (!Active)
        {
            if (_rate >= _spec.RaisePerMinute)
            {
                Active = true;
                _clearSince = NotSet;
                return DetectorSignal.Raise;
            }

            return DetectorSignal.None;
        }

        // Clearing needs the rate below the clear threshold without a break for clearAfter (an unknown rate does not break it).
        if (_rate >= _spec.ClearPerMinute)
        {
            _clearSince = NotSet;
            return DetectorSignal.None;
        }

        if (_clearSince == NotSet)
        {
            _clearSince = ticks;
        }

        if (ticks - _clearSince >= _spec.ClearAfter)
        {
            Active = false;
            _clearSince = NotSet;
            return DetectorSignal.Clear;
        }

        return DetectorSignal.None;
    }

    /// <summary>
    /// Reads the oldest and newest readings kept, for nothing but to have their cache lines loaded: the engine's pass that
    /// brings a message's device states into the cache together (<c>AlarmEngine.Resolve</c>) reaches the ring with it.
    /// </summary>
    internal int Touch => _ring[_start].Offset ^ _ring[(_start + _count - 1) & Mask].Offset;

    private long Ticks(Entry entry) => _base + (entry.Offset * TimeSpan.TicksPerMillisecond);

    private void Add(long ticks, float value)
    {
        // Drop readings that fell out of the window.
        while (_count > 0 && ticks - Ticks(_ring[_start]) > _spec.Window)
        {
            _start = (_start + 1) & Mask;
            _count--;
        }

        if (_count == 0)
        {
            _base = ticks;
            _start = 0;
            _ring[0] = new Entry(0, value);
            _count = 1;
            return;
        }

        // Kept only when far enough after the last one kept (a reading out of order never is): the rate needs the oldest
        // reading in the window, and the newest is the reading in hand.
        var offset = (ticks - _base) / TimeSpan.TicksPerMillisecond;
        if (offset - _ring[(_start + _count - 1) & Mask].Offset < _spec.Spacing)
        {
            return;
        }

        if (offset >= RebaseAt)
        {
            var shift = _ring[_start].Offset;
            for (var i = 0; i < _count; i++)
            {
                ref var e = ref _ring[(_start + i) & Mask];
                e = e with { Offset = e.Offset - shift };
            }

            _base += shift * TimeSpan.TicksPerMillisecond;
            offset -= shift;
        }

        if (_count == Capacity)
        {
            // Not reached with the spacing above (at most 16 readings that far apart fit in a window); kept as the bound.
            _start = (_start + 1) & Mask;
            _count--;
        }

        _ring[(_start + _count) & Mask] = new Entry((int)offset, value);
        _count++;
    }

    /// <summary>A rule's thresholds and durations (in ticks) and the spacing of the readings kept (ms), the same for all its sensors.</summary>
    internal sealed class Spec
    {
        public Spec(double raisePerMinute, double clearPerMinute, TimeSpan window, TimeSpan clearAfter)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(window, MaxWindow);
            (RaisePerMinute, ClearPerMinute, Window, ClearAfter) = (raisePerMinute, clearPerMinute, window.Ticks, clearAfter.Ticks);
            Spacing = (int)(Window / TimeSpan.TicksPerMillisecond / (Capacity - 1));
        }

        public double RaisePerMinute { get; }

        public double ClearPerMinute { get; }

        public long Window { get; }

        public long ClearAfter { get; }

        public int Spacing { get; }
    }

    /// <summary>A reading kept: milliseconds after <see cref="_base"/>, and its value.</summary>
    private readonly record struct Entry(int Offset, float Value);

    /// <summary>The readings kept, inside the detector's own object (no second object, no second pointer to follow).</summary>
    [InlineArray(Capacity)]
    private struct Ring
    {
        private Entry _first;
    }
}
