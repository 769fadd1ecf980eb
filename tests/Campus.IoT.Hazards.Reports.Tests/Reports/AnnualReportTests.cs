using System.Globalization;
using Campus.IoT.Alerting;
using MiniExcelLibs;
using static Campus.IoT.Hazards.Reports.Tests.Samples;

namespace Campus.IoT.Hazards.Reports.Tests;

/// <summary>
/// The annual report for 2026 (Asia/Shanghai) over hazards and alarms chosen around the year's edges, against numbers
/// worked out by hand in the comments, not by the code under test.
/// </summary>
public sealed class AnnualReportTests
{
    private static readonly DateTimeOffset Now = Beijing(2027, 1, 10, 9, 0);

    private static List<Hazard> Hazards() =>
    [
        // school-01 ------------------------------------------------------------------------------------------------------
        // A: found 2026-01-01 00:30 Beijing (still 2025 in UTC): in 2026. Closed a day after its deadline: late.
        //    Days to close: 01-01 00:30 -> 01-11 10:30 = 10 d 10 h = 10.416667 d.
        Hazard(1, "school-01", Beijing(2026, 1, 1, 0, 30), h => Set(h, HazardCategory.Fire, RiskLevel.Major, HazardStatus.Closed, new DateOnly(2026, 1, 10), Beijing(2026, 1, 11, 10, 30))),
        // B: closed on time. Days: 03-01 08:00 -> 03-06 08:00 = 5 d.
        Hazard(2, "school-01", Beijing(2026, 3, 1, 8, 0), h => Set(h, HazardCategory.Fire, RiskLevel.General, HazardStatus.Closed, new DateOnly(2026, 3, 10), Beijing(2026, 3, 6, 8, 0))),
        // C: still rectifying, deadline 2026-12-31, now is 2027-01-10: overdue.
        Hazard(3, "school-01", Beijing(2026, 6, 1, 9, 0), h => Set(h, HazardCategory.LabChemicals, RiskLevel.Significant, HazardStatus.Rectifying, new DateOnly(2026, 12, 31), null)),
        // D: found 2026-12-31 23:30 Beijing; no deadline.
        Hazard(4, "school-01", Beijing(2026, 12, 31, 23, 30), h => Set(h, HazardCategory.FoodSafety, RiskLevel.Low, HazardStatus.Registered, null, null)),
        // E: 2027-01-01 00:10 Beijing (2026 in UTC): not in 2026.
        Hazard(5, "school-01", Beijing(2027, 1, 1, 0, 10), h => Set(h, HazardCategory.Fire, RiskLevel.Major, HazardStatus.Registered, null, null)),
        // F: 2025-12-31 23:50 Beijing: not in 2026.
        Hazard(6, "school-01", Beijing(2025, 12, 31, 23, 50), h => Set(h, HazardCategory.Fire, RiskLevel.Major, HazardStatus.Registered, null, null)),
        // school-02 ------------------------------------------------------------------------------------------------------
        // G: awaiting verification, deadline 2026-05-20 long past: overdue.
        Hazard(7, "school-02", Beijing(2026, 5, 5, 10, 0), h => Set(h, HazardCategory.Buildings, RiskLevel.Major, HazardStatus.AwaitingVerification, new DateOnly(2026, 5, 20), null)),
        // H: closed 2026-07-11 00:30 Beijing (07-10 in UTC) with deadline 07-10: late by the school's day.
        //    Days: 07-01 10:00 -> 07-11 00:30 = 9 d 14.5 h = 9.604167 d.
        Hazard(8, "school-02", Beijing(2026, 7, 1, 10, 0), h => Set(h, HazardCategory.Facilities, RiskLevel.General, HazardStatus.Closed, new DateOnly(2026, 7, 10), Beijing(2026, 7, 11, 0, 30))),
    ];

    private static List<Alarm> Alarms() =>
    [
        Alarm("a1", "fire", "school-01", Beijing(2026, 2, 1, 10, 0), 30),
        Alarm("a2", "fire", "school-01", Beijing(2026, 2, 2, 10, 0), 90),
        Alarm("a3", "cold-storage", "school-01", Beijing(2026, 12, 31, 23, 59), null),
        Alarm("a4", "fire", "school-01", Beijing(2027, 1, 1, 0, 1), 10),        // 2027 locally: not counted
        Alarm("b1", "cold-storage", "school-02", Beijing(2026, 8, 1, 12, 0), 600),
        Alarm("c1", "sensor-offline", "school-03", Beijing(2026, 9, 1), 45),  // a school with alarms and no hazards
    ];

    private static void Set(Hazard h, HazardCategory category, RiskLevel risk, HazardStatus status, DateOnly? deadline, DateTimeOffset? closedAt)
    {
        h.Category = category;
        h.Risk = risk;
        h.Status = status;
        h.Deadline = deadline;
        h.ClosedAt = closedAt;
    }

