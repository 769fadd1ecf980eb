using Campus.IoT.Hazards.Reminders;
using static Campus.IoT.Hazards.Reports.Tests.Samples;

namespace Campus.IoT.Hazards.Reports.Tests.Reminders;

public sealed class ReminderDigestTests
{
    internal static List<Hazard> Hazards() =>
    [
        Due(1, "school-01", "李老师", new DateOnly(2026, 11, 29), h => h.Location = "实验楼2F"),
        Due(2, "school-01", "李老师", new DateOnly(2026, 11, 30)),
        Due(3, "school-01", "李老师", new DateOnly(2026, 12, 3)),
        Due(4, "school-01", "李老师", new DateOnly(2026, 12, 4)),
        Due(5, "school-01", "李老师", new DateOnly(2026, 11, 1), h => h.Status = HazardStatus.Closed),
        Due(6, "school-01", "王主任", new DateOnly(2026, 12, 4)),
        Due(7, "school-02", "李老师", new DateOnly(2026, 11, 20)),
        Due(8, "school-01", null, new DateOnly(2026, 11, 1)),
        Due(9, "school-01", "李老师", null),
    ];

    private static Hazard Due(long id, string site, string? person, DateOnly? deadline, Action<Hazard>? set = null) =>
        Hazard(id, site, Beijing(2026, 10, 1), h =>
        {
            h.Status = HazardStatus.Rectifying;
            h.ResponsiblePerson = person;
            h.Deadline = deadline;
            set?.Invoke(h);
        });

    private static (long Id, int DaysLeft)[] Items(IEnumerable<ReminderItem> items) => [.. items.Select(i => (i.HazardId, i.DaysLeft))];

    [Fact]
    public void Just_after_midnight_in_beijing_the_day_is_the_schools_overdue_today_and_three_days_count_four_do_not()
    {
        // 2026-11-30 00:30 Beijing is still 2026-11-29 in UTC.
        var digests = ReminderDigest.Compose(Hazards(), Shanghai, Beijing(2026, 11, 30, 0, 30));

        Assert.Equal([("school-01", "李老师"), ("school-02", "李老师")], digests.Select(d => (d.Site, d.Person)));   // 王主任: nothing within 3 days
        var li = digests[0];
        Assert.Equal(new DateOnly(2026, 11, 30), li.Day);
        Assert.Equal([(1L, -1)], Items(li.Overdue));
        Assert.Equal([(2L, 0), (3L, 3)], Items(li.DueSoon));
        Assert.Equal([(7L, -10)], Items(digests[1].Overdue));
        Assert.Empty(digests[1].DueSoon);
    }

    [Fact]
    public void One_minute_before_midnight_yesterdays_deadline_is_still_today()
    {
        var digests = ReminderDigest.Compose(Hazards(), Shanghai, Beijing(2026, 11, 29, 23, 59));

        var li = digests.Single(d => d.Site == "school-01");
        Assert.Empty(li.Overdue);
        Assert.Equal([(1L, 0), (2L, 1)], Items(li.DueSoon));   // 12-03 is four days away: not yet
    }

    [Fact]
    public void The_message_is_chinese_first_then_english()
    {
        var digests = ReminderDigest.Compose(Hazards(), Shanghai, Beijing(2026, 11, 30, 0, 30));
        var li = digests[0];

        Assert.Equal("【隐患整改提醒】1项已逾期，2项3天内到期 / Hazard reminder: 1 overdue, 2 due within 3 days (2026-11-30)", li.Subject);
        Assert.Equal(
            """
            李老师，您好！截至 2026-11-30，您负责的隐患整改情况如下（学校：school-01）：
            已逾期（1项）：
              1. [#1] hazard 1 (实验楼2F) — 整改时限 2026-11-29，已逾期1天
            3天内到期（2项）：
              1. [#2] hazard 2 — 整改时限 2026-11-30，今天到期
              2. [#3] hazard 3 — 整改时限 2026-12-03，还剩3天
            请按时完成整改并提交验收。

            李老师, as of 2026-11-30 these hazards at school-01 are yours to rectify:
            Overdue (1):
              1. [#1] hazard 1 (实验楼2F) — deadline 2026-11-29, 1 day overdue
            Due within 3 days (2):
              1. [#2] hazard 2 — deadline 2026-11-30, due today
              2. [#3] hazard 3 — deadline 2026-12-03, 3 days left
            Please finish the rectification and submit it for verification.

            """.ReplaceLineEndings(Environment.NewLine),
            li.Body);

        var message = li.ToMessage(Beijing(2026, 11, 30, 8, 0));
        Assert.Equal(("hazard_reminder", "school-01", "李老师"), (message.Kind, message.Site, message.Recipient));
        Assert.Matches("^hazard-reminder-2026-11-30-school-01-[0-9a-f]{12}$", message.Id);
        Assert.NotEqual(message.Id, digests[1].ToMessage(Beijing(2026, 11, 30, 8, 0)).Id);
        Assert.Equal(message.Id, ReminderDigest.Compose(Hazards(), Shanghai, Beijing(2026, 11, 30, 23, 0))[0].Id);   // same day, same id
    }
}
