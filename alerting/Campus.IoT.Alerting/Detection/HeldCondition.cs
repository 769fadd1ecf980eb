namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// "Outside a..b (or above x) for N minutes; clears when inside c..d for M minutes": a condition that must hold without a
/// break for a duration before it raises, with a separate, narrower clear band that must hold for its own duration
/// (hysteresis), so a fridge door opened for two minutes or a value hovering at the limit neither raises nor flaps.
/// Time is the readings' own <c>ts</c>; <see cref="Tick"/> lets a timer raise when the duration passes between readings.
/// O(1) work per reading, constant state, 48 bytes: the runs' starts are kept as UTC ticks (a nullable
/// <see cref="DateTimeOffset"/> is 24 bytes, and the engine keeps one of these per rule and sensor), and the conditions and
/// durations are one <see cref="Spec"/> that the engine shares between all the sensors of a rule.
/// </summary>
public sealed class HeldCondition
{
    private const long NotSet = long.MinValue;
    private readonly Spec _spec;
    private long _raiseSince = NotSet;
    private long _clearSince = NotSet;

    public HeldCondition(Func<double, bool> raiseWhen, TimeSpan raiseAfter, Func<double, bool> clearWhen, TimeSpan clearAfter)
        : this(new Spec(raiseWhen, raiseAfter, clearWhen, clearAfter))
    {
    }

    internal HeldCondition(Spec spec) => _spec = spec;

    /// <summary>True between a <see cref="DetectorSignal.Raise"/> and the following <see cref="DetectorSignal.Clear"/>.</summary>
    public bool Active { get; private set; }

    /// <summary>When the current run of raise-condition readings began (null when the last reading did not meet it).</summary>
    public DateTimeOffset? RaiseSince => At(_raiseSince);

    /// <summary>A band "outside lo..hi": below lo or above hi (either bound may be null for one-sided).</summary>
    public static Func<double, bool> Outside(double? lo, double? hi) => v => (lo is { } l && v < l) || (hi is { } h && v > h);

    /// <summary>A band "inside lo..hi" inclusive (either bound may be null for one-sided).</summary>
    public static Func<double, bool> Inside(double? lo, double? hi) => v => (lo is not { } l || v >= l) && (hi is not { } h || v <= h);

    public DetectorSignal Observe(DateTimeOffset ts, double value)
    {
        if (!Active)
        {
            _clearSince = NotSet;
            if (!_spec.RaiseWhen(value))
            {
                _raiseSince = NotSet;
                return DetectorSignal.None;
            }

            if (_raiseSince == NotSet)
            {
                _raiseSince = ts.UtcTicks;
            }

            return Tick(ts);
        }

        _raiseSince = NotSet;
        if (!_spec.ClearWhen(value))
        {
            _clearSince = NotSet;
            return DetectorSignal.None;
        }

        if (_clearSince == NotSet)
        {
            _clearSince = ts.UtcTicks;
        }

        return Tick(ts);
    }

    /// <summary>Time has reached <paramref name="now"/> with no new reading: raise or clear if a held run has lasted long enough.</summary>
    public DetectorSignal Tick(DateTimeOffset now)
    {
        if (!Active && _raiseSince != NotSet && now.UtcTicks - _raiseSince >= _spec.RaiseAfter.Ticks)
        {
            Active = true;
            _raiseSince = NotSet;
            return DetectorSignal.Raise;
        }

        if (Active && _clearSince != NotSet && now.UtcTicks - _clearSince >= _spec.ClearAfter.Ticks)
        {
            Active = false;
            _clearSince = NotSet;
            return DetectorSignal.Clear;
        }

        return DetectorSignal.None;
    }

    /// <summary>When a timer should look again (the moment the current run would complete), or null.</summary>
    public DateTimeOffset? NextDue => Active ? At(_clearSince) + _spec.ClearAfter : At(_raiseSince) + _spec.RaiseAfter;

    /// <summary>A rule's conditions and durations, the same for all its sensors.</summary>
    internal sealed record Spec(Func<double, bool> RaiseWhen, TimeSpan RaiseAfter, Func<double, bool> ClearWhen, TimeSpan ClearAfter);

    private static DateTimeOffset? At(long ticks) => ticks == NotSet ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
