using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Hazards.Reports;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>
/// The daily reminder of one responsible person (责任人) at one school: their hazards past the deadline and those due
/// within <see cref="DueWithinDays"/> days (today included), judged in the school's time zone. Closed hazards and hazards
/// without a deadline or a responsible person are left out; a person with nothing due gets no digest. People are told apart
/// per school (the same name at two schools is two people, and recipients resolve per site).
/// </summary>
internal sealed record ReminderDigest(string Site, string Person, DateOnly Day, IReadOnlyList<ReminderItem> Overdue, IReadOnlyList<ReminderItem> DueSoon)
{
    /// <summary>"Due soon": the deadline is today or within this many days after it.</summary>
    public const int DueWithinDays = 3;

    /// <summary>The <see cref="NotificationMessage.Kind"/> of a reminder.</summary>
    public const string Kind = "hazard_reminder";

    public static IReadOnlyList<ReminderDigest> Compose(IEnumerable<Hazard> hazards, TimeZoneInfo zone, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hazards);
        ArgumentNullException.ThrowIfNull(zone);
        var today = ListLabels.LocalDate(now, zone);
        var due = hazards
            .Where(h => h.Status != HazardStatus.Closed && h.Deadline is not null && !string.IsNullOrWhiteSpace(h.ResponsiblePerson))
            .Select(h => (Hazard: h, Item: new ReminderItem(h.Id, h.Title, h.Location ?? h.Device, h.Deadline!.Value, h.Deadline.Value.DayNumber - today.DayNumber)))
            .Where(x => x.Item.DaysLeft <= DueWithinDays)
            .ToList();
        return
        [
            .. due.GroupBy(x => (x.Hazard.Site, Person: x.Hazard.ResponsiblePerson!.Trim()))
                .OrderBy(g => g.Key.Site, StringComparer.Ordinal)
                .ThenBy(g => g.Key.Person, StringComparer.Ordinal)
                .Select(g =>
                {
                    var items = g.Select(x => x.Item).OrderBy(i => i.Deadline).ThenBy(i => i.HazardId).ToList();
                    return new ReminderDigest(g.Key.Site, g.Key.Person, today, [.. items.Where(i => i.DaysLeft < 0)], [.. items.Where(i => i.DaysLeft >= 0)]);
                }),
        ];
    }

    /// <summary>Stable for the person, school and day (a retry or a second run that day is the same message); ASCII.</summary>
    public string Id => FormattableString.Invariant($"hazard-reminder-{ListLabels.Date(Day)}-{Site}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Person)))[..12]}");

    public string Subject => FormattableString.Invariant(
        $"【隐患整改提醒】{Overdue.Count}项已逾期，{DueSoon.Count}项{DueWithinDays}天内到期 / Hazard reminder: {Overdue.Count} overdue, {DueSoon.Count} due within {DueWithinDays} days ({ListLabels.Date(Day)})");

    public string Body
    {
        get
        {
            var text = new StringBuilder();
            var day = ListLabels.Date(Day);
            text.AppendLine(CultureInfo.InvariantCulture, $"{Person}，您好！截至 {day}，您负责的隐患整改情况如下（学校：{Site}）：");
            Section(text, $"已逾期（{Overdue.Count}项）：", Overdue, i => $"整改时限 {ListLabels.Date(i.Deadline)}，已逾期{-i.DaysLeft}天");
            Section(text, $"{DueWithinDays}天内到期（{DueSoon.Count}项）：", DueSoon, i => i.DaysLeft == 0
                ? $"整改时限 {ListLabels.Date(i.Deadline)}，今天到期"
                : $"整改时限 {ListLabels.Date(i.Deadline)}，还剩{i.DaysLeft}天");
            text.AppendLine("请按时完成整改并提交验收。");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{Person}, as of {day} these hazards at {Site} are yours to rectify:");
            Section(text, $"Overdue ({Overdue.Count}):", Overdue, i => $"deadline {ListLabels.Date(i.Deadline)}, {Days(-i.DaysLeft)} overdue");
            Section(text, $"Due within {DueWithinDays} days ({DueSoon.Count}):", DueSoon, i => i.DaysLeft == 0
                ? $"deadline {ListLabels.Date(i.Deadline)}, due today"
                : $"deadline {ListLabels.Date(i.Deadline)}, {Days(i.DaysLeft)} left");
            text.AppendLine("Please finish the rectification and submit it for verification.");
            return text.ToString();
        }
    }

    /// <summary>The digest as a notification to <see cref="Person"/> at <see cref="Site"/>.</summary>
    public NotificationMessage ToMessage(DateTimeOffset at) => new(Id, Kind, Site, Person, at, Subject, Body);

    private static void Section(StringBuilder text, string heading, IReadOnlyList<ReminderItem> items, Func<ReminderItem, string> when)
    {
        if (items.Count == 0)
        {
            return;
        }

        text.AppendLine(heading);
        for (var n = 0; n < items.Count; n++)
        {
            var i = items[n];
            var place = i.Location is { } location ? $" ({location})" : string.Empty;
            text.AppendLine(CultureInfo.InvariantCulture, $"  {n + 1}. [#{i.HazardId}] {i.Title}{place} — {when(i)}");
        }
    }

    private static string Days(int days) => days == 1 ? "1 day" : FormattableString.Invariant($"{days} days");
}