    private static Alarm Alarm(string id, string rule, string site, DateTimeOffset raisedAt, int? ackAfterSeconds) => new()
    {
        Id = id,
        Rule = rule,
        Site = site,
        Gateway = "gw-1",
        Device = "dev-1",
        Severity = AlarmSeverity.Major,
        State = ackAfterSeconds is null ? AlarmState.ActiveUnack : AlarmState.Cleared,
        RaisedAt = raisedAt,
        UpdatedAt = raisedAt,
        AckedAt = ackAfterSeconds is { } s ? raisedAt.AddSeconds(s) : null,
    };

    [Fact]
    public void Each_school_and_the_district_are_counted_in_the_schools_calendar_year()
    {
        var report = AnnualReport.Build(Hazards(), Alarms(), 2026, Shanghai, Now);

        Assert.Equal(["school-01", "school-02", "school-03"], report.Schools.Select(s => s.Site));
        var (s1, s2, s3, d) = (report.Schools[0], report.Schools[1], report.Schools[2], report.District);

        // school-01: A B C D found; A B closed; A B C have deadlines; A late, C overdue.
        Assert.Equal((4, 2, 3, 2), (s1.Registered, s1.Closed, s1.WithDeadline, s1.OverdueOrLate));
        Assert.Equal(0.5, s1.ClosureRate);
        Assert.Equal(2.0 / 3, s1.OverdueRate!.Value, 9);
        Assert.Equal((10.416667 + 5) / 2, s1.MeanDaysToClose!.Value, 5);   // 7.708333
        Assert.Equal(2, s1.ByCategory[HazardCategory.Fire]);
        Assert.Equal(1, s1.ByCategory[HazardCategory.LabChemicals]);
        Assert.Equal(1, s1.ByCategory[HazardCategory.FoodSafety]);
        Assert.Equal(0, s1.ByCategory[HazardCategory.Traffic]);
        Assert.Equal([1, 1, 1, 1], Enum.GetValues<RiskLevel>().Select(r => s1.ByRisk[r]));
        Assert.Equal([1, 1, 0, 2], Enum.GetValues<HazardStatus>().Select(s => s1.ByStatus[s]));   // registered, rectifying, awaiting, closed
        Assert.Equal((3, 2, 60.0), (s1.Alarms, s1.AlarmsAcked, s1.MeanSecondsToAck));           // (30 + 90) / 2
        Assert.Equal([("cold-storage", 1, 0, (double?)null), ("fire", 2, 2, 60.0)], s1.AlarmsByRule.Select(t => (t.Rule, t.Count, t.Acked, t.MeanSecondsToAck)));

        // school-02: G H found; H closed (late by the school's day); G overdue.
        Assert.Equal((2, 1, 2, 2), (s2.Registered, s2.Closed, s2.WithDeadline, s2.OverdueOrLate));
        Assert.Equal((0.5, 1.0), (s2.ClosureRate, s2.OverdueRate));
        Assert.Equal(9.604167, s2.MeanDaysToClose!.Value, 5);
        Assert.Equal((1, 1, 600.0), (s2.Alarms, s2.AlarmsAcked, s2.MeanSecondsToAck));

        // school-03: alarms only; no rate can be computed.
        Assert.Equal((0, 0, 0), (s3.Registered, s3.Closed, s3.WithDeadline));
        Assert.Null(s3.ClosureRate);
        Assert.Null(s3.OverdueRate);
        Assert.Null(s3.MeanDaysToClose);
        Assert.Equal((1, 1, 45.0), (s3.Alarms, s3.AlarmsAcked, s3.MeanSecondsToAck));

        // District: 6 found, 3 closed, 5 with deadline, 4 late or overdue; days (10.416667 + 5 + 9.604167) / 3 = 8.340278;
        // alarms 5, acked 4, (30 + 90 + 600 + 45) / 4 = 191.25 s.
        Assert.Equal(ListLabels.District, d.School);
        Assert.Equal((6, 3, 5, 4), (d.Registered, d.Closed, d.WithDeadline, d.OverdueOrLate));
        Assert.Equal((0.5, 0.8), (d.ClosureRate, d.OverdueRate!.Value));
        Assert.Equal(8.340278, d.MeanDaysToClose!.Value, 5);
        Assert.Equal((5, 4, 191.25), (d.Alarms, d.AlarmsAcked, d.MeanSecondsToAck));
        Assert.Equal(3, d.ByCategory[HazardCategory.Fire] + d.ByCategory[HazardCategory.Buildings]);
        Assert.Equal([("cold-storage", 2, 1, (double?)600.0), ("fire", 2, 2, 60.0), ("sensor-offline", 1, 1, 45.0)], d.AlarmsByRule.Select(t => (t.Rule, t.Count, t.Acked, t.MeanSecondsToAck)));
    }

