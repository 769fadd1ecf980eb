using Campus.IoT.Alerting;

namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// The annual report the district plan asks every school for (年度报告): for one calendar year in the school's time zone,
/// the hazards found that year by category, risk level and status (status as of <c>now</c>), how many were closed, how
/// many ran over their deadline, how long closing took, and the alarms raised that year by rule with their mean time to
/// acknowledge. One row per school and the district's totals (computed over every hazard and alarm, not averaged from
/// the schools' averages).
/// </summary>
internal sealed record AnnualReport(int Year, IReadOnlyList<SchoolYear> Schools, SchoolYear District)
{
    /// <param name="hazards">Hazards of any years and sites; those found in <paramref name="year"/> (local) are counted.</param>
    /// <param name="alarms">Alarms from the alerting side; those raised in <paramref name="year"/> (local) are counted.</param>
    /// <param name="year">The calendar year, in <paramref name="zone"/>.</param>
    /// <param name="zone">The school's time zone.</param>
    /// <param name="now">When the report is made: "overdue" of a hazard still open is judged at this moment.</param>
    /// <param name="site">One school's report, or null for the district's.</param>
    /// <param name="schoolName">The school's display name for a site identifier; the identifier itself when null.</param>
    public static AnnualReport Build(
        IEnumerable<Hazard> hazards,
        IEnumerable<Alarm> alarms,
        int year,
        TimeZoneInfo zone,
        DateTimeOffset now,
        string? site = null,
        Func<string, string>? schoolName = null)
    {
        ArgumentNullException.ThrowIfNull(hazards);
        ArgumentNullException.ThrowIfNull(alarms);
        ArgumentNullException.ThrowIfNull(zone);
        var today = ListLabels.LocalDate(now, zone);
        bool InYear(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).Year == year;
        bool OfSite(string s) => site is null || string.Equals(s, site, StringComparison.Ordinal);

        var found = hazards.Where(h => OfSite(h.Site) && InYear(h.FoundAt)).ToList();
        var raised = alarms.Where(a => OfSite(a.Site) && InYear(a.RaisedAt)).ToList();
        var schools = found.Select(h => h.Site).Concat(raised.Select(a => a.Site))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(s => SchoolYear.Of(
                s,
                schoolName?.Invoke(s) ?? s,
                found.Where(h => string.Equals(h.Site, s, StringComparison.Ordinal)),
                raised.Where(a => string.Equals(a.Site, s, StringComparison.Ordinal)),
                zone,
                today))
            .ToList();
        return new AnnualReport(year, schools, SchoolYear.Of(string.Empty, ListLabels.District, found, raised, zone, today));
    }
}
