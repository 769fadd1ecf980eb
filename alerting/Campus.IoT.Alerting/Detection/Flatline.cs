namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// A stuck sensor: the value has not moved by more than <c>tolerance</c> from where the current run started for
/// <c>after</c> (DESIGN: temperature unchanged ±0.01 for 6 h). Clears as soon as the value moves. Constant state, 48 bytes (the run's start as UTC ticks, the
/// parameters one <see cref="Spec"/> shared by all the sensors of a rule: the engine keeps one of these per sensor).
/// </summary>
public sealed class Flatline
{
    private const long NotSet = long.MinValue;
    private readonly Spec _spec;
    private long _since = NotSet;
    private double _reference;

    public Flatline(TimeSpan after, double tolerance = 0.01)
        : this(new Spec(after, tolerance))
    {
    }

    internal Flatline(Spec spec) => _spec = spec;

    public bool Active { get; private set; }

    public DetectorSignal Observe(DateTimeOffset ts, double value)
    {
        if (_since == NotSet || Math.Abs(value - _reference) > _spec.Tolerance)
        {
            _since = ts.UtcTicks;
            _reference = value;
            if (Active)
            {
                Active = false;
                return DetectorSignal.Clear;
            }

            return DetectorSignal.None;
        }

        if (!Active && ts.UtcTicks - _since >= _spec.After.Ticks)
        {
            Active = true;
            return DetectorSignal.Raise;
        }

        return DetectorSignal.None;
    }

    /// <summary>A rule's duration and tolerance, the same for all its sensors.</summary>
    internal sealed record Spec(TimeSpan After, double Tolerance);
}
