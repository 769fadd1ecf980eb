using static Campus.IoT.Hazards.Reports.Tests.Samples;

namespace Campus.IoT.Hazards.Reports.Tests;

public sealed class ThreeListsTests
{
    // 2026-11-30 00:30 in Beijing, still 2026-11-29 in UTC: "today" is the 30th for the school.
    private static readonly DateTimeOffset Now = Beijing(2026, 11, 30, 0, 30);

    private static List<Hazard> Hazards() =>
    [
        Hazard(3, "school-02", Beijing(2026, 11, 3, 9, 5), h =>
        {
            h.Category = HazardCategory.Fire;
            h.Risk = RiskLevel.Major;
            h.Source = HazardSource.Alarm;
            h.Device = "smoke-3f";
            h.Status = HazardStatus.Rectifying;
            h.Deadline = new DateOnly(2026, 11, 29);   // yesterday for the school: overdue
            h.ResponsibleUnit = "总务处";
            h.ResponsiblePerson = "王主任";
            h.Measures = "更换烟感";
            h.Funds = 350m;
        }),
        Hazard(1, "school-01", Beijing(2026, 11, 2, 17, 10), h =>
        {
            h.Category = HazardCategory.LabChemicals;
            h.Risk = RiskLevel.Significant;
            h.Source = HazardSource.Inspection;
            h.Location = "实验楼 / 2F / 化学准备室";
            h.Status = HazardStatus.Rectifying;
            h.Deadline = new DateOnly(2026, 11, 30);   // today: not yet overdue
            h.ResponsibleUnit = "教务处";
            h.ResponsiblePerson = "李老师";
            h.Reinspector = "张校长";
            h.Measures = "危化品分类存放，双人双锁";
            h.Funds = 1200.5m;
        }),
        Hazard(2, "school-01", Beijing(2026, 10, 8, 8, 0), h =>
        {
            h.Category = HazardCategory.FoodSafety;
            h.Risk = RiskLevel.General;
            h.Source = HazardSource.Report;
            h.Location = "食堂";
            h.Status = HazardStatus.Closed;
            h.Deadline = new DateOnly(2026, 10, 15);   // long past, but closed: not overdue
            h.VerificationPassed = true;
            h.VerifiedAt = Beijing(2026, 10, 14, 23, 30);
            h.ClosedAt = Beijing(2026, 10, 14, 23, 30);
        }),
        Hazard(4, "school-01", Beijing(2026, 9, 30, 10, 0), h => h.Category = HazardCategory.Traffic),
    ];

    [Fact]
    public void Rows_are_sorted_by_site_then_found_time_numbered_and_in_the_schools_words_and_local_time()
    {
        var lists = ThreeLists.Build(Hazards(), HazardListFilter.All, Shanghai, Now);

        Assert.Equal([4L, 2, 1, 3], lists.Problems.Select(r => r.HazardId));
        Assert.Equal([4L, 2, 1, 3], lists.Measures.Select(r => r.HazardId));
        Assert.Equal([4L, 2, 1, 3], lists.Responsibilities.Select(r => r.HazardId));
        Assert.Equal([1, 2, 3, 4], lists.Problems.Select(r => r.No));

        Assert.Equal(
            new ProblemRow(1, 3, "school-01", "实验楼 / 2F / 化学准备室", "实验室及危险化学品", "description 1", "较大风险", "隐患排查", "2026-11-02 17:10", "巡查员", "整改中", "否"),
            lists.Problems[2]);
        Assert.Equal(
            new ProblemRow(3, 4, "school-02", "smoke-3f", "消防安全", "description 3", "重大风险", "设备报警", "2026-11-03 09:05", "巡查员", "整改中", "是"),
            lists.Problems[3]);
        Assert.Equal(
            new MeasureRow(2, 2, "school-01", "description 2", string.Empty, null, "2026-10-15", "已销号", "通过", "2026-10-14"),
            lists.Measures[1]);
        Assert.Equal(
            new MeasureRow(1, 3, "school-01", "description 1", "危化品分类存放，双人双锁", 1200.5m, "2026-11-30", "整改中", string.Empty, string.Empty),
            lists.Measures[2]);
        Assert.Equal(
            new ResponsibilityRow(3, 4, "school-02", "description 3", "总务处", "王主任", "2026-11-29", string.Empty, "整改中", "是"),
            lists.Responsibilities[3]);
        Assert.Equal(
            new ResponsibilityRow(4, 1, "school-01", "description 4", string.Empty, string.Empty, string.Empty, string.Empty, "已登记", "否"),
            lists.Responsibilities[0]);
    }

    [Fact]
    public void Overdue_follows_the_schools_day_not_utc()
    {
        // At 23:59 Beijing on the 29th the deadline of the 29th is still today; one minute later it is past.
        var before = ThreeLists.Build(Hazards(), new HazardListFilter { Site = "school-02" }, Shanghai, Beijing(2026, 11, 29, 23, 59));
        var after = ThreeLists.Build(Hazards(), new HazardListFilter { Site = "school-02" }, Shanghai, Beijing(2026, 11, 30, 0, 0));

        Assert.Equal("否", Assert.Single(before.Problems).Overdue);
        Assert.Equal("是", Assert.Single(after.Problems).Overdue);
        Assert.Equal("是", Assert.Single(after.Responsibilities).Overdue);
    }

    [Fact]
    public void Filters_combine_period_category_status_risk_and_site()
    {
        var hazards = Hazards();
        long[] Ids(HazardListFilter f) => [.. ThreeLists.Build(hazards, f, Shanghai, Now).Problems.Select(r => r.HazardId)];

        // found in [2026-11-01 00:00, 2026-11-03 09:05) Beijing: hazard 1 only (3 is found exactly at the end, excluded)
        Assert.Equal([1L], Ids(new HazardListFilter { From = Beijing(2026, 11, 1), To = Beijing(2026, 11, 3, 9, 5) }));
        Assert.Equal([1L, 3], Ids(new HazardListFilter { From = Beijing(2026, 11, 1) }));
        Assert.Equal([3L], Ids(new HazardListFilter { Category = HazardCategory.Fire }));
        Assert.Equal([2L], Ids(new HazardListFilter { Status = HazardStatus.Closed }));
        Assert.Equal([1L], Ids(new HazardListFilter { Risk = RiskLevel.Significant }));
        Assert.Equal([4L, 2, 1], Ids(new HazardListFilter { Site = "school-01" }));
        Assert.Equal([1L], Ids(new HazardListFilter { Site = "school-01", Status = HazardStatus.Rectifying }));
        Assert.Empty(Ids(new HazardListFilter { Site = "school-03" }));
    }

    [Fact]
    public void School_names_replace_site_identifiers_when_given()
    {
        var names = new Dictionary<string, string> { ["school-01"] = "第一中学", ["school-02"] = "实验小学" };
        var lists = ThreeLists.Build(Hazards(), HazardListFilter.All, Shanghai, Now, site => names[site]);

        Assert.Equal(["第一中学", "第一中学", "第一中学", "实验小学"], lists.Problems.Select(r => r.School));
    }
}
