namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// No data / offline: raises when nothing has arrived for <see cref="Timeout"/> — the longer of a floor (5 min by default)
/// and a multiple (3 by default) of the sensor's expected interval, learnt from the gaps between its readings when it is
/// not configured. Clears on the next reading. Evaluated by <see cref="Tick"/> from a timer; constant state, 48 bytes
/// (times as UTC ticks, the parameters one <see cref="Spec"/> shared by all the sensors of a rule: the engine keeps one of
/// these per sensor).
/// </summary>
public sealed class Silence
{
    private const long NotSet = long.MinValue;
    private readonly Spec _spec;
    private long _last = NotSet;
    private long _learnt;

    public Silence(TimeSpan? expectedInterval = null, TimeSpan? floor = null, double multiple = 3)
        : this(new Spec(expectedInterval?.Ticks ?? 0, (floor ?? TimeSpan.FromMinutes(5)).Ticks, multiple))
    {
    }

    internal Silence(Spec spec) => _spec = spec;

    public bool Active { get; private set; }

    public DateTimeOffset? LastSeen => _last == NotSet ? null : new DateTimeOffset(_last, TimeSpan.Zero);

    /// <summary>How long a silence may last before it is an alarm.</summary>
    public TimeSpan Timeout => TimeSpan.FromTicks(TimeoutTicks);

    /// <summary>When <see cref="Tick"/> should run next, or null before the first reading.</summary>
    public DateTimeOffset? NextDue => Active ? null : LastSeen + Timeout;

    private long TimeoutTicks
    {
        get
        {
            var interval = _spec.Expected > 0 ? _spec.Expected : _learnt;
            var scaled = interval > 0 ? (long)(interval * _spec.Multiple) : 0;
            return scaled > _spec.Floor ? scaled : _spec.Floor;
        }
    }

    public DetectorSignal Observe(DateTimeOffset ts)
    {
        var ticks = ts.UtcTicks;
        if (!Active && _last != NotSet && ticks > _last)
        {
            // An exponentially weighted interval: a few readings settle it; a one-off long gap does not double it, and the gap
            // that ends an outage is not learnt at all.
            var gap = ticks - _last;
            _learnt = _learnt > 0 ? (long)((_learnt * 0.8) + (gap * 0.2)) : gap;
        }

        if (_last == NotSet || ticks > _last)
        {
            _last = ticks;
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
        if (!Active && _last != NotSet && now.UtcTicks - _last >= TimeoutTicks)
        {
            Active = true;
            return DetectorSignal.Raise;
        }

        return DetectorSignal.None;
    }

    /// <summary>A rule's parameters in ticks (<see cref="Expected"/> 0 when it is learnt), the same for all its sensors.</summary>
    internal sealed record Spec(long Expected, long Floor, double Multiple);
}
