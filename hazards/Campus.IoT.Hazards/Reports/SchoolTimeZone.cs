namespace Campus.IoT.Hazards.Reports;

/// <summary>The school's time zone: deadlines, "today", report years and reminder times are all local to it.</summary>
internal static class SchoolTimeZone
{
    /// <summary>The zone a fresh install uses.</summary>
    public const string DefaultId = "Asia/Shanghai";

    /// <summary>Asia/Shanghai (UTC+8, no daylight saving).</summary>
    public static TimeZoneInfo Default { get; } = TimeZoneInfo.FindSystemTimeZoneById(DefaultId);

    /// <summary>Whether a hazard is overdue on <paramref name="today"/>: the registry's one rule (<see cref="HazardStore.IsOverdue(Hazard, DateOnly)"/>).</summary>
    public static bool IsOverdue(Hazard hazard, DateOnly today) => HazardStore.IsOverdue(hazard, today);
}
