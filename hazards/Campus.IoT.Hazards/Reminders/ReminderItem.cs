namespace Campus.IoT.Hazards.Reminders;

/// <summary>
/// One hazard in a reminder: its deadline (the last day, school time) and the days from today to it — negative when
/// overdue (−2: two days past), 0 when it is due today.
/// </summary>
internal sealed record ReminderItem(long HazardId, string Title, string? Location, DateOnly Deadline, int DaysLeft);
