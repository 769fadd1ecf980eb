using Campus.IoT.Alerting.Rules;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// <c>Campus:Sites:{site}</c>: a school's name and where its devices are, so the guard-room board can say
/// "第一中学 · 实验楼 / 3F / 化学实验室" instead of device ids. <c>Locations</c> maps a device id or glob
/// (<c>canteen-*</c>) to a place, written "building / floor / room".
/// </summary>
internal sealed class SiteOptions
{
    public string? Name { get; set; }

    public Dictionary<string, string> Locations { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Looks up a school's name and a device's place (an exact id first, then the longest matching glob).</summary>
internal sealed class SiteDirectory(IReadOnlyDictionary<string, SiteOptions> sites)
{
    public const string Section = "Campus:Sites";

    /// <summary>The configured schools' ids.</summary>
    public IEnumerable<string> Sites => sites.Keys;

    public string? NameOf(string site) => sites.TryGetValue(site, out var options) ? options.Name : null;

    public string? LocationOf(string site, string? device)
    {
        if (device is null || !sites.TryGetValue(site, out var options))
        {
            return null;
        }

        if (options.Locations.TryGetValue(device, out var exact))
        {
            return exact;
        }

        return options.Locations.Where(l => l.Key.Contains('*') || l.Key.Contains('?'))
            .Where(l => Glob.IsMatch(l.Key, device))
            .OrderByDescending(l => l.Key.Length)
            .Select(l => l.Value)
            .FirstOrDefault();
    }

    public static SiteDirectory From(IConfiguration configuration) =>
        new(configuration.GetSection(Section).Get<Dictionary<string, SiteOptions>>() ?? []);
}
