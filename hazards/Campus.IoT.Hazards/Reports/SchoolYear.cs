using Campus.IoT.Alerting;

namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// One school's year (or the district's, with an empty <see cref="Site"/>). Rates are fractions (0..1) and null when there
/// is nothing to divide by: <see cref="ClosureRate"/> = closed / found that year; <see cref="OverdueRate"/> = (still open
/// past the deadline, or closed on a later day than the deadline) / those with a deadline.
/// </summary>
internal sealed record SchoolYear(
    string Site,
    string School,
    int Registered,
    int Closed,
    int WithDeadline,
    int OverdueOrLate,
    double? MeanDaysToClose,
    IReadOnlyDictionary<HazardCategory, int> ByCategory,
    IReadOnlyDictionary<RiskLevel, int> ByRisk,
    IReadOnlyDictionary<HazardStatus, int> ByStatus,
    IReadOnlyList<AlarmTypeYear> AlarmsByRule,
    int Alarms,
    int AlarmsAcked,
    double? MeanSecondsToAck)
{
    public double? ClosureRate => Registered == 0 ? null : (double)Closed / Registered;

    public double? OverdueRate => WithDeadline == 0 ? null : (double)OverdueOrLate / WithDeadline;

    internal static SchoolYear Of(string site, string school, IEnumerable<Hazard> hazards, IEnumerable<Alarm> alarms, TimeZoneInfo zone, DateOnly today)
    {
        var h = hazards.ToList();
        var a = alarms.ToList();
        var closed = h.Where(x => x.Status == HazardStatus.Closed).ToList();
        var withDeadline = h.Where(x => x.Deadline is not null).ToList();
        var late = withDeadline.Count(x => SchoolTimeZone.IsOverdue(x, today)
            || (x.Status == HazardStatus.Closed && x.ClosedAt is { } at && ListLabels.LocalDate(at, zone) > x.Deadline!.Value));
        var daysToClose = closed.Where(x => x.ClosedAt is not null).Select(x => (x.ClosedAt!.Value - x.FoundAt).TotalDays).ToList();
        var byRule = a.GroupBy(x => x.Rule, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AlarmTypeYear(g.Key, g.Count(), g.Count(x => x.AckedAt is not null), MeanAckSeconds(g)))
            .ToList();
        return new SchoolYear(
            site,
            school,
            h.Count,
            closed.Count,
            withDeadline.Count,
            late,
            daysToClose.Count == 0 ? null : daysToClose.Average(),
            Enum.GetValues<HazardCategory>().ToDictionary(c => c, c => h.Count(x => x.Category == c)),
            Enum.GetValues<RiskLevel>().ToDictionary(r => r, r => h.Count(x => x.Risk == r)),
            Enum.GetValues<HazardStatus>().ToDictionary(s => s, s => h.Count(x => x.Status == s)),
            byRule,
            a.Count,
            a.Count(x => x.AckedAt is not null),
            MeanAckSeconds(a));
    }

    /// <summary>Mean of acknowledged-at minus raised-at over the acknowledged alarms, in seconds; null when none was acknowledged.</summary>
    private static double? MeanAckSeconds(IEnumerable<Alarm> alarms)
    {
        var seconds = alarms.Where(x => x.AckedAt is not null).Select(x => (x.AckedAt!.Value - x.RaisedAt).TotalSeconds).ToList();
        return seconds.Count == 0 ? null : seconds.Average();
    }
}
