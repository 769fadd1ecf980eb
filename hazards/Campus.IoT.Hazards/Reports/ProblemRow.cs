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
