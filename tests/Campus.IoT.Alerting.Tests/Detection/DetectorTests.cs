using Campus.IoT.Alerting.Detection;

namespace Campus.IoT.Alerting.Tests.Detection;

/// <summary>The windowed detectors on simulated time (the readings' own timestamps): no sleeps, no wall clock.</summary>
public sealed class DetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private static HeldCondition ColdStorage() => new(
        HeldCondition.Outside(0, 8), TimeSpan.FromMinutes(10), HeldCondition.Inside(0.5, 7.5), TimeSpan.FromMinutes(5));

    /// <summary>Feeds (seconds after T0, value) and returns the second at which each non-None signal came.</summary>
    private static List<(int Second, DetectorSignal Signal)> Feed(Func<DateTimeOffset, double, DetectorSignal> observe, IEnumerable<(int Second, double Value)> readings)
    {
        var signals = new List<(int, DetectorSignal)>();
        foreach (var (second, value) in readings)
        {
            var signal = observe(T0.AddSeconds(second), value);
            if (signal != DetectorSignal.None)
            {
                signals.Add((second, signal));
            }
        }

        return signals;
    }

    private static IEnumerable<(int, double)> Every(int stepSeconds, int fromSecond, int toSecond, Func<int, double> value)
    {
        for (var s = fromSecond; s < toSecond; s += stepSeconds)
        {
            yield return (s, value(s));
        }
    }

    [Fact]
    public void Cold_storage_raises_when_outside_0_to_8_has_held_for_10_minutes_and_not_a_moment_before()
    {
        var fridge = ColdStorage();
        var signals = Feed(fridge.Observe, [.. Every(30, 0, 600, _ => 4.0), .. Every(30, 600, 1500, _ => 9.1)]);

        // Outside from 600 s on: the reading at 600 + 600 = 1200 s is the first with the run 10 minutes long.
        Assert.Equal([(1200, DetectorSignal.Raise)], signals);
    }

    [Fact]
    public void A_door_opened_for_two_minutes_does_not_raise()
    {
        var fridge = ColdStorage();
        var signals = Feed(fridge.Observe, [.. Every(30, 0, 600, _ => 4.0), .. Every(30, 600, 720, _ => 12.0), .. Every(30, 720, 3600, _ => 4.5)]);
        Assert.Empty(signals);
        Assert.False(fridge.Active);
    }

    [Fact]
    public void A_value_flapping_across_the_limit_does_not_raise_and_a_held_run_must_be_unbroken()
    {
        var fridge = ColdStorage();
        var signals = Feed(fridge.Observe, Every(30, 0, 7200, s => (s / 30) % 2 == 0 ? 8.1 : 7.9));
        Assert.Empty(signals);
    }

    [Fact]
    public void Clearing_needs_the_narrower_band_for_5_minutes_so_hovering_at_the_limit_keeps_the_alarm()
    {
        var fridge = ColdStorage();
        var signals = Feed(fridge.Observe, [
            .. Every(30, 0, 660, _ => 9.5),        // raised at 600 s
            .. Every(30, 660, 1800, _ => 7.8),     // inside 0..8 but not inside 0.5..7.5: stays raised
            .. Every(30, 1800, 2400, _ => 6.0),    // inside the clear band from 1800 s: clears at 2100 s
        ]);
        Assert.Equal([(600, DetectorSignal.Raise), (2100, DetectorSignal.Clear)], signals);
    }

    [Fact]
    public void A_timer_tick_raises_when_the_duration_passes_between_readings()
    {
        var fridge = ColdStorage();
        Assert.Equal(DetectorSignal.None, fridge.Observe(T0, 9.0));
        Assert.Equal(T0.AddMinutes(10), fridge.NextDue);
        Assert.Equal(DetectorSignal.None, fridge.Tick(T0.AddMinutes(9)));
        Assert.Equal(DetectorSignal.Raise, fridge.Tick(T0.AddMinutes(10)));
        Assert.True(fridge.Active);
    }

    [Fact]
    public void Freezer_and_chem_store_one_sided_bands()
    {
        var freezer = new HeldCondition(HeldCondition.Outside(null, -12), TimeSpan.FromMinutes(15), HeldCondition.Inside(null, -13), TimeSpan.FromMinutes(5));
        var signals = Feed(freezer.Observe, [.. Every(60, 0, 960, _ => -11.0), .. Every(60, 960, 1500, _ => -12.5), .. Every(60, 1500, 1900, _ => -14.0)]);

        // Above -12 from 0 s: raised at 900 s; -12.5 is not at or below -13: no clear; from 1500 s it is: clear at 1800 s.
        Assert.Equal([(900, DetectorSignal.Raise), (1800, DetectorSignal.Clear)], signals);
    }

    [Fact]
    public void Rate_of_rise_raises_on_a_fast_rise_and_not_on_a_slow_one()
    {
        var slow = new RateOfRise();
        Assert.Empty(Feed(slow.Observe, Every(10, 0, 1800, s => 20 + (s / 60.0 * 1.5))));   // 1.5 °C/min for 30 min

        var fire = new RateOfRise();
        var signals = Feed(fire.Observe, [.. Every(10, 0, 300, _ => 22.0), .. Every(10, 300, 400, s => 22 + ((s - 300) / 60.0 * 12))]);

        // 12 °C/min (2 °C per 10 s) from 300 s; the window reaches back 60 s to a reading of 22 °C until 360 s, so the rise
        // over it is 2, 4, 6, 8, 10 °C/min at 310..350 s: the first at or above 8.3 is 350 s.
        Assert.Equal([(350, DetectorSignal.Raise)], signals);
        Assert.True(fire.Active);
        Assert.True(fire.Rate >= 8.3);
    }

    [Fact]
    public void Rate_of_rise_clears_after_5_minutes_below_2_per_minute()
    {
        var detector = new RateOfRise();
        var signals = Feed(detector.Observe, [
            .. Every(10, 0, 60, _ => 20.0),
            .. Every(10, 60, 180, s => 20 + ((s - 60) / 60.0 * 10)),   // 10 °C/min for 2 min: raise
            .. Every(10, 180, 900, _ => 40.0),                         // level: rate falls to 0
        ]);
        // Raise: at 110 s the window 50..110 s rose 8.33 °C. Level from 180 s: the rate over the window is 3.33 °C/min at
        // 220 s and 1.67 at 230 s, which starts the clear run; 5 minutes later, at 530 s, it clears.
        Assert.Equal([(110, DetectorSignal.Raise), (530, DetectorSignal.Clear)], signals);
    }

    [Fact]
    public void Rate_of_rise_on_a_sensor_reporting_every_second_keeps_16_readings_and_still_measures_the_rate()
    {
        // 60 readings a window, 16 kept (one every 4 s at least): a steady rise is still measured exactly, over the span the
        // kept readings really cover.
        var steady = new RateOfRise();
        Assert.Empty(Feed(steady.Observe, Every(1, 0, 60, _ => 20.0)));
        var signals = Feed(steady.Observe, Every(1, 60, 300, s => 20 + ((s - 60) / 60.0 * 10)));   // 10 °C/min
        Assert.Single(signals);
        Assert.InRange(steady.Rate!.Value, 9.999, 10.001);

        // From flat, 12 °C/min: over an exact 60 s window the rate passes 8.3 at 42 s into the rise (41.5 s × 12 / 60 = 8.3 °C
        // over 60 s). The oldest kept reading is up to 4 s + 1 s younger than the exact window's, so the same rise is divided by
        // a span of 55–60 s: the raise comes between 38 and 42 s into the rise, never later than the exact window's.
        var fire = new RateOfRise();
        var raise = Assert.Single(Feed(fire.Observe, [.. Every(1, 0, 300, _ => 22.0), .. Every(1, 300, 400, s => 22 + ((s - 300) / 60.0 * 12))]));
        Assert.Equal(DetectorSignal.Raise, raise.Signal);
        Assert.InRange(raise.Second - 300, 38, 42);

        // 1.5 °C/min at one reading a second for 30 minutes: never near 8.3.
        var slow = new RateOfRise();
        Assert.Empty(Feed(slow.Observe, Every(1, 0, 1800, s => 20 + (s / 60.0 * 1.5))));
        Assert.InRange(slow.Rate!.Value, 1.49, 1.51);
    }

    [Fact]
    public void Rate_of_rise_keeps_its_millisecond_offsets_exact_after_two_weeks_of_readings()
    {
        // The ring's offsets are ints of milliseconds from a base that moves up every 12 days or so: a sensor reporting for
        // 14 days still sees its window reach back exactly 60 s (the test of 350 s above, two weeks later).
        var detector = new RateOfRise();
        const int start = 14 * 24 * 3600;
        Assert.Empty(Feed(detector.Observe, Every(60, 0, start, s => 22.0 + ((s / 60) % 2 * 0.1))));
        var signals = Feed(detector.Observe, [.. Every(10, start, start + 300, _ => 22.0), .. Every(10, start + 300, start + 400, s => 22 + ((s - start - 300) / 60.0 * 12))]);
        Assert.Equal([(start + 350, DetectorSignal.Raise)], signals);
    }

    [Fact]
    public void Rate_of_rise_windows_are_at_most_a_day()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateOfRise(window: TimeSpan.FromDays(2)));
        Assert.Null(new RateOfRise(window: TimeSpan.FromDays(1)).Rate);
    }

    [Fact]
    public void A_sensor_stuck_for_6_hours_raises_and_clears_when_the_value_moves()
    {
        var stuck = new Flatline(TimeSpan.FromHours(6));
        var signals = Feed(stuck.Observe, [.. Every(60, 0, 6 * 3600 + 120, s => 4.0 + ((s / 60) % 2 * 0.005)), (6 * 3600 + 180, 4.5)]);
        Assert.Equal([(6 * 3600, DetectorSignal.Raise), (6 * 3600 + 180, DetectorSignal.Clear)], signals);
    }

    [Fact]
    public void A_live_sensor_is_not_stuck()
    {
        var stuck = new Flatline(TimeSpan.FromHours(6));
        Assert.Empty(Feed(stuck.Observe, Every(60, 0, 12 * 3600, s => 4.0 + ((s / 600) % 3 * 0.02))));
    }

    [Fact]
    public void Offline_after_5_minutes_of_silence_for_a_30_second_sensor_and_3_intervals_for_a_slow_one()
    {
        var fast = new Silence();
        foreach (var s in Enumerable.Range(0, 10))
        {
            fast.Observe(T0.AddSeconds(30 * s));
        }

        var last = T0.AddSeconds(270);
        Assert.Equal(TimeSpan.FromMinutes(5), fast.Timeout);
        Assert.Equal(DetectorSignal.None, fast.Tick(last.AddMinutes(4)));
        Assert.Equal(DetectorSignal.Raise, fast.Tick(last.AddMinutes(5)));
        Assert.Equal(DetectorSignal.None, fast.Tick(last.AddMinutes(6)));
        Assert.Equal(DetectorSignal.Clear, fast.Observe(last.AddMinutes(7)));

        var slow = new Silence(expectedInterval: TimeSpan.FromMinutes(10));
        slow.Observe(T0);
        Assert.Equal(TimeSpan.FromMinutes(30), slow.Timeout);
        Assert.Equal(DetectorSignal.None, slow.Tick(T0.AddMinutes(29)));
        Assert.Equal(DetectorSignal.Raise, slow.Tick(T0.AddMinutes(30)));
    }

    [Fact]
    public void The_learnt_interval_ignores_the_gap_of_an_outage()
    {
        var silence = new Silence();
        for (var s = 0; s < 20; s++)
        {
            silence.Observe(T0.AddMinutes(3 * s));
        }

        Assert.Equal(TimeSpan.FromMinutes(9), silence.Timeout);
        var last = T0.AddMinutes(57);
        Assert.Equal(DetectorSignal.Raise, silence.Tick(last.AddMinutes(9)));
        Assert.Equal(DetectorSignal.Clear, silence.Observe(last.AddHours(2)));
        Assert.Equal(TimeSpan.FromMinutes(9), silence.Timeout);
    }

    [Fact]
    public void Anomaly_needs_its_minimum_history_before_it_may_fire()
    {
        var anomaly = new RobustAnomaly(minHistory: 60);
        for (var i = 0; i < 59; i++)
        {
            Assert.Equal(DetectorSignal.None, anomaly.Observe(i % 2 == 0 ? -1000 : 1000));
        }

        Assert.False(anomaly.Ready);
    }

    [Fact]
    public void Anomaly_stays_quiet_on_normal_noise_ignores_one_spike_and_raises_on_a_sustained_shift()
    {
        var random = new Random(7);
        double Normal() => 20 + (0.3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var anomaly = new RobustAnomaly();
        var signals = new List<(int, DetectorSignal)>();
        for (var i = 0; i < 20_000; i++)
        {
            var s = anomaly.Observe(Normal());
            if (s != DetectorSignal.None)
            {
                signals.Add((i, s));
            }
        }

        Assert.Empty(signals);                               // 20,000 normal readings: no false alarm
        Assert.InRange(anomaly.Median, 19.9, 20.1);
        Assert.InRange(anomaly.Mad, 0.1, 0.3);               // MAD of N(20, 0.3) is 0.2

        Assert.Equal(DetectorSignal.None, anomaly.Observe(35));   // one spike
        Assert.Equal(DetectorSignal.None, anomaly.Observe(Normal()));
        Assert.Equal(DetectorSignal.None, anomaly.Observe(30));
        Assert.Equal(DetectorSignal.None, anomaly.Observe(30));
        Assert.Equal(DetectorSignal.Raise, anomaly.Observe(30)); // the third in a row
        Assert.Equal(DetectorSignal.None, anomaly.Observe(30));
        Assert.Equal(DetectorSignal.None, anomaly.Observe(Normal()));
        Assert.Equal(DetectorSignal.None, anomaly.Observe(Normal()));
        Assert.Equal(DetectorSignal.Clear, anomaly.Observe(Normal()));
    }
}
