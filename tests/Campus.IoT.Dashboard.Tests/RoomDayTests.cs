using Campus.IoT.Alerting.Rules;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Ingest;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>The room page's "today" arithmetic and the school's day, without a platform.</summary>
public sealed class RoomDayTests
{
    private static readonly DateTimeOffset DayStart = new(2026, 11, 29, 0, 0, 0, TimeSpan.FromHours(8));
    private static readonly Rule Fridge = RuleSet.Defaults.Rules.Single(r => r.Name == "cold-storage");

    private static ReadingBucket Minute(string local, double mean, double? min = null, double? max = null, long count = 1) =>
        new(DayStart + TimeSpan.Parse(local, System.Globalization.CultureInfo.InvariantCulture), mean, min ?? mean, max ?? mean, count);

    [Fact]
    public void A_minute_out_of_range_counts_until_the_next_minute_with_readings_for_at_most_ten_minutes()
    {
        var today = RoomDay.Compute(
            [Minute("08:00", 9), Minute("08:03", 4), Minute("09:00", -1), Minute("10:00", 5)],
            DayStart,
            DayStart.AddHours(12),
            Fridge);

        Assert.Equal(3 + 10, today.MinutesOutOfRange);
        Assert.Equal((-1.0, 9.0, 4L), (today.Min, today.Max, today.Count));
    }

    [Fact]
    public void The_minute_mean_decides_a_spike_inside_a_minute_is_not_out_of_range_but_is_the_day_s_maximum()
    {
        var today = RoomDay.Compute([Minute("08:00", 7.5, 7.0, 8.6, 2), Minute("08:01", 5)], DayStart, DayStart.AddHours(12), Fridge);
        Assert.Equal(0, today.MinutesOutOfRange);
        Assert.Equal(8.6, today.Max);
    }

    [Fact]
    public void A_state_from_before_midnight_counts_from_midnight_and_the_last_one_until_now_a_started_minute_counting()
    {
        var today = RoomDay.Compute([Minute("-00:04", 12), Minute("00:03", 5), Minute("11:58", 10)], DayStart, DayStart.AddHours(11).AddMinutes(59).AddSeconds(10), Fridge);
        Assert.Equal(3 + 2, today.MinutesOutOfRange);   // 00:00→00:03, and 11:58→11:59:10 is 1 min 10 s: 2 started minutes
        Assert.Equal((5.0, 10.0, 2L), (today.Min, today.Max, today.Count));
    }

    [Fact]
    public void A_rule_that_raises_inside_a_band_counts_the_minutes_inside_it_and_no_rule_counts_nothing()
    {
        var heat = RuleSet.Defaults.Rules.Single(r => r.Name == "fixed-heat");
        List<ReadingBucket> minutes = [Minute("08:00", 60), Minute("08:02", 40)];
        Assert.Equal(2, RoomDay.Compute(minutes, DayStart, DayStart.AddHours(12), heat).MinutesOutOfRange);
        Assert.Equal(0, RoomDay.Compute(minutes, DayStart, DayStart.AddHours(12), null).MinutesOutOfRange);
        Assert.Equal(new RoomDay.Today(null, null, 0, 0), RoomDay.Compute([], DayStart, DayStart.AddHours(12), Fridge));
    }

    [Fact]
    public void The_school_day_starts_at_local_midnight_and_the_query_covers_the_hold_before_it_to_the_end_of_this_minute()
    {
        var zone = new SchoolTimeZone(Options.Create(new CampusOptions()));
        Assert.Equal("Asia/Shanghai", zone.Id);
        // 2026-11-29 01:30 in Shanghai is 2026-11-28 17:30 UTC: the day started at 2026-11-28 16:00 UTC.
        var now = new DateTimeOffset(2026, 11, 28, 17, 30, 20, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.Zero), zone.StartOfDay(now));
        Assert.Equal(
            (new DateTimeOffset(2026, 11, 28, 15, 50, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 17, 31, 0, TimeSpan.Zero)),
            RoomDay.Range(zone.StartOfDay(now), now));

        var london = new SchoolTimeZone(Options.Create(new CampusOptions { TimeZone = "Europe/London" }));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(1)), london.StartOfDay(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.False(SchoolTimeZone.TryResolve("Mars/Olympus", out _));
        Assert.True(SchoolTimeZone.TryResolve("Asia/Shanghai", out _));
    }
}
