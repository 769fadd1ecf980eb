using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard;

/// <summary>
/// The school's time zone (<c>Campus:TimeZone</c>, Asia/Shanghai by default): where a day starts for the room pages' "today"
/// and which local time CSV exports show. Resolved from the machine's time-zone database; China Standard Time (UTC+8, no
/// daylight saving since 1991) is built in, so the default works on a machine without one (a slim container).
/// </summary>
internal sealed class SchoolTimeZone
{
    public const string DefaultId = "Asia/Shanghai";

    public SchoolTimeZone(IOptions<CampusOptions> options)
    {
        Id = options.Value.TimeZone;
        Zone = TryResolve(Id, out var zone) ? zone : throw new OptionsValidationException(CampusOptions.Section, typeof(CampusOptions), [$"Campus:TimeZone '{Id}' is unknown"]);
    }

    /// <summary>The configured id, as written (shown in CSV headers and to the pages).</summary>
    public string Id { get; }

    public TimeZoneInfo Zone { get; }

    public static bool TryResolve(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone))
        {
            return true;
        }

        if (id is DefaultId or "Asia/Chongqing" or "Asia/Harbin" or "PRC")
        {
            zone = TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
            return true;
        }

        return false;
    }

    /// <summary>The instant in the school's local time.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The start of the school's local day that contains <paramref name="instant"/>, as an instant.</summary>
    public DateTimeOffset StartOfDay(DateTimeOffset instant)
    {
        var midnight = ToLocal(instant).Date;
        // Where a daylight-saving change skips midnight, the day starts at the first valid local time after it.
        while (Zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }

        return new DateTimeOffset(midnight, Zone.GetUtcOffset(midnight));
    }
}
