using Campus.IoT.Alerting.Rules;
using Campus.IoT.Ingest;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// A monitored room's day so far, from its readings in one-minute steps (mean, min, max, count per minute: the store's
/// minute rollup): the lowest and highest reading and how long it was out of range.
/// <para>
/// <b>Time out of range.</b> A minute with readings is out of range when its mean is outside the rule's normal band (or
/// inside its alarm band, for a rule that raises inside a band). A minute's state lasts until the next minute with
/// readings, for at most <see cref="Hold"/>: a fridge reporting every 5 minutes that stays warm is counted for all 5, a
/// longer silence is a gap counted neither way (the sensor-offline alarm covers it). Time is counted from the start of the
/// school's day (a state carried over from just before midnight counts from midnight) up to now; whole minutes, a started
/// minute counts. The minute mean smooths a single spike: a door opened for a few seconds is not a minute out of range.
/// </para>
/// </summary>
internal static class RoomDay
{
    /// <summary>How long a minute's state stands for the minutes without readings after it.</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    /// <summary>What <see cref="Compute"/> needs: from <see cref="Hold"/> before the day starts to the end of the current minute.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Range(DateTimeOffset dayStart, DateTimeOffset now) =>
        (dayStart - Hold, new DateTimeOffset((now.UtcTicks / Step.Ticks + 1) * Step.Ticks, TimeSpan.Zero));

    /// <summary>Minutes in <see cref="Range"/>, and one more so nothing of a full day is cut.</summary>
    public static int Limit => (int)((TimeSpan.FromDays(1) + Hold) / Step) + 2;

    /// <summary>True when <paramref name="value"/> is one the rule raises on (ignoring how long it must last).</summary>
    public static bool OutOfRange(Rule rule, double value) =>
        rule.RaiseWhenOutside is { } normal ? !normal.Contains(value) : rule.RaiseWhenInside is { } alarm && alarm.Contains(value);

    /// <summary>
    /// Today's statistics from the minute buckets (ordered by time; those before <paramref name="dayStart"/> only carry their
    /// state over midnight). Without a rule nothing is out of range.
    /// </summary>
    public static Today Compute(IReadOnlyList<ReadingBucket> minutes, DateTimeOffset dayStart, DateTimeOffset now, Rule? rule)
    {
        double? min = null, max = null;
        long count = 0;
        var outside = TimeSpan.Zero;
        for (var i = 0; i < minutes.Count; i++)
        {
            var bucket = minutes[i];
            if (bucket.Ts >= dayStart && bucket.Ts <= now)
            {
                min = min is { } lo ? Math.Min(lo, bucket.Min) : bucket.Min;
                max = max is { } hi ? Math.Max(hi, bucket.Max) : bucket.Max;
                count += bucket.Count;
            }

            if (rule is null || !OutOfRange(rule, bucket.Mean))
            {
                continue;
            }

            var next = i + 1 < minutes.Count ? minutes[i + 1].Ts : DateTimeOffset.MaxValue;
            var end = Min(Min(next, bucket.Ts + Hold), now);
            var start = bucket.Ts < dayStart ? dayStart : bucket.Ts;
            if (end > start)
            {
                outside += end - start;
            }
        }

        return new Today(min, max, count, (long)Math.Ceiling(outside / Step));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>The lowest and highest reading of the day, how many readings, whole minutes out of range.</summary>
    internal sealed record Today(double? Min, double? Max, long Count, long MinutesOutOfRange);
}
