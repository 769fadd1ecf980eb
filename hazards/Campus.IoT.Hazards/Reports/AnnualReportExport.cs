using Campus.IoT.Alerting.Notifications;

namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// The annual report as a workbook: 汇总 (summary: a row per school and 全区合计), 按类别, 按风险等级, 按状态 and 报警统计
/// (alarms per school and rule, then the district's per rule). Rates are percentages and durations are rounded to one
/// decimal (half away from zero); an empty cell means there was nothing to compute it from.
/// </summary>
internal static class AnnualReportExport
{
    public const string SummaryName = "汇总";
    public const string CategoryName = "按类别";
    public const string RiskName = "按风险等级";
    public const string StatusName = "按状态";
    public const string AlarmsName = "报警统计";
    private const string Total = "合计";

    public static Task WriteXlsxAsync(AnnualReport report, Stream output, CancellationToken cancellationToken) =>
        XlsxExport.WriteAsync(Tables(report), output, cancellationToken);

    public static IReadOnlyList<ListTable> Tables(AnnualReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        List<SchoolYear> rows = [.. report.Schools, report.District];
        var categories = Enum.GetValues<HazardCategory>();
        var risks = Enum.GetValues<RiskLevel>();
        var statuses = Enum.GetValues<HazardStatus>();
        return
        [
            new(
                SummaryName,
                ["学校", "隐患登记数", "已销号数", "销号率(%)", "有整改时限数", "逾期数", "逾期率(%)", "平均销号天数", "报警数", "已确认报警数", "平均确认时间(秒)"],
                [.. rows.Select(r => new object?[]
                {
                    r.School, r.Registered, r.Closed, Percent(r.ClosureRate), r.WithDeadline, r.OverdueOrLate, Percent(r.OverdueRate),
                    Round(r.MeanDaysToClose), r.Alarms, r.AlarmsAcked, Round(r.MeanSecondsToAck),
                })]),
            new(
                CategoryName,
                ["学校", .. categories.Select(ListLabels.Category), Total],
                [.. rows.Select(r => (object?[])[r.School, .. categories.Select(c => (object?)r.ByCategory[c]), r.Registered])]),
            new(
                RiskName,
                ["学校", .. risks.Select(ListLabels.Risk), Total],
                [.. rows.Select(r => (object?[])[r.School, .. risks.Select(k => (object?)r.ByRisk[k]), r.Registered])]),
            new(
                StatusName,
                ["学校", .. statuses.Select(ListLabels.Status), Total],
                [.. rows.Select(r => (object?[])[r.School, .. statuses.Select(s => (object?)r.ByStatus[s]), r.Registered])]),
            new(
                AlarmsName,
                ["学校", "报警类型", "规则", "报警数", "已确认数", "平均确认时间(秒)"],
                [.. rows.SelectMany(r => r.AlarmsByRule.Select(t => new object?[]
                {
                    r.School, NotificationText.Rule(t.Rule).Zh, t.Rule, t.Count, t.Acked, Round(t.MeanSecondsToAck),
                }))]),
        ];
    }

    private static double? Percent(double? rate) => rate is { } r ? Math.Round(r * 100, 1, MidpointRounding.AwayFromZero) : null;

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1, MidpointRounding.AwayFromZero) : null;
}
