namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// No data / offline: raises when nothing has arrived for <see cref="Timeout"/> — the longer of a floor (5 min by default)
/// and a multiple (3 by default) of the sensor's expected interval, learnt from the gaps between its readings when it is
/// not configured. Clears on the next reading. Evaluated by <see cref="Tick"/> from a timer; constant state.
/// </summary>
public sealed class Silence(TimeSpan? expectedInterval = null, TimeSpan? floor = null, double multiple = 3)
{
    private readonly TimeSpan _floor = floor ?? TimeSpan.FromMinutes(5);
    private DateTimeOffset? _last;
    private TimeSpan? _learnt;

    public bool Active { get; private set; }

    public DateTimeOffset? LastSeen => _last;

    /// <summary>How long a silence may last before it is an alarm.</summary>
    public TimeSpan Timeout
    {
        get
        {
            var interval = expectedInterval ?? _learnt;
            var scaled = interval is { } i ? TimeSpan.FromTicks((long)(i.Ticks * multiple)) : TimeSpan.Zero;
            return scaled > _floor ? scaled : _floor;
        }
    }

    /// <summary>When <see cref="Tick"/> should run next, or null before the first reading.</summary>
    public DateTimeOffset? NextDue => Active ? null : _last + Timeout;

    public DetectorSignal Observe(DateTimeOffset ts)
    {
        if (!Active && _last is { } last && ts > last)
        {
            // An exponentially weighted interval: a few readings settle it; a one-off long gap does not double it, and the gap
            // that ends an outage is not learnt at all.
            var gap = ts - last;
            _learnt = _learnt is { } l ? TimeSpan.FromTicks((long)((l.Ticks * 0.8) + (gap.Ticks * 0.2))) : gap;
        }

        if (_last is null || ts > _last)
        {
            _last = ts;
        }

        if (Active)
        {
            Active = false;
            return DetectorSignal.Clear;
        }

        return DetectorSignal.None;
    }

    public DetectorSignal Tick(DateTimeOffset now)
    {
        if (!Active && _last is { } last && now - last >= Timeout)
        {
            Active = true;
            return DetectorSignal.Raise;
        }

        return DetectorSignal.None;
    }
}
