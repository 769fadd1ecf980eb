namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// Rate-of-rise heat detection (as rate-of-rise heat detectors do it): the rise over the last <c>window</c> (60 s by
/// default) in °C per minute, from the oldest reading still in the window to the newest. Raises at or above
/// <c>raisePerMinute</c> once the window spans at least half its length (two readings a second apart prove nothing);
/// clears when the rate has stayed below <c>clearPerMinute</c> for <c>clearAfter</c>. A ring of at most
/// <c>capacity</c> readings: O(1) amortised work per reading, bounded state (readings beyond the capacity drop the oldest,
/// which only shortens the window).
/// </summary>
public sealed class RateOfRise
{
    private readonly TimeSpan _window;
    private readonly double _raisePerMinute;
    private readonly double _clearPerMinute;
    private readonly TimeSpan _clearAfter;
    private DateTimeOffset? _clearSince;
    private readonly (long Ticks, double Value)[] _ring;
    private int _start;
    private int _count;

    public RateOfRise(double raisePerMinute = 8.3, double clearPerMinute = 2, TimeSpan? window = null, TimeSpan? clearAfter = null, int capacity = 64)
    {
        _window = window ?? TimeSpan.FromSeconds(60);
        _raisePerMinute = raisePerMinute;
        _clearPerMinute = clearPerMinute;
        _ring = new (long, double)[capacity];
        _clearAfter = clearAfter ?? TimeSpan.FromMinutes(5);
    }

    public bool Active { get; private set; }

    /// <summary>The last computed rise in °C per minute (null until the window spans enough time).</summary>
    public double? Rate { get; private set; }

    public DetectorSignal Observe(DateTimeOffset ts, double value)
    {
        Add(ts.UtcTicks, value);
        var (oldTicks, oldValue) = _ring[_start];
        var span = TimeSpan.FromTicks(ts.UtcTicks - oldTicks);
        Rate = span >= _window / 2 ? (value - oldValue) / span.TotalMinutes : null;
        if (!Active)
        {
            if (Rate >= _raisePerMinute)
            {
                Active = true;
                _clearSince = null;
                return DetectorSignal.Raise;
            }

            return DetectorSignal.None;
        }

        // Clearing needs the rate below the clear threshold without a break for clearAfter (an unknown rate does not break it).
        if (Rate is { } rate && rate >= _clearPerMinute)
        {
            _clearSince = null;
            return DetectorSignal.None;
        }

        _clearSince ??= ts;
        if (ts - _clearSince.Value >= _clearAfter)
        {
            Active = false;
            _clearSince = null;
            return DetectorSignal.Clear;
        }

        return DetectorSignal.None;
    }

    private void Add(long ticks, double value)
    {
        // Drop readings that fell out of the window, then append (dropping the oldest when full).
        while (_count > 0 && ticks - _ring[_start].Ticks > _window.Ticks)
        {
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        if (_count == _ring.Length)
        {
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        _ring[(_start + _count) % _ring.Length] = (ticks, value);
        _count++;
    }
}
