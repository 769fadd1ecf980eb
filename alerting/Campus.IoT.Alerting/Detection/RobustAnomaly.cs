using MathNet.Numerics.Statistics;

namespace Campus.IoT.Alerting.Detection;

/// <summary>
/// Anomaly statistics: a robust z-score, z = 0.6745 (x − median) / MAD, against the sensor's own history.
/// <list type="bullet">
/// <item>It may not fire before <c>minHistory</c> readings: the first ones are buffered and give the exact median and MAD
/// (MathNet.Numerics); from then on both are tracked incrementally (streaming median and MAD by stochastic approximation,
/// each step a fraction of the current MAD), so every later reading costs O(1) and the state is constant.</item>
/// <item>Raises when |z| ≥ <c>raiseZ</c> for <c>confirm</c> readings in a row (one spike is noise); clears when |z| &lt;
/// <c>clearZ</c> for <c>confirm</c> readings in a row. While raised the estimates are frozen, so the anomaly does not
/// teach the detector that it is normal.</item>
/// <item>A MAD of zero (a perfectly constant history) is floored at <c>minScale</c>, so the first change after a flat run
/// is measured against the sensor's resolution, not divided by zero.</item>
/// </list>
/// Not on by default for any profile (DESIGN): rules files opt in.
/// </summary>
public sealed class RobustAnomaly(int minHistory = 60, double raiseZ = 6, double clearZ = 3, int confirm = 3, double learningRate = 0.02, double minScale = 0.01)
{
    private const double Consistency = 0.6745;
    private double[]? _history = new double[minHistory];
    private int _filled;
    private double _median;
    private double _mad;
    private int _run;

    public bool Active { get; private set; }

    /// <summary>True once the minimum history is in and the detector may fire.</summary>
    public bool Ready => _history is null;

    public double Median => _median;

    public double Mad => _mad;

    /// <summary>The last reading's robust z-score (0 before the detector is ready).</summary>
    public double Z { get; private set; }

    public DetectorSignal Observe(double value)
    {
        if (_history is not null)
        {
            _history[_filled++] = value;
            if (_filled == _history.Length)
            {
                _median = ArrayStatistics.MedianInplace(_history);
                for (var i = 0; i < _history.Length; i++)
                {
                    _history[i] = Math.Abs(_history[i] - _median);
                }

                _mad = ArrayStatistics.MedianInplace(_history);
                _history = null;
            }

            return DetectorSignal.None;
        }

        var scale = Math.Max(_mad, minScale);
        Z = Consistency * (value - _median) / scale;
        var outside = Math.Abs(Z) >= raiseZ;
        var inside = Math.Abs(Z) < clearZ;
        if (!Active)
        {
            Learn(value, scale);
            _run = outside ? _run + 1 : 0;
            if (_run >= confirm)
            {
                Active = true;
                _run = 0;
                return DetectorSignal.Raise;
            }

            return DetectorSignal.None;
        }

        _run = inside ? _run + 1 : 0;
        if (_run >= confirm)
        {
            Active = false;
            _run = 0;
            return DetectorSignal.Clear;
        }

        return DetectorSignal.None;
    }

    private void Learn(double value, double scale)
    {
        var step = learningRate * scale;
        _median += Math.Sign(value - _median) * step;
        _mad = Math.Max(0, _mad + (Math.Sign(Math.Abs(value - _median) - _mad) * step));
    }
}
