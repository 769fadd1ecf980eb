namespace Campus.IoT.Hazards.Reports.Tests;

/// <summary>Hazards written out by hand for the tests; times in UTC, the school in Asia/Shanghai (UTC+8).</summary>
internal static class Samples
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>A UTC instant from its Beijing wall-clock time (UTC+8).</summary>
    public static DateTimeOffset Beijing(int year, int month, int day, int hour = 0, int minute = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    public static Hazard Hazard(long id, string site, DateTimeOffset found, Action<Hazard>? set = null)
    {
        var hazard = new Hazard
        {
            Id = id,
            Site = site,
            Title = $"hazard {id}",
            Description = $"description {id}",
            FoundAt = found,
            FoundBy = "巡查员",
            CreatedAt = found,
            UpdatedAt = found,
        };
        set?.Invoke(hazard);
        return hazard;
    }
}