    [Fact]
    public void A_schools_own_report_has_only_its_row_and_totals_equal_to_it()
    {
        var report = AnnualReport.Build(Hazards(), Alarms(), 2026, Shanghai, Now, site: "school-02");

        var only = Assert.Single(report.Schools);
        Assert.Equal("school-02", only.Site);
        Assert.Equal((2, 1, 2, 2, 1), (report.District.Registered, report.District.Closed, report.District.WithDeadline, report.District.OverdueOrLate, report.District.Alarms));
    }

    [Fact]
    public async Task The_workbook_has_the_five_sheets_and_the_hand_computed_numbers()
    {
        var names = new Dictionary<string, string> { ["school-01"] = "第一中学", ["school-02"] = "实验小学", ["school-03"] = "城关小学" };
        var report = AnnualReport.Build(Hazards(), Alarms(), 2026, Shanghai, Now, schoolName: s => names[s]);
        using var stream = new MemoryStream();
        await AnnualReportExport.WriteXlsxAsync(report, stream, CancellationToken.None);
        stream.Position = 0;

        Assert.Equal(["汇总", "按类别", "按风险等级", "按状态", "报警统计"], MiniExcel.GetSheetNames(stream));

        var summary = Rows(stream, "汇总");
        Assert.Equal(["学校", "隐患登记数", "已销号数", "销号率(%)", "有整改时限数", "逾期数", "逾期率(%)", "平均销号天数", "报警数", "已确认报警数", "平均确认时间(秒)"], summary[0].Keys);
        Assert.Equal(["第一中学", "实验小学", "城关小学", "全区合计"], summary.Select(r => r["学校"]));
        Assert.Equal([4d, 2, 0, 6], summary.Select(r => Number(r["隐患登记数"])));
        Assert.Equal([50d, 50, null, 50], summary.Select(r => Number(r["销号率(%)"])));
        Assert.Equal([66.7, 100, null, 80], summary.Select(r => Number(r["逾期率(%)"])));
        Assert.Equal([7.7, 9.6, null, 8.3], summary.Select(r => Number(r["平均销号天数"])));
        Assert.Equal([3d, 1, 1, 5], summary.Select(r => Number(r["报警数"])));
        Assert.Equal([60d, 600, 45, 191.3], summary.Select(r => Number(r["平均确认时间(秒)"])));

        var categories = Rows(stream, "按类别");
        Assert.Equal(["学校", "消防安全", "食品安全", "实验室及危险化学品", "校车及交通安全", "校舍建筑", "设施设备", "其他", "合计"], categories[0].Keys);
        Assert.Equal([2d, 1, 1, 0, 0, 0, 0, 4], categories[0].Values.Skip(1).Select(Number));
        Assert.Equal([2d, 1, 1, 0, 1, 1, 0, 6], categories[3].Values.Skip(1).Select(Number));

        var risks = Rows(stream, "按风险等级");
        Assert.Equal(["学校", "重大风险", "较大风险", "一般风险", "低风险", "合计"], risks[0].Keys);
        Assert.Equal([2d, 1, 2, 1, 6], risks[3].Values.Skip(1).Select(Number));

        var statuses = Rows(stream, "按状态");
        Assert.Equal(["学校", "已登记", "整改中", "待验收", "已销号", "合计"], statuses[0].Keys);
        Assert.Equal([0d, 0, 1, 1, 2], statuses[1].Values.Skip(1).Select(Number));

        var alarms = Rows(stream, "报警统计");
        Assert.Equal(["学校", "报警类型", "规则", "报警数", "已确认数", "平均确认时间(秒)"], alarms[0].Keys);
        Assert.Equal(
            [
                ("第一中学", "冷藏温度异常", "cold-storage", 1d, 0d, (double?)null),
                ("第一中学", "火警", "fire", 2, 2, 60),
                ("实验小学", "冷藏温度异常", "cold-storage", 1, 1, 600),
                ("城关小学", "传感器离线", "sensor-offline", 1, 1, 45),
                ("全区合计", "冷藏温度异常", "cold-storage", 2, 1, 600),
                ("全区合计", "火警", "fire", 2, 2, 60),
                ("全区合计", "传感器离线", "sensor-offline", 1, 1, 45),
            ],
            alarms.Select(r => ((string)r["学校"]!, (string)r["报警类型"]!, (string)r["规则"]!, Number(r["报警数"])!.Value, Number(r["已确认数"])!.Value, Number(r["平均确认时间(秒)"]))));
    }

    private static double? Number(object? cell) => cell is null or "" ? null : Convert.ToDouble(cell, CultureInfo.InvariantCulture);

    private static List<IDictionary<string, object?>> Rows(Stream stream, string sheet)
    {
        stream.Position = 0;
        return [.. MiniExcel.Query(stream, useHeaderRow: true, sheetName: sheet).Cast<IDictionary<string, object?>>()];
    }
}
