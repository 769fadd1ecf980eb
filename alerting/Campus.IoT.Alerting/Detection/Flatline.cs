namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// A stuck sensor: the value has not moved by more than <c>tolerance</c> from where the current run started for
/// <c>after</c> (DESIGN: temperature unchanged ±0.01 for 6 h). Clears as soon as the value moves. Constant state (the run's start as UTC ticks: the engine keeps one per sensor).
/// </summary>
public sealed class Flatline(TimeSpan after, double tolerance = 0.01)
{
    private const long NotSet = long.MinValue;
    private long _since = NotSet;
    private double _reference;

    public bool Active { get; private set; }

    public DetectorSignal Observe(DateTimeOffset ts, double value)
    {
        if (_since == NotSet || Math.Abs(value - _reference) > tolerance)
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

        if (!Active && ts.UtcTicks - _since >= after.Ticks)
        {
            Active = true;
            return DetectorSignal.Raise;
        }

        return DetectorSignal.None;
    }
}
