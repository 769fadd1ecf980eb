using System.Globalization;

namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// The zh-CN words of the three lists, the annual report and the reminders, and the one way dates and times are written in
/// them (the school's local time, invariant culture). The names of categories, levels, sources and statuses are
/// <see cref="HazardNames"/>'s.
/// </summary>
internal static class ListLabels
{
    public const string Yes = "是";
    public const string No = "否";
    public const string District = "全区合计";

    public static string Category(HazardCategory category) => category.Label();

    /// <summary>重大风险, 较大风险, 一般风险, 低风险 (the level's label with 风险, as the lists write it).</summary>
    public static string Risk(RiskLevel risk) => risk.Label() + "风险";

    public static string Source(HazardSource source) => source.Label();

    public static string Status(HazardStatus status) => status.Label();

    /// <summary>验收结果: 通过, 未通过, or empty before any verification.</summary>
    public static string Verification(bool? passed) => passed switch
    {
        true => "通过",
        false => "未通过",
        null => string.Empty,
    };

    public static string YesNo(bool value) => value ? Yes : No;

    /// <summary>A moment in the school's local time: <c>yyyy-MM-dd HH:mm</c>.</summary>
    public static string Time(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A date: <c>yyyy-MM-dd</c>.</summary>
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The date of a moment in the school's time zone.</summary>
    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>Yuan with two decimals, invariant: <c>1200.50</c>.</summary>
    public static string Yuan(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
