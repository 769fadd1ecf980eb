using Campus.IoT.Hazards.Reports;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>
/// <c>Campus:Hazards:Reminders</c>: whether the daily reminders run, at what local time (<see cref="At"/>, default 08:00)
/// and in which time zone (default Asia/Shanghai, the school's).
/// </summary>
internal sealed class HazardReminderOptions
{
    public const string Section = "Campus:Hazards:Reminders";

    public bool Enabled { get; init; } = true;

    /// <summary>The local time of day the digests go out.</summary>
    public TimeOnly At { get; init; } = new(8, 0);

    /// <summary>An IANA (or Windows) time zone id.</summary>
    public string TimeZone { get; init; } = SchoolTimeZone.DefaultId;

    /// <summary>The Quartz cron expression of <see cref="At"/>: seconds, minutes, hours, every day.</summary>
    public string Cron => FormattableString.Invariant($"{At.Second} {At.Minute} {At.Hour} * * ?");

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>Every problem with these options, all at once.</summary>
    public IEnumerable<string> Validate()
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? string.Empty, out _))
        {
            yield return $"{Section}:TimeZone '{TimeZone}' is not a time zone this machine knows";
        }
    }
}
