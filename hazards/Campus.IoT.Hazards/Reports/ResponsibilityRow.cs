namespace Campus.IoT.Hazards.Reports;

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
