namespace Campus.IoT.Hazards.Reports;

/// <summary>One row of 问题隐患清单 (the problems/hazards list), its cells already in the school's words and local time.</summary>
internal sealed record ProblemRow(
    long HazardId,
    int No,
    string School,
    string Location,
    string Category,
    string Description,
    string Risk,
    string Source,
    string FoundAt,
    string FoundBy,
    string Status,
    string Overdue)
{
    public static IReadOnlyList<string> Headers { get; } = ["序号", "学校", "位置", "类别", "隐患描述", "风险等级", "来源", "发现时间", "发现人", "状态", "是否逾期"];

    public object?[] Cells() => [No, School, Location, Category, Description, Risk, Source, FoundAt, FoundBy, Status, Overdue];
}

/// <summary>One row of 整改措施清单 (the rectification measures list).</summary>
internal sealed record MeasureRow(
    long HazardId,
    int No,
    string School,
    string Description,
    string Measures,
    decimal? Funds,
    string Deadline,
    string Status,
    string Verification,
    string VerifiedOn)
{
    public static IReadOnlyList<string> Headers { get; } = ["序号", "学校", "隐患描述", "整改措施", "整改资金(元)", "整改时限", "状态", "验收结果", "验收日期"];

    public object?[] Cells() => [No, School, Description, Measures, Funds, Deadline, Status, Verification, VerifiedOn];
}

/// <summary>One row of 责任落实清单 (the responsibilities list).</summary>
internal sealed record ResponsibilityRow(
    long HazardId,
    int No,
    string School,
    string Description,
    string Unit,
    string Person,
    string Deadline,
    string Reinspector,
    string Status,
    string Overdue)
{
    public static IReadOnlyList<string> Headers { get; } = ["序号", "学校", "隐患描述", "责任单位", "责任人", "整改时限", "复查人", "状态", "是否逾期"];

    public object?[] Cells() => [No, School, Description, Unit, Person, Deadline, Reinspector, Status, Overdue];
}

/// <summary>
/// One list as a table for export: its sheet name, Chinese headers and cells (strings, the row number as an int, funds as a
/// decimal or null).
/// </summary>
internal sealed record ListTable(string Name, IReadOnlyList<string> Headers, IReadOnlyList<object?[]> Rows);
