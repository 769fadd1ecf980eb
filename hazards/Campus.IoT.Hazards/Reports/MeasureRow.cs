namespace Campus.IoT.Hazards.Reports;

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
