namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// 三清单, the district plan's three lists over the hazards of a school or the district: 问题隐患清单 (what and where),
/// 整改措施清单 (the measures, funds, deadline and verification) and 责任落实清单 (who answers for it). The rows are in
/// the same order in all three (by site, then found time), numbered from 1, in the school's local time. "Overdue" is
/// derived at <c>now</c>: not closed and the deadline (the last day) already past in the school's time zone.
/// </summary>
internal sealed record ThreeLists(IReadOnlyList<ProblemRow> Problems, IReadOnlyList<MeasureRow> Measures, IReadOnlyList<ResponsibilityRow> Responsibilities)
{
    public const string ProblemsName = "问题隐患清单";
    public const string MeasuresName = "整改措施清单";
    public const string ResponsibilitiesName = "责任落实清单";

    /// <param name="hazards">The hazards to list (any order).</param>
    /// <param name="filter">Which of them.</param>
    /// <param name="zone">The school's time zone (<see cref="SchoolTimeZone.Default"/> unless configured).</param>
    /// <param name="now">The moment "overdue" is judged at (the injected clock's now).</param>
    /// <param name="schoolName">The school's display name for a site identifier; the identifier itself when null.</param>
    public static ThreeLists Build(IEnumerable<Hazard> hazards, HazardListFilter filter, TimeZoneInfo zone, DateTimeOffset now, Func<string, string>? schoolName = null)
    {
        ArgumentNullException.ThrowIfNull(hazards);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(zone);
        var today = ListLabels.LocalDate(now, zone);
        var selected = hazards.Where(filter.Matches)
            .OrderBy(h => h.Site, StringComparer.Ordinal)
            .ThenBy(h => h.FoundAt)
            .ThenBy(h => h.Id)
            .ToList();

        var problems = new List<ProblemRow>(selected.Count);
        var measures = new List<MeasureRow>(selected.Count);
        var responsibilities = new List<ResponsibilityRow>(selected.Count);
        var no = 0;
        foreach (var h in selected)
        {
            no++;
            var school = schoolName?.Invoke(h.Site) ?? h.Site;
            var status = ListLabels.Status(h.Status);
            var overdue = ListLabels.YesNo(SchoolTimeZone.IsOverdue(h, today));
            var deadline = h.Deadline is { } d ? ListLabels.Date(d) : string.Empty;
            problems.Add(new ProblemRow(
                h.Id, no, school, h.Location ?? h.Device ?? string.Empty, ListLabels.Category(h.Category), h.Description, ListLabels.Risk(h.Risk),
                ListLabels.Source(h.Source), ListLabels.Time(h.FoundAt, zone), h.FoundBy, status, overdue));
            measures.Add(new MeasureRow(
                h.Id, no, school, h.Description, h.Measures ?? string.Empty, h.Funds, deadline, status, ListLabels.Verification(h.VerificationPassed),
                h.VerifiedAt is { } verified ? ListLabels.Date(ListLabels.LocalDate(verified, zone)) : string.Empty));
            responsibilities.Add(new ResponsibilityRow(
                h.Id, no, school, h.Description, h.ResponsibleUnit ?? string.Empty, h.ResponsiblePerson ?? string.Empty, deadline, h.Reinspector ?? string.Empty,
                status, overdue));
        }

        return new ThreeLists(problems, measures, responsibilities);
    }

    /// <summary>The three lists as tables, in their order: problems, measures, responsibilities.</summary>
    public IReadOnlyList<ListTable> Tables() =>
    [
        new(ProblemsName, ProblemRow.Headers, [.. Problems.Select(r => r.Cells())]),
        new(MeasuresName, MeasureRow.Headers, [.. Measures.Select(r => r.Cells())]),
        new(ResponsibilitiesName, ResponsibilityRow.Headers, [.. Responsibilities.Select(r => r.Cells())]),
    ];
}
